package io.durabletask.kafka.samples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scenarios run through the unchanged Durable Task JS SDK (samples/js) against a host process on
 * the real path. Each script runs its own JS worker and client; the assertions here repeat the
 * script's own checks on the result it reports, and pin the SDK's wire behaviour the host relies on
 * (Hello before GetWorkItems, completion tokens echoed).
 */
class JsSdkScenariosTest {
  private static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(90);

  @TempDir static Path dataRoot;
  private static HostProcess host;

  @BeforeAll
  static void startHost() {
    host = HostProcess.start(dataRoot.resolve("data"));
  }

  @AfterAll
  static void stopHost() {
    if (host != null) {
      host.close();
    }
  }

  @Test
  void shouldGreetThreeCitiesInOrder() {
    // when
    JsonNode result = JsScript.run("hello-activity", host.port(), SCRIPT_TIMEOUT);

    // then
    assertThat(result.path("output").asText())
        .isEqualTo("Hello, Tokyo! Hello, Seattle! Hello, London!");
    assertThat(result.path("activityCalls").findValuesAsText("city"))
        .containsExactly("Tokyo", "Seattle", "London");
    assertThat(result.at("/wire/calls/Hello").asInt()).isEqualTo(1);
    assertThat(result.at("/wire/completionTokensEchoed").asBoolean()).isTrue();
  }

  @Test
  void shouldFanOutAndInOverOneThousandActivities() {
    // when
    JsonNode result = JsScript.run("fan-out-fan-in", host.port(), SCRIPT_TIMEOUT, "1000");

    // then the sum of 1² .. 1000² is exact, and each activity ran once
    assertThat(result.path("output").asLong()).isEqualTo(333_833_500L);
    assertThat(result.path("activities").asInt()).isEqualTo(1000);
    assertThat(result.at("/wire/calls/CompleteActivityTask").asInt()).isEqualTo(1000);
  }

  @Test
  void shouldDeliverAnEventRaisedBeforeTheOrchestrationWaits() {
    // when
    JsonNode result = JsScript.run("external-event-buffered", host.port(), SCRIPT_TIMEOUT);

    // then
    assertThat(result.at("/gated/output/approval/by").asText()).isEqualTo("gated");
    assertThat(result.at("/beforeFirstEpisode/output/approval/by").asText()).isEqualTo("early");
  }

  @Test
  void shouldContinueAsNewUntilTheCounterReachesTen() {
    // when
    JsonNode result = JsScript.run("continue-as-new", host.port(), SCRIPT_TIMEOUT);

    // then each execution starts from a fresh history, and no raised event is lost
    assertThat(result.at("/restarted/output").asText()).isEqualTo("10");
    assertThat(result.at("/restarted/input").asText()).isEqualTo("10");
    assertThat(result.at("/restarted/executions").asInt()).isEqualTo(11);
    assertThat(result.at("/restarted/maxHistoryEvents").asInt()).isLessThanOrEqualTo(8);
    assertThat(result.at("/raisedWhileRunning/output").asText()).isEqualTo("10");
    assertThat(result.at("/raisedBeforeStart/output").asText()).isEqualTo("10");
    assertThat(result.at("/raisedBeforeStart/carryoverEventsSent").asInt()).isPositive();
  }

  @Test
  void shouldTerminateWithTheReasonAsOutput() {
    // when
    JsonNode result = JsScript.run("terminate-running", host.port(), SCRIPT_TIMEOUT);

    // then
    assertThat(result.at("/running/status").asText()).isEqualTo("TERMINATED");
    assertThat(result.at("/running/output").asText()).isEqualTo("\"stopped while running\"");
    assertThat(result.at("/justStarted/status").asText()).isEqualTo("TERMINATED");
    assertThat(result.at("/justStarted/output").asText())
        .isEqualTo("\"stopped right after start\"");
  }
}
