package io.durabletask.kafka.bench;

import java.io.PrintStream;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The progress line of one run: every {@value #PERIOD_SECONDS} s it prints the run's label, the
 * instances done so far (of how many, when known) and the rate since the previous line.
 */
final class Progress implements AutoCloseable {
  private static final long PERIOD_SECONDS = 2;

  private final String label;
  private final long total;
  private final PrintStream out;
  private final AtomicLong done = new AtomicLong();
  private final ScheduledExecutorService timer;
  private long doneAtLastLine;
  private long nanosAtLastLine = System.nanoTime();

  private Progress(String label, long total, PrintStream out) {
    this.label = label;
    this.total = total;
    this.out = out;
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread thread = new Thread(task, "bench-progress");
              thread.setDaemon(true);
              return thread;
            });
  }

  /** Starts printing; {@code total} is 0 when the run is bounded by time, not count. */
  static Progress start(String label, long total, PrintStream out) {
    Progress progress = new Progress(label, total, out);
    progress.timer.scheduleAtFixedRate(
        progress::printLine, PERIOD_SECONDS, PERIOD_SECONDS, TimeUnit.SECONDS);
    return progress;
  }

  /** Counts one finished instance. */
  void instanceDone() {
    done.incrementAndGet();
  }

  private synchronized void printLine() {
    long now = System.nanoTime();
    long doneNow = done.get();
    double rate = (doneNow - doneAtLastLine) / ((now - nanosAtLastLine) / 1e9);
    doneAtLastLine = doneNow;
    nanosAtLastLine = now;
    String count = total > 0 ? doneNow + "/" + total : String.valueOf(doneNow);
    out.printf("[bench] %s: %s done, %.0f/s%n", label, count, rate);
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
