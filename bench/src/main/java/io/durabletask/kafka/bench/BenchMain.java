package io.durabletask.kafka.bench;

import io.durabletask.kafka.host.HostStartupException;
import java.io.PrintStream;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine.ParameterException;

/**
 * The benchmark command ({@code bin/bench}): see {@link BenchOptions} for the options and {@code
 * docs/performance.md} for what the report means.
 *
 * <p>Exit codes: 0 when every run completed with the expected outputs; 1 when an instance failed,
 * returned a wrong output or timed out, or a baseline failed; 2 for a bad option or a host that
 * refused to start. The report goes to standard output, progress and problems to standard error.
 */
public final class BenchMain {
  private static final String SIMPLE_LOGGER_LEVEL = "org.slf4j.simpleLogger.defaultLogLevel";

  /** Held so that its level stays: the SDK's workers log every connection at INFO. */
  private static final Logger SDK_LOG = Logger.getLogger("com.microsoft.durabletask");

  private BenchMain() {}

  public static void main(String[] args) {
    // The Java SDK 1.5.0 bundles protobuf classes of an older generator; each one warns once.
    System.setProperty("com.google.protobuf.use_unsafe_pre22_gencode", "true");
    if (System.getProperty(SIMPLE_LOGGER_LEVEL) == null) {
      System.setProperty(SIMPLE_LOGGER_LEVEL, "warn");
      SDK_LOG.setLevel(Level.WARNING);
    }
    System.exit(run(args, System.out, System.err));
  }

  /** Runs the bench with {@code args}, printing to {@code out} and {@code err}; the exit code. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    BenchOptions options;
    try {
      options = BenchOptions.parse(args);
    } catch (ParameterException e) {
      err.println("bench: " + e.getMessage());
      err.println("Run bin/bench --help for the options.");
      return 2;
    }
    if (options.helpRequested()) {
      out.print(BenchOptions.usage());
      return 0;
    }
    return runBench(options, out, err);
  }

  private static int runBench(BenchOptions options, PrintStream out, PrintStream err) {
    Machine machine = Machine.current();
    if (!options.json) {
      out.println(ReportText.header(machine, options.settings()));
    }
    try {
      Report report = new Bench(options, machine, err).run();
      out.println(
          options.json
              ? ReportJson.render(report)
              : ReportText.results(report.baselines(), report.rows()));
      return 0;
    } catch (HostStartupException e) {
      err.println("bench: the host did not start: " + e.getMessage());
      return 2;
    } catch (BenchFailure e) {
      err.println("bench: failed: " + e.getMessage());
      return 1;
    }
  }
}
