package io.durabletask.kafka.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** The command line of the bench; {@link #parse} reads and checks it. */
@Command(
    name = "bench",
    sortOptions = false,
    description =
        "Runs Durable Task workloads through the Java SDK against a host in this process (embedded"
            + " Kafka broker, local page files), after baselines of the raw broker and page store,"
            + " and prints one row per workload and mode. See docs/performance.md.")
final class BenchOptions {
  static final String ALL_WORKLOADS =
      "hello-sequence-3,hello-sequence-5,fan-out-fan-in-100,payload-sweep";

  @Option(
      names = "--workloads",
      split = ",",
      paramLabel = "NAME",
      defaultValue = ALL_WORKLOADS,
      description = "Workloads to run, comma separated (default: ${DEFAULT-VALUE}).")
  List<String> workloadNames;

  @Option(
      names = "--modes",
      split = ",",
      paramLabel = "MODE",
      defaultValue = "latency,throughput",
      description = "Modes to run each workload in, comma separated (default: ${DEFAULT-VALUE}).")
  List<String> modeNames;

  @Option(
      names = "--latency-runs",
      defaultValue = "500",
      description = "Instances run one at a time in latency mode (default: ${DEFAULT-VALUE}).")
  int latencyRuns;

  @Option(
      names = "--instances",
      description =
          "Instances of every workload in throughput mode (default: 10000; fan-out-fan-in-100"
              + " 1000; payloads of 100 KB 2000, of 1 MB 500).")
  Integer instances;

  @Option(
      names = "--concurrency",
      description =
          "Instances at once in throughput mode (default: 1000; payloads of 100 KB 335, of 1 MB"
              + " 33, so that the heap holds what they carry).")
  Integer concurrency;

  @Option(
      names = "--workers",
      defaultValue = "16",
      description = "SDK workers connected to the host (default: ${DEFAULT-VALUE}).")
  int workers;

  @Option(
      names = "--warmup-seconds",
      defaultValue = "90",
      description =
          "Seconds of hello-sequence-3 at throughput before measuring (default: ${DEFAULT-VALUE}).")
  int warmupSeconds;

  @Option(
      names = "--partitions",
      defaultValue = "12",
      description = "Partitions of the task hub (default: ${DEFAULT-VALUE}).")
  int partitions;

  @Option(
      names = "--baseline-records",
      defaultValue = "200000",
      description = "Records of the raw Kafka baseline (default: ${DEFAULT-VALUE}).")
  int baselineRecords;

  @Option(
      names = "--data-dir",
      description = "Data folder of the host (default: a new temporary folder, deleted after).")
  Path dataDir;

  @Option(names = "--json", description = "Print one JSON document instead of the table.")
  boolean json;

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help and exit.")
  boolean help;

  private List<Workload> workloads;
  private List<Mode> modes;

  /**
   * Reads the arguments.
   *
   * @throws ParameterException saying which option is wrong and what it accepts
   */
  static BenchOptions parse(String... args) {
    BenchOptions options = new BenchOptions();
    CommandLine commandLine = new CommandLine(options);
    commandLine.parseArgs(args);
    if (!options.help) {
      options.check(commandLine);
    }
    return options;
  }

  /** The usage text of the command. */
  static String usage() {
    return new CommandLine(new BenchOptions()).getUsageMessage();
  }

  boolean helpRequested() {
    return help;
  }

  List<Workload> workloads() {
    return workloads;
  }

  List<Mode> modes() {
    return modes;
  }

  /** The scenarios of the chosen workloads, in order. */
  List<Scenario> scenarios() {
    return workloads.stream().flatMap(workload -> workload.scenarios().stream()).toList();
  }

  /** How many instances a scenario runs in throughput mode. */
  int instancesOf(Scenario scenario) {
    return instances != null ? instances : scenario.defaultInstances();
  }

  /** How many instances a scenario runs at once in throughput mode. */
  int concurrencyOf(Scenario scenario) {
    return concurrency != null ? concurrency : scenario.defaultConcurrency();
  }

  Settings settings() {
    return new Settings(
        workloads.stream().map(Workload::cliName).toList(),
        modes.stream().map(Mode::cliName).toList(),
        latencyRuns,
        instances,
        concurrency,
        workers,
        warmupSeconds,
        partitions,
        baselineRecords);
  }

  private void check(CommandLine commandLine) {
    workloads = named(commandLine, "--workloads", workloadNames, Workload::byName, Workload::names);
    modes = named(commandLine, "--modes", modeNames, Mode::byName, Mode::names);
    atLeast(commandLine, "--latency-runs", latencyRuns, 1);
    atLeast(commandLine, "--instances", instances == null ? 1 : instances, 1);
    atLeast(commandLine, "--concurrency", concurrency == null ? 1 : concurrency, 1);
    atLeast(commandLine, "--workers", workers, 1);
    atLeast(commandLine, "--warmup-seconds", warmupSeconds, 0);
    atLeast(commandLine, "--partitions", partitions, 1);
    atLeast(commandLine, "--baseline-records", baselineRecords, 1);
  }

  private static <T> List<T> named(
      CommandLine commandLine,
      String option,
      List<String> names,
      Function<String, Optional<T>> byName,
      Supplier<String> known) {
    List<T> found = new ArrayList<>();
    for (String name : names) {
      String trimmed = name.trim();
      T value =
          byName
              .apply(trimmed)
              .orElseThrow(
                  () ->
                      new ParameterException(
                          commandLine,
                          "Expected "
                              + option
                              + " to list some of "
                              + known.get()
                              + ", but got '"
                              + trimmed
                              + "'"));
      if (!found.contains(value)) {
        found.add(value);
      }
    }
    return found;
  }

  private static void atLeast(CommandLine commandLine, String option, int value, int minimum) {
    if (value < minimum) {
      throw new ParameterException(
          commandLine, "Expected " + option + " to be at least " + minimum + ", but got " + value);
    }
  }
}
