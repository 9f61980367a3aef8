package io.durabletask.kafka.engine.storage;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The durable storage of one partition: its commit log, its checkpoints, and the local cache of its
 * state.
 *
 * <p>Lifecycle: {@link #open} once, then any number of {@link #append} and {@link #checkpoint}
 * calls from the partition's thread, then {@link #close}. Positions are the partition's update
 * event positions; they start at 1 and grow by one per event.
 *
 * <p>The state store returned by {@link Recovery#state()} holds the partition's state as of {@link
 * Recovery#statePosition()}; {@link Recovery#replay()} yields every durable log entry after it, in
 * order. The engine applies those entries again to catch up.
 */
public interface PartitionStore extends AutoCloseable {

  /**
   * Takes ownership of the partition (its lease), and prepares recovery.
   *
   * @throws PartitionOwnershipLostException if another host owns the partition
   * @throws StorageException if storage cannot be read, with a message that says why
   */
  Recovery open();

  /**
   * Appends log entries after every entry appended before. Entries appended while an earlier write
   * is in flight are written together in the next group commit. The future completes, in append
   * order, once the entries are durable; it fails with {@link PartitionOwnershipLostException} if
   * another host took the partition.
   */
  CompletableFuture<Void> append(List<LogEntry> entries);

  /**
   * Writes a checkpoint of the state store as it is now, which must reflect exactly the entries up
   * to {@code position}. Once it is durable, the log before it may be truncated. The future
   * completes with the number of bytes the checkpoint holds.
   */
  CompletableFuture<Long> checkpoint(long position);

  /** Releases ownership; pending appends are completed or failed first. */
  @Override
  void close();
}
