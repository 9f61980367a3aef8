package io.durabletask.kafka.samples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.durabletask.DurableTaskClient;
import com.microsoft.durabletask.DurableTaskGrpcClientBuilder;
import com.microsoft.durabletask.DurableTaskGrpcWorker;
import com.microsoft.durabletask.DurableTaskGrpcWorkerBuilder;
import com.microsoft.durabletask.OrchestrationMetadata;
import com.microsoft.durabletask.OrchestrationRuntimeStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JS SDK's client side against a host process on the real path: instance queries with paging,
 * and the two SDKs on one host (a JS client starts orchestrations a Java SDK worker runs, a Java
 * SDK client starts one a JS worker runs). Each test connects only its own worker, so no work item
 * can reach a worker that lacks the orchestration.
 */
class JsClientScenariosTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(90);

  @TempDir static Path dataRoot;
  private static HostProcess host;
  private static DurableTaskClient javaClient;

  @BeforeAll
  static void startHost() {
    host = HostProcess.start(dataRoot.resolve("data"));
    javaClient = new DurableTaskGrpcClientBuilder().port(host.port()).build();
  }

  @AfterAll
  static void stopHost() {
    if (javaClient != null) {
      javaClient.close();
    }
    if (host != null) {
      host.close();
    }
  }

  @Test
  void shouldPageThroughFilteredQueriesWithExactTotals() {
    // when 30 completed, 20 running and, after a pause, 10 more completed instances are queried
    JsonNode result = JsScript.run("query-paging", host.port(), SCRIPT_TIMEOUT);

    // then
    assertThat(result.at("/byStatusAndPrefix/total").asInt()).isEqualTo(30);
    assertThat(result.at("/running/total").asInt()).isEqualTo(20);
    assertThat(result.at("/createdWindow/inWindow/total").asInt()).isEqualTo(10);
    assertThat(result.at("/createdWindow/runningInWindow/total").asInt()).isZero();
    assertThat(result.at("/createdWindow/before/total").asInt()).isEqualTo(50);
    assertThat(
            result.at("/resumedFromToken/firstPage").asInt()
                + result.at("/resumedFromToken/resumed/total").asInt())
        .isEqualTo(30);
    assertThat(result.at("/unfiltered/total").asInt())
        .isEqualTo(result.path("earlierInstances").asInt() + 60);
  }

  @Test
  void shouldRunOrchestrationsStartedByTheJsClientOnTheJavaWorker() {
    // given
    DurableTaskGrpcWorker javaWorker =
        SampleOrchestrations.register(new DurableTaskGrpcWorkerBuilder().port(host.port())).build();
    javaWorker.start();
    try {
      // when
      JsonNode result = JsScript.run("both-sdks-js-client", host.port(), SCRIPT_TIMEOUT);

      // then
      assertThat(result.at("/hello/output").asText())
          .isEqualTo("\"Hello, Tokyo! Hello, Seattle! Hello, London!\"");
      assertThat(result.at("/fanOut/output").asText()).isEqualTo("385");
    } finally {
      javaWorker.close();
    }
  }

  @Test
  void shouldRunAnOrchestrationStartedByTheJavaClientOnTheJsWorker() throws TimeoutException {
    try (JsScript jsWorker = JsScript.start("both-sdks-js-worker", host.port())) {
      // given
      jsWorker.awaitLine("ready", SCRIPT_TIMEOUT);

      // when
      String id =
          javaClient.scheduleNewOrchestrationInstance("JsGreeting", List.of("Ada", "Grace"));
      OrchestrationMetadata result = javaClient.waitForInstanceCompletion(id, WAIT, true);
      jsWorker.closeInput();
      JsonNode workerResult = jsWorker.awaitResult(SCRIPT_TIMEOUT);

      // then
      assertThat(result.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
      assertThat(result.readOutputAs(String.class)).isEqualTo("Hello from JS, ADA! GRACE!");
      assertThat(workerResult.path("shouted"))
          .extracting(JsonNode::asText)
          .containsExactlyInAnyOrder("Ada", "Grace");
    }
  }
}
