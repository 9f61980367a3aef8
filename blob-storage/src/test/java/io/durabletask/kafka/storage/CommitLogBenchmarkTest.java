package io.durabletask.kafka.storage;

import io.durabletask.kafka.engine.storage.LogEntry;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Measures the commit log on local files. Run with {@code -Dbenchmark=true
 * -Dtest=CommitLogBenchmarkTest}; it prints its figures and checks nothing.
 */
@EnabledIfSystemProperty(named = "benchmark", matches = "true")
class CommitLogBenchmarkTest {
  private static final long WARM_UP_NANOS = 1_000_000_000L;
  private static final long MEASURE_NANOS = 3_000_000_000L;

  @TempDir Path root;

  @Test
  void shouldMeasureOneAppendAtATime() {
    try (TestPartition partition = TestPartition.open(root)) {
      new Run(partition.store, 4096, 1, 0).measure("4 KiB append, one at a time");
    }
  }

  @Test
  void shouldMeasurePipelinedAppends() {
    try (TestPartition partition = TestPartition.open(root)) {
      long last = new Run(partition.store, 4096, 64, 0).measure("4 KiB appends, 64 in flight");
      new Run(partition.store, 200, 256, last).measure("200 B appends, 256 in flight");
    }
  }

  /** Appends entries of one size with a bounded number in flight, and reports the rates. */
  private static final class Run {
    private final BlobPartitionStore store;
    private final byte[] payload;
    private final int inFlight;
    private final Deque<CompletableFuture<Void>> pending = new ArrayDeque<>();
    private long position;

    Run(BlobPartitionStore store, int bytes, int inFlight, long lastPosition) {
      this.store = store;
      this.payload = new byte[bytes];
      this.inFlight = inFlight;
      this.position = lastPosition;
    }

    /** Prints the figures and returns the last position appended. */
    long measure(String label) {
      appendFor(WARM_UP_NANOS, new long[0]);
      long writesBefore = store.commitLogWriteCount();
      long[] latencies = new long[1 << 20];
      long start = System.nanoTime();
      int count = appendFor(MEASURE_NANOS, latencies);
      double seconds = (System.nanoTime() - start) / 1e9;
      long writes = store.commitLogWriteCount() - writesBefore;
      Arrays.sort(latencies, 0, Math.min(count, latencies.length));
      System.out.printf(
          "%s: %.0f appends/s, %.1f MB/s, %.0f writes/s, %.1f appends/write,"
              + " p50 %.3f ms, p99 %.3f ms%n",
          label,
          count / seconds,
          count * (double) payload.length / seconds / 1e6,
          writes / seconds,
          count / (double) Math.max(1, writes),
          percentile(latencies, count, 0.50),
          percentile(latencies, count, 0.99));
      return position;
    }

    private int appendFor(long nanos, long[] latencies) {
      long end = System.nanoTime() + nanos;
      int count = 0;
      while (System.nanoTime() < end) {
        if (pending.size() >= inFlight) {
          pending.pollFirst().join();
        }
        long started = System.nanoTime();
        int index = count++;
        CompletableFuture<Void> done = store.append(List.of(new LogEntry(++position, payload)));
        if (index < latencies.length) {
          done.thenRun(() -> latencies[index] = System.nanoTime() - started);
        }
        pending.addLast(done);
      }
      pending.forEach(CompletableFuture::join);
      pending.clear();
      return count;
    }

    private static double percentile(long[] sorted, int count, double fraction) {
      int n = Math.min(count, sorted.length);
      return n == 0 ? 0 : sorted[(int) Math.min(n - 1, n * fraction)] / 1e6;
    }
  }
}
