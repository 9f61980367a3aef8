package io.durabletask.kafka.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.durabletask.kafka.engine.storage.PartitionOwnershipLostException;
import io.durabletask.kafka.storage.FaultInjectingPageStore.InjectedFaultException;
import io.durabletask.kafka.storage.FaultInjectingPageStore.Operation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlobPartitionStoreTest {
  @TempDir Path root;

  @Test
  void shouldRecoverFromCheckpointAndReplayOnlyTheEntriesAfterIt() throws IOException {
    // given
    Map<String, String> atCheckpoint;
    try (TestPartition partition = TestPartition.open(root)) {
      putAll(partition, 1, 10);
      atCheckpoint = partition.state();

      // when
      var checkpoint = partition.store.checkpoint(10);
      partition.put("key11", "written after the checkpoint was taken");
      checkpoint.join();
      putAll(partition, 12, 15).join();

      // then
      assertThat(partition.store.logSegmentNames()).containsExactly(segment(11));
    }
    assertThat(blobNames()).contains("checkpoint-00000000000000000010-1", "pointer");
    RocksDbStateStore.delete(TestPartition.cacheFolder(root));
    try (TestPartition reopened = TestPartition.open(root)) {
      assertThat(reopened.recovery.statePosition()).isEqualTo(10);
      assertThat(reopened.state()).isEqualTo(atCheckpoint);
      assertThat(reopened.replay()).containsExactly(11L, 12L, 13L, 14L, 15L);
      assertThat(reopened.state()).hasSize(15).containsKey("key11");
    }
  }

  @Test
  void shouldKeepAMatchingCacheAndReplayNothing() {
    // given
    Map<String, String> before;
    try (TestPartition partition = TestPartition.open(root)) {
      putAll(partition, 1, 5);
      partition.store.checkpoint(5).join();
      putAll(partition, 6, 8).join();
      before = partition.state();
    }

    // when
    try (TestPartition reopened = TestPartition.open(root)) {

      // then
      assertThat(reopened.recovery.statePosition()).isEqualTo(8);
      assertThat(reopened.replay()).isEmpty();
      assertThat(reopened.state()).isEqualTo(before);
    }
  }

  @Test
  void shouldRebuildADeletedCacheFromCheckpointAndLog() throws IOException {
    // given
    Map<String, String> before;
    try (TestPartition partition = TestPartition.open(root)) {
      putAll(partition, 1, 30);
      partition.store.checkpoint(30).join();
      putAll(partition, 31, 40);
      partition.store.checkpoint(40).join();
      putAll(partition, 41, 45).join();
      before = partition.state();
    }

    // when
    RocksDbStateStore.delete(TestPartition.cacheFolder(root));
    try (TestPartition reopened = TestPartition.open(root)) {

      // then
      assertThat(reopened.recovery.statePosition()).isEqualTo(40);
      assertThat(reopened.replay()).hasSize(5);
      assertThat(reopened.state()).isEqualTo(before);
      assertThat(blobNames()).filteredOn(name -> name.startsWith("checkpoint-")).hasSize(1);
      assertThat(blobNames())
          .filteredOn(name -> name.startsWith("log-"))
          .containsOnly("log-00000000000000000041");
    }
  }

  @Test
  void shouldRebuildACacheThatIsAheadOfTheDurableLog() {
    // given
    try (TestPartition partition = TestPartition.open(root)) {
      putAll(partition, 1, 3).join();
      partition.recovery.state().write(Map.of(), List.of(), 99);
    }

    // when
    try (TestPartition reopened = TestPartition.open(root)) {

      // then
      assertThat(reopened.recovery.statePosition()).isZero();
      assertThat(reopened.replay()).containsExactly(1L, 2L, 3L);
    }
  }

  @Test
  void shouldNotReuseTheCacheOfAnEarlierTaskHubOfTheSameName() throws IOException {
    // given
    try (TestPartition partition = TestPartition.open(root)) {
      putAll(partition, 1, 3).join();
    }
    deleteTree(root.resolve(TestPartition.HUB).resolve("p00"));
    Files.delete(root.resolve(TestPartition.HUB).resolve("taskhub.json"));

    // when
    try (TestPartition recreated = TestPartition.open(root)) {

      // then
      assertThat(recreated.recovery.statePosition()).isZero();
      assertThat(recreated.state()).isEmpty();
      assertThat(recreated.replay()).isEmpty();
    }
  }

  @Test
  void shouldRefuseASecondOwnerWhileTheFirstHoldsTheLease() {
    // given
    MutableClock clock = new MutableClock();
    try (TestPartition first = openWith(clock, "first", "host-a")) {
      first.put("a", "1").join();

      // when / then
      assertThatThrownBy(() -> openWith(clock, "second", "host-b"))
          .isInstanceOf(PartitionOwnershipLostException.class)
          .hasMessageContaining("owner 'first' holds it until");
      first.put("b", "2").join();
    }
  }

  @Test
  void shouldOpenAgainAfterAnOpenFailed() {
    // given
    MutableClock clock = new MutableClock();
    TestPartition first = openWith(clock, "first", "host-a");
    first.put("a", "1").join();
    try (BlobTaskHubStore hub =
        new BlobTaskHubStore(
            name -> new LocalFilePageStore(root.resolve("pages").resolve(name), clock),
            root.resolve("host-b"),
            TestPartition.options("second"))) {
      hub.createOrCheck(TestPartition.HUB, TestPartition.PARTITIONS);
      var second = hub.partition(0);
      assertThatThrownBy(second::open).isInstanceOf(PartitionOwnershipLostException.class);

      // when
      first.close();
      var recovery = second.open();

      // then
      assertThat(recovery.replay()).toIterable().extracting(e -> e.position()).containsExactly(1L);
    }
  }

  @Test
  void shouldFailTheFirstOwnersWritesAfterTheLeaseWasTakenOver() {
    // given
    MutableClock clock = new MutableClock();
    TestPartition first = openWith(clock, "first", "host-a");
    first.put("a", "1").join();
    clock.advance(Duration.ofMinutes(2));

    // when
    try (TestPartition second = openWith(clock, "second", "host-b")) {

      // then
      assertThat(second.replay()).containsExactly(1L);
      assertThatThrownBy(() -> first.put("b", "2").join())
          .hasCauseInstanceOf(PartitionOwnershipLostException.class)
          .hasMessageContaining("owner 'second' holds it");
      first.close();
      second.put("c", "3").join();
      assertThat(second.state()).containsOnlyKeys("a", "c");
    }
  }

  @Test
  void shouldFailPendingAndLaterAppendsWhenAWriteFails() {
    // given
    FaultInjectingPageStore faults =
        new FaultInjectingPageStore(new LocalFilePageStore(root.resolve(TestPartition.HUB)));
    try (TestPartition partition =
        TestPartition.open(hub -> faults, root, TestPartition.options("owner-a"))) {
      partition.put("a", "1").join();

      // when
      faults.failWhen(call -> call.is(Operation.WRITE, "p00/log-"));
      var failed = partition.put("b", "2");

      // then
      assertThatThrownBy(failed::join).hasCauseInstanceOf(InjectedFaultException.class);
      assertThatThrownBy(() -> partition.put("c", "3").join())
          .hasCauseInstanceOf(InjectedFaultException.class);
      assertThatThrownBy(() -> partition.store.checkpoint(3).join())
          .hasCauseInstanceOf(InjectedFaultException.class);
    }
    faults.clearHooks();
    RocksDbStateStore.delete(TestPartition.cacheFolder(root));
    try (TestPartition reopened = TestPartition.open(root)) {
      assertThat(reopened.replay()).containsExactly(1L);
    }
  }

  @Test
  void shouldKeepThePreviousCheckpointWhenWritingTheNextOneFails() throws IOException {
    // given
    FaultInjectingPageStore faults =
        new FaultInjectingPageStore(new LocalFilePageStore(root.resolve(TestPartition.HUB)));
    try (TestPartition partition =
        TestPartition.open(hub -> faults, root, TestPartition.options("owner-a"))) {
      putAll(partition, 1, 5);
      partition.store.checkpoint(5).join();
      putAll(partition, 6, 9).join();

      // when
      faults.failWhen(call -> call.is(Operation.WRITE, "p00/checkpoint-"));
      var failed = partition.store.checkpoint(9);

      // then
      assertThatThrownBy(failed::join).hasCauseInstanceOf(InjectedFaultException.class);
    }
    faults.clearHooks();
    RocksDbStateStore.delete(TestPartition.cacheFolder(root));
    try (TestPartition reopened = TestPartition.open(root)) {
      assertThat(reopened.recovery.statePosition()).isEqualTo(5);
      assertThat(reopened.replay()).containsExactly(6L, 7L, 8L, 9L);
      assertThat(blobNames()).filteredOn(name -> name.startsWith("checkpoint-")).hasSize(1);
    }
  }

  @Test
  void shouldWriteACheckpointAgainAfterItFailed() {
    // given
    FaultInjectingPageStore faults =
        new FaultInjectingPageStore(new LocalFilePageStore(root.resolve(TestPartition.HUB)));
    try (TestPartition partition =
        TestPartition.open(hub -> faults, root, TestPartition.options("owner-a"))) {
      putAll(partition, 1, 4).join();
      faults.failWhen(call -> call.is(Operation.WRITE, "p00/checkpoint-"));
      assertThatThrownBy(() -> partition.store.checkpoint(4).join())
          .hasCauseInstanceOf(InjectedFaultException.class);

      // when
      faults.clearHooks();
      partition.store.checkpoint(4).join();
    }

    // then
    RocksDbStateStore.delete(TestPartition.cacheFolder(root));
    try (TestPartition reopened = TestPartition.open(root)) {
      assertThat(reopened.recovery.statePosition()).isEqualTo(4);
      assertThat(reopened.replay()).isEmpty();
      assertThat(reopened.state()).hasSize(4);
    }
  }

  @Test
  void shouldRefuseACheckpointAtAnotherPositionThanTheState() {
    // given
    try (TestPartition partition = TestPartition.open(root)) {
      putAll(partition, 1, 3);

      // when / then
      assertThatThrownBy(() -> partition.store.checkpoint(2).join())
          .hasCauseInstanceOf(IllegalArgumentException.class)
          .hasRootCauseMessage(
              "Expected to checkpoint the state at position 2, but the state store is at position"
                  + " 3");
    }
  }

  private TestPartition openWith(MutableClock clock, String ownerId, String dataFolder) {
    BlobStorageOptions options =
        TestPartition.options(ownerId).withLease(Duration.ofSeconds(60), Duration.ofHours(1));
    return TestPartition.open(
        hub -> new LocalFilePageStore(root.resolve("pages").resolve(hub), clock),
        root.resolve(dataFolder),
        options);
  }

  private static java.util.concurrent.CompletableFuture<Void> putAll(
      TestPartition partition, int from, int to) {
    java.util.concurrent.CompletableFuture<Void> last = null;
    for (int i = from; i <= to; i++) {
      last = partition.put("key" + i, "value" + i);
    }
    return last;
  }

  private static String segment(long firstPosition) {
    return LogSegment.nameOf("p00/", firstPosition);
  }

  private List<String> blobNames() throws IOException {
    try (Stream<Path> files = Files.list(TestPartition.partitionFolder(root))) {
      return files.map(file -> file.getFileName().toString()).sorted().toList();
    }
  }

  private static void deleteTree(Path folder) throws IOException {
    try (Stream<Path> files = Files.walk(folder)) {
      for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(file);
      }
    }
  }
}
