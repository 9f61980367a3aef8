package io.durabletask.kafka.transport;

import io.durabletask.kafka.engine.transport.TransportException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node Apache Kafka broker (KRaft, broker and controller in one) running inside this JVM.
 * It is the broker of the embedded default and of the tests.
 *
 * <p>All data lives in one folder, so a host that restarts on the same folder finds its topics and
 * records again. The folder is formatted on first use only; its {@code meta.properties} keeps the
 * cluster id from then on. The broker listens on {@code 127.0.0.1} only, on the given port or on a
 * free one. The controller port is picked afresh on every start: a single static voter elects
 * itself from {@code controller.quorum.voters}, and the format stores no controller endpoint.
 *
 * <p>States: {@link #start} locks the folder against a second broker, formats it (first use only),
 * starts the server and waits until an admin client can describe the cluster; then the broker is
 * running until {@link #close}, which shuts it down, waits for that to finish and unlocks the
 * folder. A start that fails leaves nothing running and the folder unlocked.
 *
 * <p>A restart after a crash (kill -9, power loss) first recovers what the broker had not flushed,
 * about the active segment of each partition (segments are 16 MiB), then waits for the broker
 * session of the crashed incarnation to expire, see {@link #BROKER_SESSION}.
 *
 * <p>Kafka's defaults apply where not set here, notably a retention of 7 days and no fsync per
 * record: a record survives a crash of this process, but not necessarily a crash of the machine.
 * Faults the broker treats as fatal (such as corrupted metadata) end the process, as they would end
 * a standalone broker.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

  static {
    KafkaLogging.quietUnlessConfigured();
  }

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
  private static final String HOST = "127.0.0.1";
  private static final int NODE_ID = 1;
  private static final String META_PROPERTIES = "meta.properties";
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

  /**
   * How long the controller keeps the registration of a broker that stopped heartbeating (Kafka's
   * default is 9 s). After a crash, the restarted controller gives the old registration a fresh
   * session, and the restarted broker, a new incarnation of the same node, cannot register until
   * that session has expired. Broker and controller share this process, so their heartbeats cross
   * no network; only a process starved of CPU for this long misses them, and then the broker is
   * fenced until its next heartbeat arrives.
   */
  private static final Duration BROKER_SESSION = Duration.ofSeconds(4);

  private static final Duration BROKER_HEARTBEAT = Duration.ofMillis(500);

  private final Path folder;
  private final String bootstrapServers;
  private final String clusterId;
  private final KafkaRaftServer server;
  private final FolderLock lock;
  private final Duration startupDuration;
  private boolean closed;

  private EmbeddedKafkaBroker(
      Path folder,
      String bootstrapServers,
      String clusterId,
      KafkaRaftServer server,
      FolderLock lock,
      Duration startupDuration) {
    this.folder = folder;
    this.bootstrapServers = bootstrapServers;
    this.clusterId = clusterId;
    this.server = server;
    this.lock = lock;
    this.startupDuration = startupDuration;
  }

  /** Starts a broker on a free port with its data in {@code folder}. */
  public static EmbeddedKafkaBroker start(Path folder) {
    return start(folder, 0);
  }

  /**
   * Starts a broker with its data in {@code folder}, formatting the folder when it is new.
   *
   * @param brokerPort the port clients connect to, or 0 for a free one
   * @throws TransportException when the folder cannot be formatted or the broker does not start;
   *     the message names the folder and the port
   */
  public static EmbeddedKafkaBroker start(Path folder, int brokerPort) {
    long startNanos = System.nanoTime();
    Path absoluteFolder = folder.toAbsolutePath();
    FolderLock lock = FolderLock.acquire(absoluteFolder);
    try {
      return startLocked(absoluteFolder, brokerPort, lock, startNanos);
    } catch (RuntimeException e) {
      lock.close();
      throw e;
    }
  }

  private static EmbeddedKafkaBroker startLocked(
      Path folder, int brokerPort, FolderLock lock, long startNanos) {
    int port = brokerPort == 0 ? freePort() : brokerPort;
    Map<String, String> properties = brokerProperties(folder, port, freePort());

    String clusterId = formatIfNew(folder, properties);
    KafkaRaftServer server = startServer(folder, properties);
    String bootstrapServers = HOST + ":" + port;
    awaitReady(server, bootstrapServers);

    Duration startupDuration = Duration.ofNanos(System.nanoTime() - startNanos);
    LOG.info(
        "[broker {}] Started with cluster id {} on {} in {} ms",
        folder,
        clusterId,
        bootstrapServers,
        startupDuration.toMillis());
    return new EmbeddedKafkaBroker(
        folder, bootstrapServers, clusterId, server, lock, startupDuration);
  }

  /** The address clients connect to, {@code 127.0.0.1:<port>}. */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** The cluster id, kept in the folder from its first start. */
  public String clusterId() {
    return clusterId;
  }

  /** The folder holding the broker's data. */
  public Path folder() {
    return folder;
  }

  /** How long {@link #start} took, from its call until the cluster answered. */
  public Duration startupDuration() {
    return startupDuration;
  }

  /** Shuts the broker down and waits until it has stopped. Calling it again does nothing. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    long startNanos = System.nanoTime();
    stopServer(server);
    lock.close();
    LOG.info(
        "[broker {}] Stopped in {} ms",
        folder,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
  }

  private static Map<String, String> brokerProperties(
      Path folder, int brokerPort, int controllerPort) {
    return Map.ofEntries(
        Map.entry("process.roles", "broker,controller"),
        Map.entry("node.id", Integer.toString(NODE_ID)),
        Map.entry("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort),
        Map.entry(
            "listeners",
            "PLAINTEXT://"
                + HOST
                + ":"
                + brokerPort
                + ",CONTROLLER://"
                + HOST
                + ":"
                + controllerPort),
        Map.entry("advertised.listeners", "PLAINTEXT://" + HOST + ":" + brokerPort),
        Map.entry("controller.listener.names", "CONTROLLER"),
        Map.entry("inter.broker.listener.name", "PLAINTEXT"),
        Map.entry("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"),
        Map.entry("log.dirs", folder.toString()),
        Map.entry("auto.create.topics.enable", "false"),
        Map.entry("group.initial.rebalance.delay.ms", "0"),
        Map.entry("offsets.topic.replication.factor", "1"),
        Map.entry("offsets.topic.num.partitions", "4"),
        Map.entry("transaction.state.log.replication.factor", "1"),
        Map.entry("transaction.state.log.min.isr", "1"),
        Map.entry("transaction.state.log.num.partitions", "4"),
        Map.entry("share.coordinator.state.topic.replication.factor", "1"),
        Map.entry("share.coordinator.state.topic.min.isr", "1"),
        Map.entry("log.segment.bytes", Integer.toString(16 * 1024 * 1024)),
        Map.entry("broker.session.timeout.ms", Long.toString(BROKER_SESSION.toMillis())),
        Map.entry("broker.heartbeat.interval.ms", Long.toString(BROKER_HEARTBEAT.toMillis())));
  }

  /** Formats the folder unless it holds a formatted broker already; returns the cluster id. */
  private static String formatIfNew(Path folder, Map<String, String> properties) {
    Path metaProperties = folder.resolve(META_PROPERTIES);
    if (!Files.exists(metaProperties)) {
      format(folder, properties, Uuid.randomUuid().toString());
    }
    return readClusterId(metaProperties);
  }

  private static void format(Path folder, Map<String, String> properties, String clusterId) {
    Path configFile = writeConfigFile(folder, properties);
    try {
      ByteArrayOutputStream output = new ByteArrayOutputStream();
      int exitCode = runStorageToolFormat(configFile, clusterId, output);
      if (exitCode != 0) {
        throw new TransportException(
            "Expected to format the Kafka data folder "
                + folder
                + ", but the storage tool exited with "
                + exitCode
                + ": "
                + output.toString(StandardCharsets.UTF_8).strip());
      }
      LOG.info("[broker {}] Formatted with cluster id {}", folder, clusterId);
    } finally {
      deleteQuietly(configFile);
    }
  }

  private static int runStorageToolFormat(Path configFile, String clusterId, OutputStream output) {
    String[] arguments = {
      "format", "--config", configFile.toString(), "--cluster-id", clusterId, "--ignore-formatted"
    };
    try (PrintStream printStream = new PrintStream(output, true, StandardCharsets.UTF_8)) {
      return StorageTool.execute(arguments, printStream);
    }
  }

  private static Path writeConfigFile(Path folder, Map<String, String> properties) {
    try {
      Path configFile = Files.createTempFile("embedded-kafka-", ".properties");
      Properties fileProperties = new Properties();
      fileProperties.putAll(properties);
      try (OutputStream out = Files.newOutputStream(configFile)) {
        fileProperties.store(out, "embedded Kafka broker");
      }
      return configFile;
    } catch (IOException e) {
      throw new TransportException(
          "Expected to write the broker configuration for " + folder + ", but: " + e, e);
    }
  }

  private static String readClusterId(Path metaProperties) {
    Properties properties = new Properties();
    try (InputStream in = Files.newInputStream(metaProperties)) {
      properties.load(in);
    } catch (IOException e) {
      throw new TransportException(
          "Expected to read the cluster id from " + metaProperties + ", but: " + e, e);
    }
    return properties.getProperty("cluster.id");
  }

  private static KafkaRaftServer startServer(Path folder, Map<String, String> properties) {
    KafkaRaftServer server = null;
    try {
      server = new KafkaRaftServer(new KafkaConfig(properties, false), Time.SYSTEM);
      server.startup();
      return server;
    } catch (RuntimeException e) {
      if (server != null) {
        stopServer(server);
      }
      throw new TransportException(
          "Expected to start the Kafka broker on "
              + properties.get("listeners")
              + " with data in "
              + folder
              + ", but: "
              + withRootCause(e),
          e);
    }
  }

  private static String withRootCause(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root == e ? e.getMessage() : e.getMessage() + " (caused by " + root + ")";
  }

  private static void awaitReady(KafkaRaftServer server, String bootstrapServers) {
    Map<String, Object> adminProperties =
        Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    try (Admin admin = Admin.create(adminProperties)) {
      admin.describeCluster().nodes().get(READY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      stopServer(server);
      throw new TransportException(
          "Expected the Kafka broker at "
              + bootstrapServers
              + " to answer within "
              + READY_TIMEOUT.toSeconds()
              + " s, but: "
              + e,
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stopServer(server);
      throw new TransportException("Interrupted while waiting for the Kafka broker to start", e);
    }
  }

  private static void stopServer(KafkaRaftServer server) {
    server.shutdown();
    server.awaitShutdown();
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new TransportException("Expected to find a free port on " + HOST + ", but: " + e, e);
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      LOG.debug("Could not delete {}", file, e);
    }
  }
}
