package io.durabletask.kafka.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.durabletask.kafka.storage.FaultInjectingPageStore.Operation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Seeded runs of appends, checkpoints, failed log writes, restarts and lost caches against the real
 * store. After every restart the recovered state must equal a model that applied exactly the
 * updates whose appends completed.
 */
class PartitionSimulationTest {
  private static final int ROUNDS = 8;

  @TempDir Path root;

  private record Update(String key, String value, CompletableFuture<Void> durable) {}

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
  void shouldRecoverTheModelStateAfterEveryRestart(long seed) throws IOException {
    // given
    Random random = new Random(seed);
    Map<String, String> model = new TreeMap<>();

    for (int round = 0; round < ROUNDS; round++) {
      FaultInjectingPageStore faults = new FaultInjectingPageStore(localStore());
      failALogWriteSometimes(faults, random);

      // when
      try (TestPartition partition =
          TestPartition.open(hub -> faults, root, TestPartition.options("owner"))) {
        partition.replay();

        // then
        assertThat(partition.state()).as("state after restart %d", round).isEqualTo(model);
        runRound(partition, random, model);
      }
      if (random.nextInt(3) == 0) {
        RocksDbStateStore.delete(TestPartition.cacheFolder(root));
      }
      assertThat(segmentCount()).isLessThanOrEqualTo(2);
    }
  }

  private static void failALogWriteSometimes(FaultInjectingPageStore faults, Random random) {
    if (random.nextInt(3) != 0) {
      return;
    }
    AtomicInteger writesLeft = new AtomicInteger(random.nextInt(20));
    faults.failWhen(
        call -> call.is(Operation.WRITE, "p00/log-") && writesLeft.getAndDecrement() == 0);
  }

  private static void runRound(TestPartition partition, Random random, Map<String, String> model) {
    List<Update> updates = new ArrayList<>();
    int count = 1 + random.nextInt(60);
    for (int i = 0; i < count; i++) {
      String key = "k" + random.nextInt(25);
      String value = "v" + random.nextInt(1000) + "x".repeat(random.nextInt(700));
      updates.add(new Update(key, value, partition.put(key, value)));
      if (random.nextInt(20) == 0) {
        checkpointQuietly(partition, updates.get(updates.size() - 1).durable());
      }
    }
    applyDurable(updates, model);
  }

  private static void checkpointQuietly(TestPartition partition, CompletableFuture<Void> last) {
    try {
      last.join();
      partition.store.checkpoint(partition.position()).join();
    } catch (CompletionException e) {
      return;
    }
  }

  private static void applyDurable(List<Update> updates, Map<String, String> model) {
    for (Update update : updates) {
      try {
        update.durable().join();
      } catch (CompletionException e) {
        return;
      }
      model.put(update.key(), update.value());
    }
  }

  private PageStore localStore() {
    return new LocalFilePageStore(root.resolve(TestPartition.HUB));
  }

  private long segmentCount() throws IOException {
    try (var files = Files.list(TestPartition.partitionFolder(root))) {
      return files.filter(file -> file.getFileName().toString().startsWith("log-")).count();
    }
  }
}
