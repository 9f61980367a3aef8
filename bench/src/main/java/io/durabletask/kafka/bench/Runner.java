package io.durabletask.kafka.bench;

import com.microsoft.durabletask.DurableTaskClient;
import com.microsoft.durabletask.OrchestrationMetadata;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntPredicate;
import org.HdrHistogram.Histogram;

/**
 * Runs instances of a scenario through the SDK client: each one scheduled with {@code
 * scheduleNewOrchestrationInstance}, awaited with {@code waitForInstanceCompletion}, and checked by
 * {@link Outcome}. A wrong outcome stops the run with a {@link BenchFailure}.
 *
 * <p>Latency mode runs one instance at a time. Throughput mode runs as many at once as the
 * concurrency allows, on that many client threads, each taking the next instance when its last one
 * completed.
 */
final class Runner {
  private static final Duration WAIT = Duration.ofMinutes(5);

  private final DurableTaskClient client;
  private final ResourceProbe probe;
  private final PrintStream progressOut;

  Runner(DurableTaskClient client, ResourceProbe probe, PrintStream progressOut) {
    this.client = client;
    this.probe = probe;
    this.progressOut = progressOut;
  }

  /** Runs {@code runs} instances one after the other, timing each. */
  Measurement latency(Scenario scenario, int runs) {
    Histogram latencies = new Histogram(3);
    try (Progress progress = Progress.start(label(scenario, Mode.LATENCY), runs, progressOut)) {
      ResourceProbe.Snapshot begin = probe.begin();
      long start = System.nanoTime();
      for (int i = 0; i < runs; i++) {
        long scheduled = System.nanoTime();
        runInstance(scenario);
        latencies.recordValue((System.nanoTime() - scheduled) / 1_000);
        progress.instanceDone();
      }
      long elapsed = System.nanoTime() - start;
      return new Measurement(scenario, Mode.LATENCY, runs, 1, elapsed, latencies, probe.end(begin));
    }
  }

  /** Runs {@code instances} instances, at most {@code concurrency} at a time. */
  Measurement throughput(Scenario scenario, int instances, int concurrency) {
    try (Progress progress =
        Progress.start(label(scenario, Mode.THROUGHPUT), instances, progressOut)) {
      ResourceProbe.Snapshot begin = probe.begin();
      long start = System.nanoTime();
      runConcurrently(scenario, Math.min(concurrency, instances), i -> i < instances, progress);
      long elapsed = System.nanoTime() - start;
      return new Measurement(
          scenario,
          Mode.THROUGHPUT,
          instances,
          Math.min(concurrency, instances),
          elapsed,
          null,
          probe.end(begin));
    }
  }

  /** Runs instances at {@code concurrency} for {@code duration}, measuring nothing. */
  void warmUp(Scenario scenario, Duration duration, int concurrency) {
    long deadline = System.nanoTime() + duration.toNanos();
    try (Progress progress = Progress.start("warm-up " + scenario.name(), 0, progressOut)) {
      runConcurrently(scenario, concurrency, i -> System.nanoTime() < deadline, progress);
    }
  }

  /**
   * Runs instances on {@code threads} client threads while {@code more} accepts the index of the
   * next instance; the first failure stops every thread and is thrown.
   */
  private void runConcurrently(
      Scenario scenario, int threads, IntPredicate more, Progress progress) {
    ExecutorService callers = Executors.newFixedThreadPool(threads, Runner::callerThread);
    AtomicInteger next = new AtomicInteger();
    AtomicReference<RuntimeException> failure = new AtomicReference<>();
    List<Future<?>> callerLoops = new ArrayList<>(threads);
    for (int t = 0; t < threads; t++) {
      callerLoops.add(
          callers.submit(
              () -> {
                while (failure.get() == null && more.test(next.getAndIncrement())) {
                  runInstanceOrRecord(scenario, failure);
                  progress.instanceDone();
                }
              }));
    }
    awaitAll(callerLoops);
    callers.shutdown();
    if (failure.get() != null) {
      throw failure.get();
    }
  }

  private void runInstanceOrRecord(Scenario scenario, AtomicReference<RuntimeException> failure) {
    try {
      runInstance(scenario);
    } catch (RuntimeException e) {
      failure.compareAndSet(null, e);
    }
  }

  private void runInstance(Scenario scenario) {
    String id = client.scheduleNewOrchestrationInstance(scenario.orchestration(), scenario.input());
    try {
      OrchestrationMetadata result = client.waitForInstanceCompletion(id, WAIT, true);
      Outcome.check(scenario, id, result);
    } catch (TimeoutException e) {
      throw new BenchFailure(
          "Expected instance "
              + id
              + " of "
              + scenario.name()
              + " to complete within "
              + WAIT.toMinutes()
              + " minutes, but it did not",
          e);
    }
  }

  private static void awaitAll(List<Future<?>> futures) {
    for (Future<?> future : futures) {
      try {
        future.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new BenchFailure("Interrupted while waiting for the instances", e);
      } catch (ExecutionException e) {
        throw new BenchFailure("A client thread failed: " + e.getCause(), e.getCause());
      }
    }
  }

  private static String label(Scenario scenario, Mode mode) {
    return scenario.name() + " " + mode.cliName();
  }

  private static Thread callerThread(Runnable task) {
    Thread thread = new Thread(task, "bench-client");
    thread.setDaemon(true);
    return thread;
  }
}
