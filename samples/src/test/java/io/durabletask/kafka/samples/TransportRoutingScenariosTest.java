package io.durabletask.kafka.samples;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.durabletask.DurableTaskClient;
import com.microsoft.durabletask.DurableTaskGrpcClientBuilder;
import com.microsoft.durabletask.DurableTaskGrpcWorker;
import com.microsoft.durabletask.DurableTaskGrpcWorkerBuilder;
import com.microsoft.durabletask.OrchestrationMetadata;
import com.microsoft.durabletask.OrchestrationRuntimeStatus;
import com.microsoft.durabletask.OrchestrationStatusQuery;
import com.microsoft.durabletask.PurgeResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The endpoint's requests and the partitions' answers travel through the embedded broker's topics,
 * as they do for a client whose partitions run on another host: {@code --client-routing TRANSPORT}.
 */
class TransportRoutingScenariosTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir static Path dataRoot;
  private static HostProcess host;
  private static DurableTaskGrpcWorker worker;
  private static DurableTaskClient client;

  @BeforeAll
  static void startHostAndWorker() {
    host = HostProcess.start(dataRoot.resolve("data"), "--client-routing", "TRANSPORT");
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
  void shouldRunOrchestrationsWhoseRequestsAndAnswersGoThroughKafka() throws TimeoutException {
    // given
    String hello = client.scheduleNewOrchestrationInstance(SampleOrchestrations.HELLO_CITIES);
    String fanOut =
        client.scheduleNewOrchestrationInstance(SampleOrchestrations.FAN_OUT_FAN_IN, 50);

    // when
    OrchestrationMetadata greeted = client.waitForInstanceCompletion(hello, WAIT, true);
    OrchestrationMetadata summed = client.waitForInstanceCompletion(fanOut, WAIT, true);

    // then
    assertThat(greeted.readOutputAs(String.class))
        .isEqualTo("Hello, Tokyo! Hello, Seattle! Hello, London!");
    assertThat(summed.readOutputAs(Long.class)).isEqualTo(42_925L);
  }

  @Test
  void shouldQueryAndPurgeAcrossEveryPartitionThroughKafka() throws TimeoutException {
    // given
    String id = client.scheduleNewOrchestrationInstance(SampleOrchestrations.CHAIN, 2);
    client.waitForInstanceCompletion(id, WAIT, false);

    // when
    OrchestrationStatusQuery query = new OrchestrationStatusQuery();
    query.setRuntimeStatusList(List.of(OrchestrationRuntimeStatus.COMPLETED));
    List<String> completed =
        client.queryInstances(query).getOrchestrationState().stream()
            .map(OrchestrationMetadata::getInstanceId)
            .toList();
    PurgeResult purged = client.purgeInstance(id);

    // then
    assertThat(completed).contains(id);
    assertThat(purged.getDeletedInstanceCount()).isEqualTo(1);
    assertThat(client.getInstanceMetadata(id, false).isInstanceFound()).isFalse();
  }
}
