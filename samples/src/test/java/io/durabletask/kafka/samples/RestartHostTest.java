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
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** restartHost: stop the host and start it again on the same data folder. */
class RestartHostTest {
  private static final Duration WAIT = Duration.ofSeconds(90);

  @TempDir Path dataRoot;

  @Test
  void shouldKeepCompletedInstancesAndFinishTimersAfterARestart() throws Exception {
    // given instances that completed, and one waiting on a timer, on a host that then stops
    Path dataDir = dataRoot.resolve("data");
    List<String> completed = new ArrayList<>();
    String waiting;
    try (HostProcess first = HostProcess.start(dataDir)) {
      DurableTaskGrpcWorker worker = startWorker(first.port());
      DurableTaskClient client = new DurableTaskGrpcClientBuilder().port(first.port()).build();
      for (int i = 0; i < 5; i++) {
        String id = client.scheduleNewOrchestrationInstance(SampleOrchestrations.CHAIN, i + 1);
        client.waitForInstanceCompletion(id, WAIT, true);
        completed.add(id);
      }
      waiting = client.scheduleNewOrchestrationInstance(SampleOrchestrations.TIMER_THEN_HELLO, 8);
      client.waitForInstanceStart(waiting, WAIT, false);
      worker.close();
      client.close();
    }

    // when the host starts again on the same folder
    try (HostProcess second = HostProcess.start(dataDir)) {
      DurableTaskGrpcWorker worker = startWorker(second.port());
      DurableTaskClient client = new DurableTaskGrpcClientBuilder().port(second.port()).build();

      // then the completed instances are there with their output
      for (int i = 0; i < completed.size(); i++) {
        OrchestrationMetadata state = client.getInstanceMetadata(completed.get(i), true);
        assertThat(state.isInstanceFound()).isTrue();
        assertThat(state.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
        assertThat(state.readOutputAs(Integer.class)).isEqualTo(i + 1);
      }
      // and the instance that waited on its timer finishes
      OrchestrationMetadata timer = client.waitForInstanceCompletion(waiting, WAIT, true);
      assertThat(timer.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
      assertThat(timer.readOutputAs(String.class)).isEqualTo("Hello, timer!");
      worker.close();
      client.close();
    }
  }

  @Test
  void shouldFinishOrchestrationsAfterTheHostWasKilled() throws Exception {
    // given an instance waiting on its timer when its host is killed
    Path dataDir = dataRoot.resolve("killed");
    HostProcess killed = HostProcess.start(dataDir);
    String killedHostId = killed.hostId();
    DurableTaskClient firstClient = new DurableTaskGrpcClientBuilder().port(killed.port()).build();
    DurableTaskGrpcWorker firstWorker = startWorker(killed.port());
    String waiting =
        firstClient.scheduleNewOrchestrationInstance(SampleOrchestrations.TIMER_THEN_HELLO, 3);
    firstClient.waitForInstanceStart(waiting, WAIT, false);
    killed.kill();
    firstWorker.close();
    firstClient.close();

    // when the host starts again on the same folder
    try (HostProcess restarted = HostProcess.start(dataDir)) {
      DurableTaskGrpcWorker worker = startWorker(restarted.port());
      DurableTaskClient client = new DurableTaskGrpcClientBuilder().port(restarted.port()).build();

      // then it rejoins under the same host id and runs old and new instances to completion
      assertThat(restarted.hostId()).isEqualTo(killedHostId);
      OrchestrationMetadata timer = client.waitForInstanceCompletion(waiting, WAIT, true);
      assertThat(timer.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
      assertThat(timer.readOutputAs(String.class)).isEqualTo("Hello, timer!");
      String fresh = client.scheduleNewOrchestrationInstance(SampleOrchestrations.CHAIN, 3);
      OrchestrationMetadata chain = client.waitForInstanceCompletion(fresh, WAIT, true);
      assertThat(chain.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
      assertThat(chain.readOutputAs(Integer.class)).isEqualTo(3);
      worker.close();
      client.close();
    }
  }

  private static DurableTaskGrpcWorker startWorker(int port) {
    DurableTaskGrpcWorker worker =
        SampleOrchestrations.register(new DurableTaskGrpcWorkerBuilder().port(port)).build();
    worker.start();
    return worker;
  }
}
