package io.durabletask.kafka.storage;

import io.durabletask.kafka.engine.storage.LogEntry;
import io.durabletask.kafka.engine.storage.PartitionOwnershipLostException;
import io.durabletask.kafka.engine.storage.PartitionStore;
import io.durabletask.kafka.engine.storage.Recovery;
import io.durabletask.kafka.engine.storage.StorageException;
import io.durabletask.kafka.storage.RocksDbStateStore.StateSnapshot;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link PartitionStore} of one partition over a {@link PageStore}, with a RocksDB cache on
 * local disk.
 *
 * <p>Blobs of partition 3, all changed only under its lease:
 *
 * <pre>{@code
 * p03/lease                      the owner's lease
 * p03/log-<first position>       commit log segments (20 digits); one starts at each checkpoint
 * p03/checkpoint-<position>-<n>  checkpoints; only the one the pointer names is kept
 * p03/pointer                    the current checkpoint (two alternating slots)
 * }</pre>
 *
 * <p>Recovery ({@link #open}): take the lease; read the pointer; scan the log to its durable end;
 * keep the RocksDB cache if it belongs to this hub incarnation and its position lies between the
 * checkpoint and the log's end, else rebuild it from the checkpoint; replay the log after the
 * cache's position.
 *
 * <p>A checkpoint snapshots RocksDB on the caller's thread, starts a new log segment, writes the
 * snapshot into a checkpoint blob in the background, waits until the log holds every entry up to
 * the checkpoint durably, switches the pointer, and deletes the segments and checkpoint before it.
 *
 * <p>States: new, open (after {@link #open}; a failed open stays new), closed. A lost lease or a
 * failed write fails the pending and later appends; the partition must then be closed and reopened.
 */
public final class BlobPartitionStore implements PartitionStore {
  private static final Logger LOG = LoggerFactory.getLogger(BlobPartitionStore.class);
  static final String LEASE = "lease";
  static final String CHECKPOINT_PREFIX = "checkpoint-";

  private enum State {
    NEW,
    OPEN,
    CLOSED
  }

  private final int partition;
  private final PageStore store;
  private final String folder;
  private final String hubId;
  private final Path cacheFolder;
  private final BlobStorageOptions options;
  private final ScheduledExecutorService scheduler;
  private final String logPrefix;

  private volatile State state = State.NEW;
  private volatile boolean closing;
  private Lease lease;
  private RocksDbStateStore cache;
  private CommitLog log;
  private ExecutorService checkpointer;
  private ScheduledFuture<?> renewal;
  private volatile CheckpointPointer pointer;

  /**
   * A store of {@code partition} in {@code store}, belonging to the task hub incarnation {@code
   * hubId}, caching its state in {@code cacheFolder}. Leases are renewed on {@code scheduler}.
   */
  public BlobPartitionStore(
      int partition,
      PageStore store,
      String hubId,
      Path cacheFolder,
      BlobStorageOptions options,
      ScheduledExecutorService scheduler) {
    this.partition = partition;
    this.store = store;
    this.folder = String.format("p%02d/", partition);
    this.hubId = hubId;
    this.cacheFolder = cacheFolder;
    this.options = options;
    this.scheduler = scheduler;
    this.logPrefix = "[partition " + partition + "] ";
  }

  @Override
  public synchronized Recovery open() {
    if (state != State.NEW) {
      throw new IllegalStateException(
          "Expected a new store of partition " + partition + ", but it was opened before");
    }
    lease = store.acquireLease(folder + LEASE, options.ownerId(), options.leaseDuration());
    try {
      Recovery recovery = recover();
      state = State.OPEN;
      return recovery;
    } catch (RuntimeException e) {
      abandon();
      throw e;
    }
  }

  @Override
  public CompletableFuture<Void> append(List<LogEntry> entries) {
    if (state != State.OPEN) {
      return CompletableFuture.failedFuture(notOpen("append"));
    }
    return log.append(entries);
  }

  /**
   * {@inheritDoc}
   *
   * <p>The snapshot of the state is taken before this returns; writing it happens in the
   * background. The future fails if the state store is not at {@code position}, if the log fails
   * before it holds every entry up to {@code position}, or if the store closes first.
   */
  @Override
  public synchronized CompletableFuture<Long> checkpoint(long position) {
    if (state != State.OPEN) {
      return CompletableFuture.failedFuture(notOpen("checkpoint"));
    }
    if (cache.position() != position) {
      return CompletableFuture.failedFuture(stateNotAt(position));
    }
    return startCheckpoint(position).whenComplete((ignored, e) -> logIfFailed(position, e));
  }

  private CompletableFuture<Long> startCheckpoint(long position) {
    StateSnapshot snapshot = cache.snapshot();
    CompletableFuture<Void> logReady = log.roll();
    try {
      return CompletableFuture.supplyAsync(
          () -> writeCheckpoint(position, snapshot, logReady), checkpointer);
    } catch (RejectedExecutionException e) {
      snapshot.close();
      return CompletableFuture.failedFuture(notOpen("checkpoint"));
    }
  }

  @Override
  public synchronized void close() {
    if (state != State.OPEN) {
      state = State.CLOSED;
      return;
    }
    state = State.CLOSED;
    closing = true;
    renewal.cancel(false);
    log.close();
    stopCheckpointer();
    cache.close();
    lease.release();
    LOG.info("{}Closed", logPrefix);
  }

  boolean isClosed() {
    return state == State.CLOSED;
  }

  /** How many group commits the commit log wrote since {@link #open}. */
  public long commitLogWriteCount() {
    return log == null ? 0 : log.writeCount();
  }

  /** The names of the commit log segments in use, oldest first. */
  public List<String> logSegmentNames() {
    return log == null ? List.of() : log.segmentNames();
  }

  private Recovery recover() {
    CheckpointPointer current = readPointer();
    LogScan scan = LogScan.scan(store, folder, current.position());
    long durableEnd = Math.max(scan.lastPosition(), current.position());
    cache = openCache(current, durableEnd);
    deleteEmptySegments(scan);
    deleteCheckpointsExcept(current.blobName());
    log = startLog(scan, durableEnd, current.position());
    pointer = current;
    startBackgroundWork();
    long statePosition = cache.position();
    LOG.info(
        "{}Recovered: checkpoint at {}, log up to {}, state at {}",
        logPrefix,
        current.position(),
        durableEnd,
        statePosition);
    return new BlobRecovery(cache, statePosition, () -> scan.entriesAfter(statePosition));
  }

  private CheckpointPointer readPointer() {
    CheckpointPointer found =
        CheckpointPointer.read(store.blob(folder + CheckpointPointer.NAME))
            .orElse(new CheckpointPointer(0, 0, "", hubId));
    if (!found.hubId().equals(hubId)) {
      throw new StorageException(
          "Expected the checkpoint of partition "
              + partition
              + " in "
              + store.location()
              + " to belong to the task hub with hub id "
              + hubId
              + ", but it belongs to hub id "
              + found.hubId()
              + ". It is left over from an earlier task hub of the same name; delete the task hub"
              + " and start again.");
    }
    return found;
  }

  private RocksDbStateStore openCache(CheckpointPointer current, long durableEnd) {
    RocksDbStateStore opened = RocksDbStateStore.open(cacheFolder);
    if (isUsable(opened, current, durableEnd)) {
      LOG.info("{}Reusing the cache at position {}", logPrefix, opened.position());
      return opened;
    }
    LOG.info("{}Rebuilding the cache from the checkpoint at {}", logPrefix, current.position());
    opened.close();
    RocksDbStateStore.delete(cacheFolder);
    RocksDbStateStore rebuilt = RocksDbStateStore.open(cacheFolder);
    try {
      loadCheckpoint(rebuilt, current);
      return rebuilt;
    } catch (RuntimeException e) {
      rebuilt.close();
      throw e;
    }
  }

  private boolean isUsable(RocksDbStateStore candidate, CheckpointPointer current, long end) {
    long position = candidate.position();
    return candidate.hubId().equals(hubId) && position >= current.position() && position <= end;
  }

  private void loadCheckpoint(RocksDbStateStore target, CheckpointPointer current) {
    if (!current.blobName().isEmpty()) {
      PageBlob blob = store.blob(current.blobName());
      CheckpointFile.read(blob, current.position(), hubId, target::load);
    }
    target.stamp(hubId, current.position());
  }

  private void deleteEmptySegments(LogScan scan) {
    for (LogSegment segment : scan.emptySegments()) {
      LOG.info("{}Deleting log segment {}, which holds no intact entry", logPrefix, segment.name());
      segment.blob().delete(lease);
    }
  }

  private void deleteCheckpointsExcept(String keep) {
    for (String name : store.list(folder + CHECKPOINT_PREFIX)) {
      if (!name.equals(keep)) {
        store.blob(name).delete(lease);
        LOG.debug("{}Deleted checkpoint {}", logPrefix, name);
      }
    }
  }

  private CommitLog startLog(LogScan scan, long durableEnd, long checkpointPosition) {
    CommitLog started =
        new CommitLog(store, folder, lease, scan, durableEnd, options.maxBatchBytes(), logPrefix);
    started.truncateBefore(checkpointPosition + 1);
    return started;
  }

  private void startBackgroundWork() {
    checkpointer =
        Executors.newSingleThreadExecutor(
            task -> {
              Thread thread = new Thread(task, "checkpoint-" + folder.replace("/", ""));
              thread.setDaemon(true);
              return thread;
            });
    long interval = options.leaseRenewInterval().toMillis();
    renewal =
        scheduler.scheduleAtFixedRate(this::renewLease, interval, interval, TimeUnit.MILLISECONDS);
  }

  private IllegalArgumentException stateNotAt(long position) {
    return new IllegalArgumentException(
        "Expected to checkpoint the state at position "
            + position
            + ", but the state store is at position "
            + cache.position());
  }

  private void logIfFailed(long position, Throwable failure) {
    if (failure != null) {
      LOG.warn("{}Checkpoint at position {} failed: {}", logPrefix, position, failure.toString());
    }
  }

  /** Writes the checkpoint and returns its size in bytes; 0 if a later one was written. */
  private long writeCheckpoint(
      long position, StateSnapshot snapshot, CompletableFuture<Void> logReady) {
    try (snapshot) {
      if (position <= pointer.position()) {
        return 0;
      }
      CheckpointPointer next = pointer.next(position, checkpointName(position));
      CheckpointFile.Summary summary = writeSnapshot(next, snapshot);
      awaitLog(logReady);
      next.write(store.blob(folder + CheckpointPointer.NAME), lease);
      pointer = next;
      log.truncateBefore(position + 1);
      deleteCheckpointsExcept(next.blobName());
      LOG.info(
          "{}Checkpoint at position {}: {} records in {} bytes",
          logPrefix,
          position,
          summary.records(),
          summary.bytes());
      return summary.bytes();
    }
  }

  private String checkpointName(long position) {
    return folder + CHECKPOINT_PREFIX + "%020d-%d".formatted(position, pointer.sequence() + 1);
  }

  private CheckpointFile.Summary writeSnapshot(CheckpointPointer next, StateSnapshot snapshot) {
    return CheckpointFile.write(
        store.blob(next.blobName()),
        lease,
        snapshot,
        next.position(),
        hubId,
        options.checkpointChunkBytes(),
        () -> closing);
  }

  private static void awaitLog(CompletableFuture<Void> logReady) {
    try {
      logReady.join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException cause ? cause : e;
    }
  }

  private void renewLease() {
    try {
      lease.renew();
    } catch (PartitionOwnershipLostException e) {
      LOG.warn("{}Lost the lease; the next write fails: {}", logPrefix, e.getMessage());
      throw e;
    } catch (StorageException e) {
      LOG.warn("{}Could not renew the lease; retrying", logPrefix, e);
    }
  }

  private void stopCheckpointer() {
    checkpointer.shutdown();
    try {
      checkpointer.awaitTermination(1, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Undoes a failed {@link #open}, so that it can be tried again. */
  private void abandon() {
    if (log != null) {
      log.close();
    }
    if (checkpointer != null) {
      stopCheckpointer();
    }
    if (renewal != null) {
      renewal.cancel(false);
    }
    if (cache != null) {
      cache.close();
    }
    lease.release();
    log = null;
    checkpointer = null;
    renewal = null;
    cache = null;
  }

  private IllegalStateException notOpen(String action) {
    return new IllegalStateException(
        "Expected the store of partition "
            + partition
            + " to be open to "
            + action
            + ", but it is "
            + state.name().toLowerCase());
  }
}
