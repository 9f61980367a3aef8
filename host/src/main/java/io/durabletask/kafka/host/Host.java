package io.durabletask.kafka.host;

import io.durabletask.kafka.engine.Engine;
import io.durabletask.kafka.engine.EngineConfig;
import io.durabletask.kafka.engine.storage.StorageException;
import io.durabletask.kafka.engine.storage.TaskHubStore;
import io.durabletask.kafka.engine.transport.TransportException;
import io.durabletask.kafka.host.grpc.SidecarService;
import io.durabletask.kafka.host.grpc.WorkItemDispatcher;
import io.durabletask.kafka.storage.BlobTaskHubStore;
import io.durabletask.kafka.transport.EmbeddedKafkaBroker;
import io.durabletask.kafka.transport.KafkaTransport;
import io.durabletask.kafka.transport.KafkaTransportConfig;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One host process: the task hub's storage, the Kafka transport (with the embedded broker by
 * default), the engine running this host's partitions, and the sidecar gRPC endpoint.
 *
 * <p>Startup checks what could go wrong before it writes anything: the data folder must be
 * writable, the gRPC port free, and the task hub in storage must have the configured partition
 * count.
 */
public final class Host implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Host.class);
  private static final long READY_TIMEOUT_MILLIS = 120_000;

  private final HostConfig config;
  private final WorkItemDispatcher dispatcher = new WorkItemDispatcher();
  private TaskHubStore store;
  private EmbeddedKafkaBroker broker;
  private Engine engine;
  private Server server;

  private Host(HostConfig config) {
    this.config = config;
  }

  /**
   * Starts a host and returns once it serves gRPC and runs its partitions.
   *
   * @throws HostStartupException with a message for the operator
   */
  public static Host start(HostConfig config) {
    Host host = new Host(config);
    try {
      host.startComponents();
      return host;
    } catch (StorageException | TransportException e) {
      host.close();
      throw new HostStartupException(e.getMessage(), e);
    } catch (RuntimeException e) {
      host.close();
      throw e;
    }
  }

  private void startComponents() {
    long begin = System.nanoTime();
    requireWritable(config.dataDir());
    requirePortFree(config.address(), config.port());
    store = BlobTaskHubStore.local(config.dataDir().resolve("hubs"));
    store.createOrCheck(config.hubName(), config.partitionCount());
    String bootstrap = startBrokerIfEmbedded();
    engine =
        new Engine(
            engineConfig(), new KafkaTransport(transportConfig(bootstrap)), store, dispatcher);
    engine.start();
    server = startServer();
    awaitPartitions();
    log.info(
        "[hub {}] serving the Durable Task sidecar on {}:{} after {} ms",
        config.hubName(),
        config.address(),
        port(),
        (System.nanoTime() - begin) / 1_000_000);
  }

  private String startBrokerIfEmbedded() {
    if (!config.usesEmbeddedBroker()) {
      return config.bootstrapServers();
    }
    broker = EmbeddedKafkaBroker.start(config.dataDir().resolve("kafka"));
    return broker.bootstrapServers();
  }

  private EngineConfig engineConfig() {
    return EngineConfig.of(config.hubName(), config.partitionCount());
  }

  private KafkaTransportConfig transportConfig(String bootstrap) {
    return KafkaTransportConfig.of(bootstrap, config.hubName())
        .withPartitionCount(config.partitionCount());
  }

  private Server startServer() {
    try {
      return NettyServerBuilder.forAddress(new InetSocketAddress(config.address(), config.port()))
          .addService(new SidecarService(engine, dispatcher, config.maxPayloadBytes()))
          .maxInboundMessageSize(Math.max(4 * 1024 * 1024, 2 * config.maxPayloadBytes()))
          .build()
          .start();
    } catch (IOException e) {
      throw new HostStartupException(portInUseMessage(config.address(), config.port()), e);
    }
  }

  private void awaitPartitions() {
    if (!config.usesEmbeddedBroker()) {
      return;
    }
    long deadline = System.currentTimeMillis() + READY_TIMEOUT_MILLIS;
    while (engine.runningPartitions().size() < config.partitionCount()) {
      if (System.currentTimeMillis() > deadline) {
        throw new HostStartupException(
            "Expected all "
                + config.partitionCount()
                + " partitions to run within "
                + READY_TIMEOUT_MILLIS / 1000
                + " s, but only "
                + engine.runningPartitions().size()
                + " do; see the log for the partitions' errors");
      }
      sleep(10);
    }
  }

  /** The port the gRPC endpoint listens on. */
  public int port() {
    return server == null ? config.port() : server.getPort();
  }

  public Engine engine() {
    return engine;
  }

  public HostConfig config() {
    return config;
  }

  /** Stops serving, then stops partitions, transport, broker and storage, in that order. */
  @Override
  public void close() {
    if (server != null) {
      server.shutdown();
    }
    dispatcher.closeAll();
    if (engine != null) {
      engine.close();
    } else if (store != null) {
      store.close();
    }
    awaitServer();
    if (broker != null) {
      broker.close();
    }
  }

  private void awaitServer() {
    if (server == null) {
      return;
    }
    try {
      if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
        server.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      server.shutdownNow();
    }
  }

  private static void requireWritable(Path dataDir) {
    try {
      Files.createDirectories(dataDir);
      Path probe = Files.createTempFile(dataDir, ".write-check", ".tmp");
      Files.delete(probe);
    } catch (IOException | SecurityException e) {
      throw new HostStartupException(
          "Expected the data folder '"
              + dataDir.toAbsolutePath()
              + "' to be writable, but it is not ("
              + e
              + "). Choose another folder with --data-dir or fix its permissions.",
          e);
    }
  }

  private static void requirePortFree(String address, int port) {
    if (port == 0) {
      return;
    }
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(address, port));
    } catch (IOException e) {
      throw new HostStartupException(portInUseMessage(address, port), e);
    }
  }

  private static String portInUseMessage(String address, int port) {
    return "Expected to serve gRPC on "
        + address
        + ":"
        + port
        + ", but the port is in use. Stop the other process or choose another port with --port.";
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HostStartupException("interrupted while starting", e);
    }
  }
}
