package io.durabletask.kafka.samples;

import static io.durabletask.kafka.samples.ScenarioSupport.WAIT;
import static io.durabletask.kafka.samples.ScenarioSupport.orchestration;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Timestamp;
import com.microsoft.durabletask.DurableTaskClient;
import com.microsoft.durabletask.DurableTaskGrpcClientBuilder;
import com.microsoft.durabletask.DurableTaskGrpcWorkerBuilder;
import com.microsoft.durabletask.NewOrchestrationInstanceOptions;
import com.microsoft.durabletask.OrchestrationMetadata;
import com.microsoft.durabletask.OrchestrationRuntimeStatus;
import com.microsoft.durabletask.implementation.protobuf.OrchestratorService.GetInstanceRequest;
import com.microsoft.durabletask.implementation.protobuf.TaskHubSidecarServiceGrpc;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Group A, durable timers and scheduled starts through the unchanged Java SDK. The host's clock can
 * be moved forward through its hidden {@code --clock-offset-file} option; the test that does so
 * runs last.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TimerScenariosTest {
  private static final String TIMER = "TimerSleep";
  private static final String NOW = "TimerNow";
  private static final Duration LONG_TIMER = Duration.ofDays(60);

  @TempDir static Path dataRoot;
  private static Path clockOffsetFile;
  private static HostProcess host;
  private static ScenarioSupport.Worker worker;
  private static DurableTaskClient client;

  static {
    ScenarioSupport.useSdkGeneratedProtobufClasses();
  }

  @BeforeAll
  static void startHostAndWorker() {
    clockOffsetFile = dataRoot.resolve("clock-offset-millis");
    host =
        HostProcess.start(
            dataRoot.resolve("data"), "--clock-offset-file", clockOffsetFile.toString());
    worker =
        ScenarioSupport.startWorker(
            host,
            new DurableTaskGrpcWorkerBuilder()
                // one timer of 60 days, rather than the SDK's default chain of 3-day timers
                .maximumTimerInterval(LONG_TIMER.multipliedBy(2))
                .addOrchestration(
                    orchestration(
                        TIMER,
                        ctx -> {
                          ctx.createTimer(Duration.ofSeconds(ctx.getInput(Long.class))).await();
                          ctx.complete(ctx.getCurrentInstant().toString());
                        }))
                .addOrchestration(
                    orchestration(NOW, ctx -> ctx.complete(ctx.getCurrentInstant().toString()))));
    client = new DurableTaskGrpcClientBuilder().port(host.port()).build();
  }

  @AfterAll
  static void stopHost() {
    if (client != null) {
      client.close();
    }
    if (worker != null) {
      worker.close();
    }
    if (host != null) {
      host.close();
    }
  }

  @Test
  @Order(1)
  void shouldCompleteNoEarlierThanTheDurableTimer() throws TimeoutException {
    // given
    Instant before = Instant.now();
    String id = client.scheduleNewOrchestrationInstance(TIMER, 2L);

    // when
    OrchestrationMetadata result = client.waitForInstanceCompletion(id, WAIT, true);

    // then
    assertThat(result.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
    assertThat(Duration.between(before, Instant.now()))
        .isGreaterThanOrEqualTo(Duration.ofSeconds(2));
    assertThat(result.getLastUpdatedAt()).isAfterOrEqualTo(result.getCreatedAt().plusSeconds(2));
    assertThat(Instant.parse(result.readOutputAs(String.class)))
        .isAfterOrEqualTo(result.getCreatedAt().plusSeconds(2));
  }

  @Test
  @Order(2)
  void shouldStartNoEarlierThanTheScheduledTimeAndReportIt() throws TimeoutException {
    // given
    Instant startTime = Instant.now().plusSeconds(4).truncatedTo(ChronoUnit.MILLIS);
    String id =
        client.scheduleNewOrchestrationInstance(
            NOW, new NewOrchestrationInstanceOptions().setStartTime(startTime));

    // when
    OrchestrationMetadata pending = client.getInstanceMetadata(id, false);
    OrchestrationMetadata started = client.waitForInstanceStart(id, WAIT);
    Instant startedSeenAt = Instant.now();
    OrchestrationMetadata result = client.waitForInstanceCompletion(id, WAIT, true);

    // then
    assertThat(pending.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.PENDING);
    assertThat(started.getRuntimeStatus()).isNotEqualTo(OrchestrationRuntimeStatus.PENDING);
    assertThat(startedSeenAt).isAfterOrEqualTo(startTime);
    assertThat(result.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
    assertThat(Instant.parse(result.readOutputAs(String.class))).isAfterOrEqualTo(startTime);
    assertThat(scheduledStartOf(id)).isEqualTo(startTime);
  }

  @Test
  @Order(3)
  void shouldStoreATimerSixtyDaysOutAndFireItWhenTheClockGetsThere() throws Exception {
    // given an instance waiting on a timer 60 days out, beyond 2³¹ ms
    String id = client.scheduleNewOrchestrationInstance(TIMER, LONG_TIMER.toSeconds());
    OrchestrationMetadata started = client.waitForInstanceStart(id, WAIT);
    assertThat(started.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.RUNNING);
    assertThatThrownBy(() -> client.waitForInstanceCompletion(id, Duration.ofSeconds(2), false))
        .isInstanceOf(TimeoutException.class);

    // when the host's clock moves 60 days and a minute forward
    moveHostClockForward(LONG_TIMER.plusMinutes(1));
    OrchestrationMetadata result = client.waitForInstanceCompletion(id, WAIT, true);

    // then the timer fired at its time
    assertThat(result.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
    assertThat(Instant.parse(result.readOutputAs(String.class)))
        .isAfterOrEqualTo(started.getCreatedAt().plus(LONG_TIMER));
    assertThat(result.getLastUpdatedAt()).isAfterOrEqualTo(started.getCreatedAt().plus(LONG_TIMER));
  }

  private static void moveHostClockForward(Duration offset) throws IOException {
    Files.writeString(clockOffsetFile, Long.toString(offset.toMillis()));
  }

  /** The 1.5.0 client does not expose the scheduled start, so this reads it with its own stub. */
  private static Instant scheduledStartOf(String id) {
    ManagedChannel channel = ScenarioSupport.channel(host.port(), 4 * 1024 * 1024);
    try {
      Timestamp scheduled =
          TaskHubSidecarServiceGrpc.newBlockingStub(channel)
              .getInstance(GetInstanceRequest.newBuilder().setInstanceId(id).build())
              .getOrchestrationState()
              .getScheduledStartTimestamp();
      return Instant.ofEpochSecond(scheduled.getSeconds(), scheduled.getNanos());
    } finally {
      ScenarioSupport.shutDown(channel);
    }
  }
}
