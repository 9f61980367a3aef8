package io.durabletask.kafka.engine.storage.memory;

import io.durabletask.kafka.engine.storage.LogEntry;
import io.durabletask.kafka.engine.storage.PartitionStore;
import io.durabletask.kafka.engine.storage.Recovery;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-memory twin of a partition's storage, for one ownership of the partition.
 *
 * <p>States: NEW -> OPEN ({@link #open}) -> CLOSED ({@link #close}). Appends run one after another
 * on a writer thread of their own, so their futures complete asynchronously and in append order, as
 * group commits to a page blob would. A checkpoint copies the state store at once. What is durable
 * lives in the task hub store's {@link DurablePartition}, so it survives this object.
 */
public final class InMemoryPartitionStore implements PartitionStore {
  private static final Logger log = LoggerFactory.getLogger(InMemoryPartitionStore.class);
  private static final long CLOSE_TIMEOUT_SECONDS = 10;

  private final int partition;
  private final DurablePartition durable;
  private final ExecutorService writer;
  private volatile InMemoryStateStore state;
  private volatile boolean closed;

  InMemoryPartitionStore(int partition, DurablePartition durable) {
    this.partition = partition;
    this.durable = durable;
    this.writer =
        Executors.newSingleThreadExecutor(
            task -> {
              Thread thread = new Thread(task, "memory-store-" + partition);
              thread.setDaemon(true);
              return thread;
            });
  }

  @Override
  public synchronized Recovery open() {
    if (state != null || closed) {
      throw new IllegalStateException(
          "Expected a new store of partition " + partition + ", but it was opened before");
    }
    InMemoryRecovery recovery = durable.open(this);
    state = recovery.stateStore();
    log.debug("[partition {}] opened at state position {}", partition, recovery.statePosition());
    return recovery;
  }

  @Override
  public CompletableFuture<Void> append(List<LogEntry> entries) {
    if (state == null) {
      return CompletableFuture.failedFuture(closedError());
    }
    List<LogEntry> batch = List.copyOf(entries);
    try {
      return CompletableFuture.runAsync(() -> durable.append(this, batch), writer);
    } catch (RejectedExecutionException e) {
      return CompletableFuture.failedFuture(closedError());
    }
  }

  @Override
  public CompletableFuture<Long> checkpoint(long position) {
    if (state == null || closed) {
      return CompletableFuture.failedFuture(closedError());
    }
    try {
      durable.checkpoint(this, state, position);
      log.debug("[partition {}] checkpoint at position {}", partition, position);
      return CompletableFuture.completedFuture(state.bytes());
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    writer.shutdown();
    awaitWriter();
    durable.release(this);
  }

  private void awaitWriter() {
    try {
      if (!writer.awaitTermination(CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        log.warn("[partition {}] appends did not finish before close", partition);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private IllegalStateException closedError() {
    return new IllegalStateException(
        "Expected an open store of partition " + partition + ", but it is not open");
  }
}
