package io.durabletask.kafka.samples;

import com.microsoft.durabletask.DurableTaskClient;
import com.microsoft.durabletask.DurableTaskGrpcClientBuilder;
import com.microsoft.durabletask.DurableTaskGrpcWorker;
import com.microsoft.durabletask.DurableTaskGrpcWorkerBuilder;
import com.microsoft.durabletask.OrchestrationMetadata;
import com.microsoft.durabletask.OrchestrationRuntimeStatus;
import io.durabletask.kafka.host.Host;
import io.durabletask.kafka.host.HostConfig;
import io.durabletask.kafka.host.HostStartupException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The demo: starts a host on the embedded default in this process, runs the sample application
 * against it through the Java SDK, and prints the outputs and the burst throughput. The console
 * shows only warnings and errors besides, see {@link #showOnlyWarnings}.
 *
 * <p>Arguments: {@code [data folder] [burst size]}, defaults {@code data/demo} and 1000.
 */
public final class DemoMain {
  private static final Duration WAIT = Duration.ofMinutes(5);
  private static final int BURST_CONCURRENCY = 64;
  private static final String SLF4J_DEFAULT_LEVEL = "org.slf4j.simpleLogger.defaultLogLevel";

  private DemoMain() {}

  /**
   * The Java SDK's loggers, held so that their level stays set. At INFO they report each
   * connection, and the worker's close makes its thread report the endpoint as unavailable: the SDK
   * 1.5.0 closes the worker's channel but leaves its thread retrying.
   */
  private static final Logger SDK_LOGGER = Logger.getLogger("com.microsoft.durabletask");

  public static void main(String[] args) throws Exception {
    showOnlyWarnings();
    // The Java SDK 1.5.0 bundles protobuf classes of an older generator; each one warns once.
    System.setProperty("com.google.protobuf.use_unsafe_pre22_gencode", "true");
    Path dataDir = Path.of(args.length > 0 ? args[0] : "data/demo");
    int burst = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
    Host host;
    try {
      host = Host.start(HostConfig.defaults(dataDir).withPort(0));
    } catch (HostStartupException e) {
      System.err.println("durabletask-kafka: " + e.getMessage());
      System.exit(2);
      return;
    }
    long startedMillis = ManagementFactory.getRuntimeMXBean().getStartTime();
    System.out.printf(
        "Host serving on 127.0.0.1:%d, %d ms after process start%n",
        host.port(), System.currentTimeMillis() - startedMillis);
    int exitCode = runSamples(host.port(), burst);
    host.close();
    System.exit(exitCode);
  }

  /**
   * Keeps the console to the demo's results and the warnings and errors of the host and the SDK.
   * Levels given with {@code -Dorg.slf4j.simpleLogger.defaultLogLevel} still apply.
   */
  private static void showOnlyWarnings() {
    if (System.getProperty(SLF4J_DEFAULT_LEVEL) == null) {
      System.setProperty(SLF4J_DEFAULT_LEVEL, "warn");
    }
    SDK_LOGGER.setLevel(Level.WARNING);
  }

  private static int runSamples(int port, int burst) throws Exception {
    DurableTaskGrpcWorker worker =
        SampleOrchestrations.register(new DurableTaskGrpcWorkerBuilder().port(port)).build();
    worker.start();
    DurableTaskClient client = new DurableTaskGrpcClientBuilder().port(port).build();
    try {
      printResult("City greetings", run(client, SampleOrchestrations.HELLO_CITIES, null));
      printResult(
          "Fan-out/fan-in of 100 squares", run(client, SampleOrchestrations.FAN_OUT_FAN_IN, 100));
      runBurst(client, burst);
      return 0;
    } finally {
      worker.close();
      client.close();
    }
  }

  private static OrchestrationMetadata run(DurableTaskClient client, String name, Object input)
      throws TimeoutException {
    String id = client.scheduleNewOrchestrationInstance(name, input);
    return client.waitForInstanceCompletion(id, WAIT, true);
  }

  private static void printResult(String title, OrchestrationMetadata result) {
    System.out.printf(
        "%s: %s %s%n", title, result.getRuntimeStatus(), result.getSerializedOutput());
  }

  private static void runBurst(DurableTaskClient client, int count) throws Exception {
    ExecutorService callers = Executors.newFixedThreadPool(BURST_CONCURRENCY);
    long begin = System.nanoTime();
    List<Future<OrchestrationMetadata>> results = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      results.add(callers.submit(() -> run(client, SampleOrchestrations.HELLO_CITIES, null)));
    }
    int completed = 0;
    for (Future<OrchestrationMetadata> result : results) {
      if (result.get().getRuntimeStatus() == OrchestrationRuntimeStatus.COMPLETED) {
        completed++;
      }
    }
    double seconds = (System.nanoTime() - begin) / 1e9;
    callers.shutdown();
    System.out.printf(
        "Burst: %d of %d city-greeting orchestrations completed in %.2f s: %.0f orchestrations/s%n",
        completed, count, seconds, completed / seconds);
  }
}
