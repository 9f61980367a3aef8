package io.durabletask.kafka.samples;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A scenario script of {@code samples/js} run by the machine's {@code node} against a host's port.
 * The script drives the unchanged Durable Task JS SDK, prints JSON lines on stdout (its last line
 * is the result, with {@code "passed"}), and exits non-zero when a check failed. Its stderr goes to
 * {@code target/js-logs}.
 */
final class JsScript implements AutoCloseable {
  private static final Path PROJECT = Path.of("js").toAbsolutePath();
  private static final Path LOGS = Path.of("target", "js-logs").toAbsolutePath();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final AtomicInteger RUNS = new AtomicInteger();

  private final String script;
  private final Process process;
  private final Path stderr;
  private final List<String> stdout = new CopyOnWriteArrayList<>();
  private final Thread reader;

  private JsScript(String script, Process process, Path stderr) {
    this.script = script;
    this.process = process;
    this.stderr = stderr;
    this.reader = new Thread(this::readStdout, "js-" + script);
    reader.setDaemon(true);
    reader.start();
  }

  /** Runs a script to its end and returns its result, failing when the script did not pass. */
  static JsonNode run(String script, int port, Duration timeout, String... args) {
    try (JsScript js = start(script, port, args)) {
      return js.awaitResult(timeout);
    }
  }

  /** Starts {@code scenarios/<script>.js} with the host's port and further arguments. */
  static JsScript start(String script, int port, String... args) {
    requireInstalledSdk();
    List<String> command = new ArrayList<>(List.of("node", "scenarios/" + script + ".js"));
    command.add(Integer.toString(port));
    command.addAll(List.of(args));
    Path stderr = LOGS.resolve(script + "-" + RUNS.incrementAndGet() + ".stderr.log");
    try {
      Files.createDirectories(LOGS);
      Process process =
          new ProcessBuilder(command)
              .directory(PROJECT.toFile())
              .redirectError(stderr.toFile())
              .start();
      return new JsScript(script, process, stderr);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void requireInstalledSdk() {
    Path sdk = PROJECT.resolve("node_modules/@microsoft/durabletask-js");
    if (!Files.isDirectory(sdk)) {
      throw new IllegalStateException(
          "Expected the JS SDK in "
              + sdk
              + " (npm installs it before the tests), but it is missing");
    }
  }

  /** Waits for a stdout JSON line that has the given field, such as a worker's "ready". */
  JsonNode awaitLine(String field, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      Optional<JsonNode> line = jsonLines().stream().filter(node -> node.has(field)).findFirst();
      if (line.isPresent()) {
        return line.get();
      }
      if (!process.isAlive() && !reader.isAlive()) {
        throw new AssertionError(
            "Expected " + script + " to print '" + field + "', but it exited:\n" + output());
      }
      sleep(50);
    }
    throw new AssertionError(
        "Expected " + script + " to print '" + field + "' within " + timeout + ":\n" + output());
  }

  /** Closes the script's stdin, the signal for long-running scripts to finish. */
  void closeInput() {
    try {
      process.getOutputStream().close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits for the script to exit and returns its result line, failing when it did not pass. */
  JsonNode awaitResult(Duration timeout) {
    awaitExit(timeout);
    List<JsonNode> lines = jsonLines();
    JsonNode result = lines.isEmpty() ? null : lines.get(lines.size() - 1);
    if (process.exitValue() != 0 || result == null || !result.path("passed").asBoolean()) {
      throw new AssertionError(
          "Expected "
              + script
              + " to pass, but it exited with "
              + process.exitValue()
              + ":\n"
              + output());
    }
    return result;
  }

  private void awaitExit(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        throw new AssertionError(
            "Expected "
                + script
                + " to finish within "
                + timeout
                + ", but it ran on:\n"
                + output());
      }
      reader.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private List<JsonNode> jsonLines() {
    List<JsonNode> nodes = new ArrayList<>();
    for (String line : stdout) {
      parse(line).ifPresent(nodes::add);
    }
    return nodes;
  }

  private static Optional<JsonNode> parse(String line) {
    if (!line.startsWith("{")) {
      return Optional.empty();
    }
    try {
      return Optional.of(JSON.readTree(line));
    } catch (JsonProcessingException e) {
      return Optional.empty();
    }
  }

  private void readStdout() {
    try (BufferedReader lines =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        stdout.add(line);
      }
    } catch (IOException e) {
      stdout.add("<stdout unreadable: " + e + ">");
    }
  }

  private String output() {
    String errors;
    try {
      errors = Files.readString(stderr);
    } catch (IOException e) {
      errors = "<no stderr: " + e + ">";
    }
    return "stdout:\n" + String.join("\n", stdout) + "\nstderr (" + stderr + "):\n" + errors;
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
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
}
