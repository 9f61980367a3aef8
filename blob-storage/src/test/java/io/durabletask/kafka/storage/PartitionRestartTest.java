package io.durabletask.kafka.storage;

import static io.durabletask.kafka.engine.Actions.complete;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.durabletask.kafka.avro.RuntimeStatus;
import io.durabletask.kafka.engine.EngineConfig;
import io.durabletask.kafka.engine.EngineHarness;
import io.durabletask.kafka.engine.transport.memory.InMemoryTransport;
import io.durabletask.kafka.storage.FaultInjectingPageStore.Call;
import io.durabletask.kafka.storage.FaultInjectingPageStore.Operation;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A partition whose storage fails starts again by itself once storage works, on the real page files
 * and RocksDB, and the requests it could not make durable fail instead of hanging.
 */
class PartitionRestartTest {
  private static final int PARTITIONS = 2;

  @TempDir Path root;
  private FaultInjectingPageStore pages;
  private EngineHarness harness;

  @AfterEach
  void stopEngine() {
    if (harness != null) {
      harness.close();
    }
  }

  @Test
  void shouldFailTheRequestAndRunThePartitionAgainOnceStorageWorks() {
    // given
    startHarness();
    String before = harness.idOnPartition("before", 1);
    harness.startInstance(before, "Kept", "\"in\"");
    AtomicBoolean diskFull = new AtomicBoolean(true);
    pages.failWhen(call -> diskFull.get() && isLogWriteOf(call, 1));

    // when
    String lost = harness.idOnPartition("lost", 1);
    assertThatThrownBy(() -> harness.startInstance(lost, "Lost", null))
        .hasMessageContaining("Expected partition 1 to make the request durable")
        .hasMessageContaining("retry the call");
    diskFull.set(false);
    String after = harness.idOnPartition("after", 1);
    harness.startInstance(after, "After", null);
    harness.runEpisode(after, complete(0, "\"done\""));

    // then
    assertThat(harness.awaitCompletion(after).getStatus()).isEqualTo(RuntimeStatus.COMPLETED);
    assertThat(harness.query(before).getInput()).isEqualTo("\"in\"");
    assertThat(harness.query(lost)).isNull();
  }

  private void startHarness() {
    pages = new FaultInjectingPageStore(new LocalFilePageStore(root.resolve("hubs/hub")));
    BlobTaskHubStore store =
        new BlobTaskHubStore(hub -> pages, root.resolve("hubs"), BlobStorageOptions.defaults());
    harness =
        EngineHarness.start(
            EngineConfig.of("hub", PARTITIONS), new InMemoryTransport(PARTITIONS), store);
  }

  private static boolean isLogWriteOf(Call call, int partition) {
    return call.is(Operation.WRITE, "p%02d/log-".formatted(partition));
  }
}
