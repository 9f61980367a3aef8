package io.durabletask.kafka.samples;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A host started as its own process with the command line users run, so the test JVM never loads
 * the host's protocol classes next to the SDK's.
 */
final class HostProcess implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
  private static final Pattern HOST_ID = Pattern.compile("serving the .* as host (\\S+)");

  private final Process process;
  private final int port;
  private final Path log;

  private HostProcess(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /** Starts a host on a free port and waits until it serves. */
  static HostProcess start(Path dataDir, String... extraArgs) {
    int port = freePort();
    List<String> args = new ArrayList<>(List.of("--data-dir", dataDir.toString()));
    args.addAll(List.of("--port", Integer.toString(port)));
    args.addAll(List.of(extraArgs));
    HostProcess host =
        launch(dataDir.resolveSibling(dataDir.getFileName() + "-host.log"), args, port);
    host.awaitServing();
    return host;
  }

  /** Runs the host command to its end, for arguments that must make it refuse to start. */
  static Result runToExit(Path log, String... args) {
    HostProcess host = launch(log, List.of(args), -1);
    try {
      if (!host.process.waitFor(60, TimeUnit.SECONDS)) {
        host.process.destroyForcibly();
        throw new AssertionError("Expected the host to exit, but it kept running");
      }
      return new Result(host.process.exitValue(), Files.readString(log));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static HostProcess launch(Path log, List<String> args, int port) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx1g");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("io.durabletask.kafka.host.Main");
    command.addAll(args);
    try {
      Files.createDirectories(log.toAbsolutePath().getParent());
      Process process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      return new HostProcess(process, port, log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  int port() {
    return port;
  }

  private void awaitServing() {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError("Expected the host to serve, but it exited:\n" + readLog());
      }
      if (readLog().contains("serving the Durable Task sidecar") && accepts(port)) {
        return;
      }
      sleep(100);
    }
    close();
    throw new AssertionError(
        "Expected the host to serve within " + START_TIMEOUT + ":\n" + readLog());
  }

  String readLog() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "<no log: " + e + ">";
    }
  }

  /** Ends the host at once, as kill -9 or a power cut does: nothing is shut down cleanly. */
  void kill() {
    try {
      process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Waits for the host to end by itself, and says how it ended. */
  Result awaitExit(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        close();
        throw new AssertionError("Expected the host to exit, but it kept running:\n" + readLog());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
    return new Result(process.exitValue(), readLog());
  }

  /** The host id the host serves under, from its log. */
  String hostId() {
    Matcher matcher = HOST_ID.matcher(readLog());
    if (!matcher.find()) {
      throw new AssertionError("Expected the host to log its host id, but:\n" + readLog());
    }
    return matcher.group(1);
  }

  /** Stops the host the way Ctrl-C or a service manager does (SIGTERM), and waits. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean accepts(int port) {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** How a host process ended. */
  record Result(int exitCode, String output) {}
}
