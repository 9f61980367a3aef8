package io.durabletask.kafka.engine.storage.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.durabletask.kafka.engine.storage.Bytes;
import io.durabletask.kafka.engine.storage.LogEntry;
import io.durabletask.kafka.engine.storage.PartitionOwnershipLostException;
import io.durabletask.kafka.engine.storage.PartitionStore;
import io.durabletask.kafka.engine.storage.Recovery;
import io.durabletask.kafka.engine.storage.StorageException;
import io.durabletask.kafka.engine.storage.TaskHubInfo;
import io.durabletask.kafka.engine.storage.TaskHubMismatchException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class InMemoryTaskHubStoreTest {
  private static final byte[] KEY = {'k'};

  private final InMemoryTaskHubStore hub = new InMemoryTaskHubStore();

  @BeforeEach
  void createHub() {
    hub.createOrCheck("hub", 2);
  }

  @Test
  void shouldRefuseATaskHubWithAnotherPartitionCount() {
    // given
    TaskHubInfo created = hub.info();

    // when / then
    assertThatThrownBy(() -> hub.createOrCheck("hub", 3))
        .isInstanceOf(TaskHubMismatchException.class)
        .hasMessageContaining("3 partitions")
        .hasMessageContaining("2 partitions");
    assertThat(hub.createOrCheck("hub", 2)).isEqualTo(created);
  }

  @Test
  void shouldReplayOnlyTheEntriesAfterTheCachedState() {
    // given
    PartitionStore first = hub.partition(0);
    Recovery fresh = first.open();
    first.append(entries(1, 3)).join();
    fresh.state().write(Map.of(new Bytes(KEY), new byte[] {2}), List.of(), 2);
    first.close();

    // when
    Recovery recovery = hub.partition(0).open();

    // then
    assertThat(fresh.statePosition()).isZero();
    assertThat(recovery.statePosition()).isEqualTo(2);
    assertThat(recovery.state().get(KEY)).containsExactly(2);
    assertThat(positions(recovery)).containsExactly(3L);
  }

  @Test
  void shouldRebuildFromTheCheckpointWhenTheCacheIsDropped() {
    // given
    PartitionStore first = hub.partition(1);
    Recovery fresh = first.open();
    first.append(entries(1, 2)).join();
    fresh.state().write(Map.of(new Bytes(KEY), new byte[] {2}), List.of(), 2);
    first.checkpoint(2).join();
    first.append(entries(3, 4)).join();
    fresh.state().write(Map.of(new Bytes(KEY), new byte[] {4}), List.of(), 4);
    first.close();

    // when
    hub.dropCaches();
    Recovery recovery = hub.partition(1).open();

    // then
    assertThat(hub.checkpointPosition(1)).isEqualTo(2);
    assertThat(recovery.statePosition()).isEqualTo(2);
    assertThat(recovery.state().get(KEY)).containsExactly(2);
    assertThat(positions(recovery)).containsExactly(3L, 4L);
  }

  @Test
  void shouldCompleteAppendsInOrder() {
    // given
    PartitionStore store = hub.partition(0);
    store.open();
    List<Long> completed = Collections.synchronizedList(new ArrayList<>());

    // when
    List<CompletableFuture<Void>> appends = new ArrayList<>();
    for (long position = 1; position <= 50; position++) {
      long p = position;
      appends.add(store.append(entries(p, p)).thenRun(() -> completed.add(p)));
    }
    CompletableFuture.allOf(appends.toArray(CompletableFuture[]::new)).join();

    // then
    assertThat(completed).isEqualTo(LongStream.rangeClosed(1, 50).boxed().toList());
    assertThat(hub.appendCount(0)).isEqualTo(50);
    assertThat(hub.appendCount()).isEqualTo(50);
    assertThat(hub.log(0)).hasSize(50);
  }

  @Test
  void shouldFenceAStoreOnceAnotherOpenedThePartition() {
    // given
    PartitionStore old = hub.partition(0);
    old.open();
    old.append(entries(1, 1)).join();
    PartitionStore taker = hub.partition(0);
    taker.open();

    // when
    CompletableFuture<Void> lateAppend = old.append(entries(2, 2));

    // then
    assertThatThrownBy(lateAppend::join)
        .isInstanceOf(CompletionException.class)
        .hasCauseInstanceOf(PartitionOwnershipLostException.class);
    taker.append(entries(2, 2)).join();
    assertThat(hub.log(0)).extracting(LogEntry::position).containsExactly(1L, 2L);
  }

  @Test
  void shouldRefuseAGapInTheLog() {
    // given
    PartitionStore store = hub.partition(0);
    store.open();

    // when
    CompletableFuture<Void> append = store.append(entries(5, 5));

    // then
    assertThatThrownBy(append::join).hasCauseInstanceOf(StorageException.class);
    assertThat(hub.log(0)).isEmpty();
  }

  private static List<LogEntry> entries(long from, long to) {
    return LongStream.rangeClosed(from, to)
        .mapToObj(p -> new LogEntry(p, new byte[] {(byte) p}))
        .toList();
  }

  private static List<Long> positions(Recovery recovery) {
    List<Long> positions = new ArrayList<>();
    recovery.replay().forEachRemaining(entry -> positions.add(entry.position()));
    return positions;
  }
}
