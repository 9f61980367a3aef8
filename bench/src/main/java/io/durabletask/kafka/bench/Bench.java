package io.durabletask.kafka.bench;

import io.durabletask.kafka.host.Host;
import io.durabletask.kafka.host.HostConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One bench run, in steps: start a host on the embedded default in this process, connect the SDK
 * workers and client, warm up, measure the baselines, then run every scenario in every mode.
 *
 * <p>The host, its broker and the SDK share this process, so CPU time and heap are those of all of
 * them together. The counters of the host's transport and storage are read as deltas around each
 * run; work the engine finishes after a run's last completion (outbox confirmations, checkpoints)
 * is counted in the next run.
 */
final class Bench {
  private static final String PAGE_STORE_BASELINE_FOLDER = "bench-pages";

  private final BenchOptions options;
  private final Machine machine;
  private final PrintStream progressOut;

  Bench(BenchOptions options, Machine machine, PrintStream progressOut) {
    this.options = options;
    this.machine = machine;
    this.progressOut = progressOut;
  }

  /** Runs the bench in the data folder of the options, or in a temporary one deleted after. */
  Report run() {
    if (options.dataDir != null) {
      return runIn(options.dataDir);
    }
    Path temporary = createTemporaryFolder();
    try {
      return runIn(temporary);
    } finally {
      Folders.deleteRecursively(temporary);
    }
  }

  private Report runIn(Path dataDir) {
    HostConfig config = HostConfig.defaults(dataDir).withPort(0);
    try (Host host = Host.start(config.withPartitionCount(options.partitions));
        SdkWorkers sdk = SdkWorkers.start(host.port(), options.workers)) {
      Runner runner = new Runner(sdk.client(), new ResourceProbe(host.meters()), progressOut);
      warmUp(runner);
      Baselines baselines = measureBaselines(host, dataDir);
      List<Row> rows = measureScenarios(runner, baselines);
      return new Report(machine, options.settings(), baselines, rows);
    }
  }

  private void warmUp(Runner runner) {
    if (options.warmupSeconds == 0) {
      return;
    }
    Duration duration = Duration.ofSeconds(options.warmupSeconds);
    Scenario warmUp = Scenario.helloSequence(3);
    runner.warmUp(warmUp, duration, options.concurrencyOf(warmUp));
  }

  private Baselines measureBaselines(Host host, Path dataDir) {
    progressOut.println("[bench] baselines: raw Kafka, raw page store");
    KafkaBaseline kafka =
        new KafkaBaseline(host.bootstrapServers(), options.partitions, options.baselineRecords);
    Path pageFolder = dataDir.resolve(PAGE_STORE_BASELINE_FOLDER);
    try {
      return new Baselines(kafka.run(), new PageStoreBaseline(pageFolder).run());
    } finally {
      Folders.deleteRecursively(pageFolder);
    }
  }

  private List<Row> measureScenarios(Runner runner, Baselines baselines) {
    List<Row> rows = new ArrayList<>();
    for (Scenario scenario : options.scenarios()) {
      for (Mode mode : options.modes()) {
        rows.add(Row.of(measure(runner, scenario, mode), baselines));
      }
    }
    return rows;
  }

  private Measurement measure(Runner runner, Scenario scenario, Mode mode) {
    return switch (mode) {
      case LATENCY -> runner.latency(scenario, options.latencyRuns);
      case THROUGHPUT ->
          runner.throughput(
              scenario, options.instancesOf(scenario), options.concurrencyOf(scenario));
    };
  }

  private static Path createTemporaryFolder() {
    try {
      return Files.createTempDirectory("durabletask-bench-");
    } catch (IOException e) {
      throw new UncheckedIOException("Expected to create a temporary data folder, but: " + e, e);
    }
  }
}
