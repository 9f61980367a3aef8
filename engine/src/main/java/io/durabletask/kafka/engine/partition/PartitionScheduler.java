package io.durabletask.kafka.engine.partition;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The threads the partitions of a host share, for what no caller's thread can do for them:
 * recovery, rounds that come due at a time (timers, group commits that linger) and rounds handed
 * off from a thread that must not be held up. Most rounds run on the thread that brought their
 * input; see {@link PartitionProcessor}.
 */
public final class PartitionScheduler implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PartitionScheduler.class);

  private static final ThreadLocal<Boolean> ON_SCHEDULER = ThreadLocal.withInitial(() -> false);

  private final ScheduledThreadPoolExecutor executor;

  /** A scheduler with {@code threads} threads, named after {@code name}. */
  public PartitionScheduler(String name, int threads) {
    AtomicInteger next = new AtomicInteger();
    this.executor =
        new ScheduledThreadPoolExecutor(
            threads,
            task -> {
              Runnable marked =
                  () -> {
                    ON_SCHEDULER.set(true);
                    task.run();
                  };
              Thread thread = new Thread(marked, name + "-" + next.getAndIncrement());
              thread.setDaemon(true);
              return thread;
            });
    this.executor.setRemoveOnCancelPolicy(true);
  }

  /** A scheduler with one thread per core, at most four. */
  public static PartitionScheduler forHost(String name) {
    int threads = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
    return new PartitionScheduler(name, threads);
  }

  /** True on the scheduler's own threads, which may block, for example to close a store. */
  static boolean onSchedulerThread() {
    return ON_SCHEDULER.get();
  }

  void execute(Runnable task) {
    try {
      executor.execute(task);
    } catch (RejectedExecutionException e) {
      log.debug("the partition scheduler is closed; dropped a task");
    }
  }

  /** Runs {@code task} after {@code delayNanos}; the handle cancels it. */
  Cancellable schedule(Runnable task, long delayNanos) {
    try {
      return executor.schedule(task, delayNanos, TimeUnit.NANOSECONDS)::cancel;
    } catch (RejectedExecutionException e) {
      return ignored -> false;
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }

  /** A scheduled task that can be called off. */
  @FunctionalInterface
  interface Cancellable {
    boolean cancel(boolean mayInterrupt);
  }
}
