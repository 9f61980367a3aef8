package io.durabletask.kafka.host;

import io.durabletask.kafka.engine.EngineConfig.ClientRouting;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/** The command line of the host. */
@Command(
    name = "durabletask-kafka",
    mixinStandardHelpOptions = true,
    description =
        "Runs a Durable Task host: the sidecar gRPC endpoint for the Durable Task SDKs, on Kafka"
            + " partitions and page files. Without --bootstrap-servers it starts an embedded"
            + " Kafka broker in its data folder.")
public final class Main implements Callable<Integer> {
  private static final String PREFIX = "durabletask-kafka: ";
  private static final int EXIT_REFUSED = 2;
  private static final int EXIT_FAILED = 1;

  /** Kafka's own limit for log.retention.hours, which is an int. */
  private static final long MAX_RETENTION_HOURS = Integer.MAX_VALUE;

  @Option(
      names = "--data-dir",
      defaultValue = "data",
      description = "Data folder of this host (default: ${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(
      names = "--address",
      defaultValue = HostConfig.DEFAULT_ADDRESS,
      description = "Address the gRPC endpoint binds to (default: ${DEFAULT-VALUE}).")
  String address;

  @Option(
      names = "--port",
      defaultValue = "4001",
      description = "Port of the gRPC endpoint (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--task-hub",
      defaultValue = HostConfig.DEFAULT_HUB,
      description = "Name of the task hub (default: ${DEFAULT-VALUE}).")
  String hubName;

  @Option(
      names = "--partitions",
      defaultValue = "" + HostConfig.DEFAULT_PARTITION_COUNT,
      description =
          "Partition count of the task hub, fixed at creation (default: ${DEFAULT-VALUE}).")
  int partitions;

  @Option(
      names = "--bootstrap-servers",
      description =
          "Kafka bootstrap servers; when absent an embedded broker runs in the data folder.")
  String bootstrapServers;

  @Option(
      names = "--max-payload-bytes",
      defaultValue = "" + HostConfig.DEFAULT_MAX_PAYLOAD_BYTES,
      description = "Largest input, output or event accepted (default: ${DEFAULT-VALUE}).")
  int maxPayloadBytes;

  @Option(
      names = "--max-message-bytes",
      defaultValue = "" + HostConfig.DEFAULT_MAX_MESSAGE_BYTES,
      description =
          "Largest gRPC message the endpoint accepts; must exceed --max-payload-bytes"
              + " (default: ${DEFAULT-VALUE}).")
  int maxMessageBytes;

  @Option(
      names = "--large-record-retention-hours",
      defaultValue = "" + HostConfig.DEFAULT_LARGE_RECORD_RETENTION_HOURS,
      description =
          "Hours to keep values too large for one Kafka record in the large-record store, like"
              + " Kafka's log.retention.hours (default: ${DEFAULT-VALUE}).")
  long largeRecordRetentionHours;

  @Option(
      names = "--client-routing",
      defaultValue = "LOCAL",
      description =
          "How requests of this endpoint reach the partitions this host runs: LOCAL hands them"
              + " over in-process, TRANSPORT sends them through Kafka as for other hosts"
              + " (default: ${DEFAULT-VALUE}).")
  ClientRouting clientRouting;

  /**
   * A testing aid, hidden from {@code --help}: the engine's clock becomes the system time plus an
   * offset in milliseconds read from this file (one decimal number; 0 until the file holds one),
   * re-read at most every 50 ms. A test writes a larger offset to move the host's time forward, for
   * example to see a timer 60 days out fire; partitions check their timers at least once a second.
   * Only let the offset grow: time that goes back confuses timers and timestamps. Never use it in
   * production.
   */
  @Option(names = "--clock-offset-file", hidden = true)
  Path clockOffsetFile;

  @Override
  public Integer call() {
    HostConfig config =
        new HostConfig(
            dataDir,
            address,
            port,
            hubName,
            partitions,
            bootstrapServers,
            maxPayloadBytes,
            maxMessageBytes,
            largeRecordRetention(),
            clockOffsetFile,
            clientRouting);
    Host host = Host.start(config);
    AtomicBoolean closed = new AtomicBoolean();
    Runnable closeOnce =
        () -> {
          if (closed.compareAndSet(false, true)) {
            host.close();
          }
        };
    CompletableFuture<String> failure = new CompletableFuture<>();
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  closeOnce.run();
                  failure.complete(null);
                }));
    host.failure().thenAccept(failure::complete);
    String reason = awaitUninterruptibly(failure);
    if (reason == null) {
      return 0;
    }
    System.err.println(PREFIX + reason);
    closeOnce.run();
    return EXIT_FAILED;
  }

  private static String awaitUninterruptibly(CompletableFuture<String> failure) {
    try {
      return failure.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }

  private Duration largeRecordRetention() {
    if (largeRecordRetentionHours < 1 || largeRecordRetentionHours > MAX_RETENTION_HOURS) {
      throw new HostStartupException(
          "Expected --large-record-retention-hours from 1 to "
              + MAX_RETENTION_HOURS
              + ", but it is "
              + largeRecordRetentionHours
              + ". Set it to at least Kafka's retention; the default is "
              + HostConfig.DEFAULT_LARGE_RECORD_RETENTION_HOURS
              + ".");
    }
    return Duration.ofHours(largeRecordRetentionHours);
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /**
   * Runs the command. Arguments that cannot be parsed and settings the host refuses print one line
   * starting with {@code durabletask-kafka:} and give exit code {@value #EXIT_REFUSED}.
   */
  public static int run(String... args) {
    return run(new PrintWriter(System.err, true), args);
  }

  static int run(PrintWriter err, String... args) {
    CommandLine commandLine = new CommandLine(new Main());
    commandLine.setErr(err);
    commandLine.setParameterExceptionHandler(Main::refuseArguments);
    commandLine.setExecutionExceptionHandler(
        (e, line, parsed) -> {
          if (e instanceof HostStartupException) {
            line.getErr().println(PREFIX + e.getMessage());
            return EXIT_REFUSED;
          }
          throw e;
        });
    return commandLine.execute(args);
  }

  private static int refuseArguments(ParameterException e, String[] args) {
    PrintWriter err = e.getCommandLine().getErr();
    err.println(PREFIX + e.getMessage() + ". See durabletask-kafka --help for the options.");
    UnmatchedArgumentException.printSuggestions(e, err);
    return EXIT_REFUSED;
  }
}
