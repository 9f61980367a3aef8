package io.durabletask.kafka.engine.storage.memory;

import io.durabletask.kafka.engine.storage.LogEntry;
import io.durabletask.kafka.engine.storage.PartitionOwnershipLostException;
import io.durabletask.kafka.engine.storage.StorageException;
import java.util.ArrayList;
import java.util.List;

/**
 * What one partition keeps across host restarts in the in-memory twin: the commit log after the
 * last checkpoint, that checkpoint, the local cache (the stand-in for the RocksDB folder), and the
 * owner (the stand-in for the lease).
 *
 * <p>The owner is the store that opened the partition last. Opening takes ownership from any
 * earlier store, which then fails its appends and checkpoints, as a host fenced by a lost lease
 * would.
 */
final class DurablePartition {
  private final int partition;
  private final List<LogEntry> log = new ArrayList<>();
  private InMemoryStateStore checkpoint = new InMemoryStateStore();
  private long checkpointPosition;
  private InMemoryStateStore cache;
  private Object owner;
  private long appends;

  DurablePartition(int partition) {
    this.partition = partition;
  }

  /** Takes ownership and picks the state to recover from: the cache if usable, else a copy. */
  synchronized InMemoryRecovery open(Object newOwner) {
    owner = newOwner;
    if (!isCacheUsable()) {
      cache = checkpoint.copy();
    }
    return new InMemoryRecovery(cache, cache.position(), entriesAfter(cache.position()));
  }

  synchronized void release(Object oldOwner) {
    if (owner == oldOwner) {
      owner = null;
    }
  }

  synchronized void append(Object writer, List<LogEntry> entries) {
    checkOwner(writer);
    long expected = logEnd() + 1;
    for (LogEntry entry : entries) {
      if (entry.position() != expected) {
        throw new StorageException(
            "Expected log entry "
                + expected
                + " of partition "
                + partition
                + ", but got "
                + entry.position());
      }
      log.add(new LogEntry(entry.position(), entry.payload().clone()));
      expected++;
    }
    appends++;
  }

  synchronized void checkpoint(Object writer, InMemoryStateStore state, long position) {
    checkOwner(writer);
    if (state.position() != position || position > logEnd()) {
      throw new StorageException(
          "Expected a state at durable position "
              + position
              + " of partition "
              + partition
              + ", but the state is at "
              + state.position()
              + " and the log ends at "
              + logEnd());
    }
    checkpoint = state.copy();
    checkpointPosition = position;
    log.removeIf(entry -> entry.position() <= position);
  }

  synchronized void dropCache() {
    cache = null;
  }

  synchronized InMemoryStateStore cache() {
    return cache;
  }

  synchronized long appends() {
    return appends;
  }

  synchronized long checkpointPosition() {
    return checkpointPosition;
  }

  synchronized List<LogEntry> log() {
    return List.copyOf(log);
  }

  private boolean isCacheUsable() {
    return cache != null && cache.position() >= checkpointPosition && cache.position() <= logEnd();
  }

  private long logEnd() {
    return log.isEmpty() ? checkpointPosition : log.get(log.size() - 1).position();
  }

  private List<LogEntry> entriesAfter(long position) {
    List<LogEntry> entries = new ArrayList<>();
    for (LogEntry entry : log) {
      if (entry.position() > position) {
        entries.add(entry);
      }
    }
    return entries;
  }

  private void checkOwner(Object writer) {
    if (owner != writer) {
      throw new PartitionOwnershipLostException(
          "Expected to own partition " + partition + ", but another store opened it since");
    }
  }
}
