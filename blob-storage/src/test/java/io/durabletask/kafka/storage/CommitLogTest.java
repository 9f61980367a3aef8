package io.durabletask.kafka.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.durabletask.kafka.engine.storage.LogEntry;
import io.durabletask.kafka.storage.FaultInjectingPageStore.Operation;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommitLogTest {
  @TempDir Path root;

  @Test
  void shouldRecoverEveryDurableEntryAfterReopen() {
    // given
    try (TestPartition partition = TestPartition.open(root)) {
      for (int i = 1; i <= 50; i++) {
        partition.put("key" + i, "value" + i);
      }
      partition.put("last", "x".repeat(3000)).join();
    }

    // when
    RocksDbStateStore.delete(TestPartition.cacheFolder(root));
    try (TestPartition reopened = TestPartition.open(root)) {

      // then
      assertThat(reopened.recovery.statePosition()).isZero();
      assertThat(reopened.replay()).containsExactlyElementsOf(positions(1, 51));
      assertThat(reopened.state()).containsEntry("key17", "value17").hasSize(51);
      assertThat(reopened.state().get("last")).hasSize(3000);
    }
  }

  @Test
  void shouldContinueAfterReopenWithoutGaps() {
    // given
    try (TestPartition partition = TestPartition.open(root)) {
      partition.put("a", "1").join();
    }

    // when
    try (TestPartition reopened = TestPartition.open(root)) {
      reopened.replay();
      reopened.put("b", "2").join();
    }

    // then
    RocksDbStateStore.delete(TestPartition.cacheFolder(root));
    try (TestPartition again = TestPartition.open(root)) {
      assertThat(again.replay()).containsExactly(1L, 2L);
      assertThat(again.state()).containsEntry("a", "1").containsEntry("b", "2");
    }
  }

  @Test
  void shouldWriteAppendsMadeDuringAWriteInOneGroupCommit() throws Exception {
    // given
    FaultInjectingPageStore faults = new FaultInjectingPageStore(localStore());
    CountDownLatch writing = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicBoolean first = new AtomicBoolean(true);
    faults.beforeEach(
        call -> {
          if (call.is(Operation.WRITE, "p00/log-") && first.getAndSet(false)) {
            writing.countDown();
            await(release);
          }
        });
    try (TestPartition partition =
        TestPartition.open(hub -> faults, root, TestPartition.options("owner-a"))) {
      List<CompletableFuture<Void>> appended = new ArrayList<>();
      appended.add(partition.put("first", "1"));
      assertThat(writing.await(10, TimeUnit.SECONDS)).isTrue();

      // when
      for (int i = 0; i < 100; i++) {
        appended.add(partition.put("key" + i, "value" + i));
      }
      release.countDown();
      CompletableFuture.allOf(appended.toArray(CompletableFuture[]::new)).join();

      // then
      assertThat(partition.store.commitLogWriteCount()).isEqualTo(2);
      assertThat(faults.count(call -> call.is(Operation.WRITE, "p00/log-"))).isEqualTo(2);
    }
  }

  @Test
  void shouldCompleteAppendsInOrder() {
    // given
    List<Long> completed = java.util.Collections.synchronizedList(new ArrayList<>());
    try (TestPartition partition = TestPartition.open(root)) {

      // when
      List<CompletableFuture<Void>> appended = new ArrayList<>();
      for (int i = 1; i <= 200; i++) {
        long position = i;
        appended.add(partition.put("k" + i, "v").thenRun(() -> completed.add(position)));
      }
      CompletableFuture.allOf(appended.toArray(CompletableFuture[]::new)).join();

      // then
      assertThat(completed).containsExactlyElementsOf(positions(1, 200));
    }
  }

  @Test
  void shouldCutACorruptTailAndOverwriteIt() throws IOException {
    // given
    try (TestPartition partition = TestPartition.open(root)) {
      for (int i = 1; i <= 4; i++) {
        partition.put("key" + i, "value" + i).join();
      }
      partition.put("big", "y".repeat(4000)).join();
    }
    Path segment = firstSegment();
    flipByte(segment, Files.size(segment) - 1000);

    // when
    try (TestPartition reopened = TestPartition.open(root)) {

      // then
      assertThat(reopened.replay()).containsExactly(1L, 2L, 3L, 4L);
      reopened.put("after", "cut").join();
    }
    RocksDbStateStore.delete(TestPartition.cacheFolder(root));
    try (TestPartition again = TestPartition.open(root)) {
      assertThat(again.replay()).containsExactly(1L, 2L, 3L, 4L, 5L);
      assertThat(again.state()).containsEntry("after", "cut").doesNotContainKey("big");
    }
  }

  @Test
  void shouldCutATornTail() throws IOException {
    // given
    try (TestPartition partition = TestPartition.open(root)) {
      partition.put("a", "1").join();
      partition.put("torn", "z".repeat(5000)).join();
    }
    Path segment = firstSegment();
    try (FileChannel file = FileChannel.open(segment, StandardOpenOption.WRITE)) {
      file.truncate(Files.size(segment) - 2048);
    }

    // when
    try (TestPartition reopened = TestPartition.open(root)) {

      // then
      assertThat(reopened.replay()).containsExactly(1L);
      assertThat(reopened.state()).containsOnlyKeys("a");
      reopened.put("b", "2").join();
    }
    try (TestPartition again = TestPartition.open(root)) {
      assertThat(again.recovery.statePosition()).isEqualTo(2);
      assertThat(again.state()).containsOnlyKeys("a", "b");
    }
  }

  @Test
  void shouldRefuseAppendsThatDoNotContinueThePositions() {
    // given
    try (TestPartition partition = TestPartition.open(root)) {
      partition.put("a", "1").join();

      // when / then
      var refused = partition.store.append(List.of(new LogEntry(5, TestPartition.bytes("x=y"))));
      assertThatThrownBy(refused::join)
          .hasCauseInstanceOf(IllegalArgumentException.class)
          .hasRootCauseMessage("Expected to append position 2, but got 5");
      partition.put("b", "2").join();
    }
  }

  private PageStore localStore() {
    return new LocalFilePageStore(root.resolve(TestPartition.HUB));
  }

  private Path firstSegment() throws IOException {
    try (var files = Files.list(TestPartition.partitionFolder(root))) {
      return files.filter(f -> f.getFileName().toString().startsWith("log-")).findFirst().get();
    }
  }

  private static void flipByte(Path file, long offset) throws IOException {
    try (FileChannel channel =
        FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer one = ByteBuffer.allocate(1);
      channel.read(one, offset);
      one.put(0, (byte) (one.get(0) ^ 0x5A)).clear();
      channel.write(one, offset);
    }
  }

  private static List<Long> positions(long from, long to) {
    return LongStream.rangeClosed(from, to).boxed().toList();
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
