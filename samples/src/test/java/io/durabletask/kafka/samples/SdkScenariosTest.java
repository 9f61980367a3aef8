package io.durabletask.kafka.samples;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.durabletask.DurableTaskClient;
import com.microsoft.durabletask.DurableTaskGrpcClientBuilder;
import com.microsoft.durabletask.DurableTaskGrpcWorker;
import com.microsoft.durabletask.DurableTaskGrpcWorkerBuilder;
import com.microsoft.durabletask.OrchestrationMetadata;
import com.microsoft.durabletask.OrchestrationRuntimeStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scenarios run through the unchanged Java SDK against a host process on the real path: the
 * embedded Kafka broker and local page files.
 */
class SdkScenariosTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir static Path dataRoot;
  private static HostProcess host;
  private static DurableTaskGrpcWorker worker;
  private static DurableTaskClient client;

  @BeforeAll
  static void startHostAndWorker() {
    host = HostProcess.start(dataRoot.resolve("data"));
    worker =
        SampleOrchestrations.register(new DurableTaskGrpcWorkerBuilder().port(host.port())).build();
    worker.start();
    client = new DurableTaskGrpcClientBuilder().port(host.port()).build();
  }

  @AfterAll
  static void stopHost() {
    if (worker != null) {
      worker.close();
    }
    if (host != null) {
      host.close();
    }
  }

  @Test
  void shouldRunHelloActivitiesInOrder() throws TimeoutException {
    // given
    String id = client.scheduleNewOrchestrationInstance(SampleOrchestrations.HELLO_CITIES);

    // when
    OrchestrationMetadata result = client.waitForInstanceCompletion(id, WAIT, true);

    // then
    assertThat(result.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
    assertThat(result.readOutputAs(String.class))
        .isEqualTo("Hello, Tokyo! Hello, Seattle! Hello, London!");
  }

  @Test
  void shouldRunAChainOfFiveActivities() throws TimeoutException {
    // given
    String id = client.scheduleNewOrchestrationInstance(SampleOrchestrations.CHAIN, 5);

    // when
    OrchestrationMetadata result = client.waitForInstanceCompletion(id, WAIT, true);

    // then
    assertThat(result.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
    assertThat(result.readOutputAs(Integer.class)).isEqualTo(5);
  }

  @Test
  void shouldFanOutAndInOverOneHundredActivities() throws TimeoutException {
    // given
    String id = client.scheduleNewOrchestrationInstance(SampleOrchestrations.FAN_OUT_FAN_IN, 100);

    // when
    OrchestrationMetadata result = client.waitForInstanceCompletion(id, WAIT, true);

    // then the sum of 1² .. 100² is exact
    assertThat(result.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
    assertThat(result.readOutputAs(Long.class)).isEqualTo(338_350L);
  }

  @Test
  void shouldCompleteNoEarlierThanTheDurableTimer() throws TimeoutException {
    // given
    Instant before = Instant.now();
    String id = client.scheduleNewOrchestrationInstance(SampleOrchestrations.TIMER_THEN_HELLO, 2);

    // when
    OrchestrationMetadata result = client.waitForInstanceCompletion(id, WAIT, true);

    // then
    assertThat(result.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
    assertThat(result.readOutputAs(String.class)).isEqualTo("Hello, timer!");
    assertThat(Duration.between(before, Instant.now()))
        .isGreaterThanOrEqualTo(Duration.ofSeconds(2));
    assertThat(result.getLastUpdatedAt()).isAfterOrEqualTo(result.getCreatedAt().plusSeconds(2));
  }

  @Test
  void shouldReportAnUnknownInstanceAsMissing() {
    // when
    OrchestrationMetadata result = client.getInstanceMetadata("no-such-instance", false);

    // then
    assertThat(result.isInstanceFound()).isFalse();
  }
}
