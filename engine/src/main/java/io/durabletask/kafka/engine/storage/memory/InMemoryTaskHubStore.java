package io.durabletask.kafka.engine.storage.memory;

import io.durabletask.kafka.engine.storage.Bytes;
import io.durabletask.kafka.engine.storage.LogEntry;
import io.durabletask.kafka.engine.storage.PartitionStore;
import io.durabletask.kafka.engine.storage.TaskHubInfo;
import io.durabletask.kafka.engine.storage.TaskHubMismatchException;
import io.durabletask.kafka.engine.storage.TaskHubStore;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The in-memory twin of a task hub's storage.
 *
 * <p>Each partition keeps a durable part (its commit log after the last checkpoint, that
 * checkpoint) and a cache (the state store, standing in for the RocksDB folder on local disk). All
 * of it outlives the engines that use it: {@link #close} only releases, so a new engine on the same
 * store recovers as a restarted host would. {@link #dropCaches} forgets the caches, as deleting the
 * RocksDB folder would; the next open rebuilds the state from the checkpoint and the log.
 *
 * <p>Test hooks: the number of group commits, a copy of a partition's log, its checkpoint position
 * and the contents of its cache.
 */
public final class InMemoryTaskHubStore implements TaskHubStore {
  public static final int FORMAT_VERSION = 1;

  private final Map<Integer, DurablePartition> partitions = new ConcurrentHashMap<>();
  private TaskHubInfo info;

  @Override
  public synchronized TaskHubInfo createOrCheck(String hubName, int partitionCount) {
    if (info == null) {
      info =
          new TaskHubInfo(
              hubName,
              partitionCount,
              System.currentTimeMillis(),
              FORMAT_VERSION,
              UUID.randomUUID().toString());
      return info;
    }
    checkMatches(hubName, partitionCount);
    return info;
  }

  @Override
  public synchronized boolean exists(String hubName) {
    return info != null && info.name().equals(hubName);
  }

  @Override
  public PartitionStore partition(int partition) {
    return new InMemoryPartitionStore(partition, durable(partition));
  }

  /** Keeps everything: a later engine on this store recovers what this one made durable. */
  @Override
  public void close() {}

  /** Forgets every partition's cache. Call it while no engine runs on this store. */
  public void dropCaches() {
    partitions.values().forEach(DurablePartition::dropCache);
  }

  /** The task hub as created, or null before {@link #createOrCheck}. */
  public synchronized TaskHubInfo info() {
    return info;
  }

  /** How many group commits all partitions have made durable. */
  public long appendCount() {
    return partitions.values().stream().mapToLong(DurablePartition::appends).sum();
  }

  /** How many group commits one partition has made durable. */
  public long appendCount(int partition) {
    return durable(partition).appends();
  }

  /** The durable log entries of a partition after its last checkpoint. */
  public List<LogEntry> log(int partition) {
    return durable(partition).log();
  }

  /** The position of a partition's last checkpoint, 0 if it has none. */
  public long checkpointPosition(int partition) {
    return durable(partition).checkpointPosition();
  }

  /** A copy of a partition's cached state, or null when it has no cache. */
  public SortedMap<Bytes, byte[]> cacheContents(int partition) {
    InMemoryStateStore cache = durable(partition).cache();
    return cache == null ? null : cache.contents();
  }

  /** The position of a partition's cached state, or -1 when it has no cache. */
  public long cachePosition(int partition) {
    InMemoryStateStore cache = durable(partition).cache();
    return cache == null ? -1 : cache.position();
  }

  private DurablePartition durable(int partition) {
    TaskHubInfo hub = info();
    if (hub == null) {
      throw new IllegalStateException("Expected createOrCheck before using a partition, but not");
    }
    if (partition < 0 || partition >= hub.partitionCount()) {
      throw new IllegalArgumentException(
          "Expected a partition from 0 to "
              + (hub.partitionCount() - 1)
              + ", but got "
              + partition);
    }
    return partitions.computeIfAbsent(partition, DurablePartition::new);
  }

  private void checkMatches(String hubName, int partitionCount) {
    if (info.partitionCount() != partitionCount) {
      throw new TaskHubMismatchException(
          "Expected task hub "
              + hubName
              + " with "
              + partitionCount
              + " partitions, but storage holds one with "
              + info.partitionCount()
              + " partitions; the partition count is fixed when a hub is created");
    }
    if (!info.name().equals(hubName)) {
      throw new TaskHubMismatchException(
          "Expected task hub " + hubName + ", but this store holds task hub " + info.name());
    }
  }
}
