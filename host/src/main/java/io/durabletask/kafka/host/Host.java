package io.durabletask.kafka.host;

import io.durabletask.kafka.engine.Engine;
import io.durabletask.kafka.engine.EngineConfig;
import io.durabletask.kafka.engine.partition.CheckpointPolicy;
import io.durabletask.kafka.engine.partition.CommitPolicy;
import io.durabletask.kafka.engine.storage.StorageException;
import io.durabletask.kafka.engine.storage.TaskHubStore;
import io.durabletask.kafka.engine.transport.LargeRecordStore;
import io.durabletask.kafka.engine.transport.TransportException;
import io.durabletask.kafka.host.grpc.SidecarService;
import io.durabletask.kafka.host.grpc.WorkItemDispatcher;
import io.durabletask.kafka.storage.BlobStorageOptions;
import io.durabletask.kafka.storage.BlobTaskHubStore;
import io.durabletask.kafka.storage.LocalLargeRecordStore;
import io.durabletask.kafka.transport.EmbeddedKafkaBroker;
import io.durabletask.kafka.transport.KafkaTransport;
import io.durabletask.kafka.transport.KafkaTransport.ClusterCheck;
import io.durabletask.kafka.transport.KafkaTransportConfig;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One host process: the task hub's storage, the Kafka transport (with the embedded broker by
 * default), the engine running this host's partitions, and the sidecar gRPC endpoint.
 *
 * <p>Startup checks what could go wrong before it writes anything: every setting must be valid
 * ({@link HostConfig#requireValid}), the data folder writable, the address one of this machine's
 * and the gRPC port free there, Kafka must answer within {@link #KAFKA_CHECK_TIMEOUT} with no topic
 * of the hub at another partition count, and only then is the task hub created in storage, or
 * checked to have the configured partition count.
 *
 * <p>The host joins the hosts group as a static member under the id kept in its data folder (see
 * {@link HostIdentity}), so a host restarted on the same folder, after a crash too, takes its
 * partitions back at once.
 *
 * <p>Record values too large for one Kafka record go through the large-record store in {@code
 * <data>/hubs/<hub>/large}; every hour the host deletes the values older than {@link
 * HostConfig#largeRecordRetention()}.
 *
 * <p>The host's meters ({@link #meters()}) count the page-blob writes of its storage and the
 * records its transport sends.
 */
public final class Host implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Host.class);
  private static final long READY_TIMEOUT_MILLIS = 120_000;
  private static final long WAIT_NOTICE_MILLIS = 5_000;
  private static final Duration KAFKA_CHECK_TIMEOUT = Duration.ofSeconds(10);
  private static final String BIND_ADVICE =
      "Use 127.0.0.1 to serve this machine only, 0.0.0.0 to serve every interface, or one of this"
          + " machine's addresses.";
  private static final long LARGE_RECORD_CLEANUP_PERIOD_MINUTES = 60;

  private final HostConfig config;
  private final WorkItemDispatcher dispatcher = new WorkItemDispatcher();
  private final MeterRegistry meters = new SimpleMeterRegistry();
  private final CompletableFuture<String> failure = new CompletableFuture<>();
  private String bootstrapServers;
  private TaskHubStore store;
  private LargeRecordStore largeRecords;
  private ScheduledExecutorService largeRecordCleanup;
  private EmbeddedKafkaBroker broker;
  private HostIdentity identity;
  private Engine engine;
  private Server server;
  private boolean createdDataDir;
  private ServerSocket portReservation;

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
      host.closeAfterFailedStart();
      throw new HostStartupException(e.getMessage(), e);
    } catch (RuntimeException e) {
      host.closeAfterFailedStart();
      throw e;
    }
  }

  /** Closes what started, and removes the data folder again when this start made it empty. */
  private void closeAfterFailedStart() {
    close();
    if (!createdDataDir) {
      return;
    }
    try (Stream<Path> entries = Files.list(config.dataDir())) {
      if (entries.findAny().isEmpty()) {
        Files.delete(config.dataDir());
      }
    } catch (IOException e) {
      log.debug("could not remove the empty data folder {}: {}", config.dataDir(), e.toString());
    }
  }

  private void startComponents() {
    long begin = System.nanoTime();
    config.requireValid();
    portReservation = requireBindable(config.address(), config.port());
    createdDataDir = !Files.exists(config.dataDir());
    requireWritable(config.dataDir());
    bootstrapServers = startBrokerIfEmbedded();
    ClusterCheck cluster =
        KafkaTransport.checkCluster(transportConfig(bootstrapServers), KAFKA_CHECK_TIMEOUT);
    store =
        BlobTaskHubStore.local(
            config.dataDir().resolve("hubs"), BlobStorageOptions.defaults(), meters);
    requireStorageOfTheTopics(cluster);
    store.createOrCheck(config.hubName(), config.partitionCount());
    // TODO(#3): hosts on several machines need a shared large-record store (Azure blobs below the
    // hub's container); a local folder serves only the hosts that share this data folder.
    largeRecords = LocalLargeRecordStore.forHub(config.dataDir().resolve("hubs"), config.hubName());
    largeRecordCleanup = scheduleLargeRecordCleanup();
    identity = HostIdentity.claim(config.dataDir());
    KafkaTransport transport =
        new KafkaTransport(
            transportConfig(bootstrapServers).withGroupInstanceId(identity.id()),
            largeRecords,
            meters);
    transport.fenced().thenAccept(this::failFenced);
    engine = new Engine(engineConfig(), transport, store, dispatcher);
    engine.start();
    if (cluster.partitionsTopicRecords() == 0) {
      engine.markInputs();
    }
    closeQuietly(portReservation);
    server = startServer();
    awaitPartitions();
    log.info(
        "[hub {}] serving the Durable Task sidecar on {}:{} as host {} after {} ms",
        config.hubName(),
        config.address(),
        port(),
        identity.id(),
        (System.nanoTime() - begin) / 1_000_000);
  }

  private void failFenced(String reason) {
    failure.complete(
        reason
            + ". The other host took this host's id from "
            + config.dataDir().toAbsolutePath().resolve("host-ids")
            + ", as a copy of a data folder does; give each host a data folder of its own.");
  }

  /**
   * Topics that hold records belong to a task hub that ran before, and its state lives in its
   * storage: a host that would create the hub in storage anew would read those records again from
   * the start, on top of an empty state, and run the hub's instances a second time.
   */
  private void requireStorageOfTheTopics(ClusterCheck cluster) {
    if (cluster.partitionsTopicRecords() == 0 || store.exists(config.hubName())) {
      return;
    }
    throw new HostStartupException(
        "Expected the storage of task hub '"
            + config.hubName()
            + "' in "
            + config.dataDir().toAbsolutePath().resolve("hubs")
            + ", since its topic '"
            + config.hubName()
            + ".partitions' on "
            + bootstrapServers
            + " holds "
            + cluster.partitionsTopicRecords()
            + " records, but the storage has no such task hub. Hosts of one task hub share its"
            + " storage: start this host on the hub's data folder (with local files, the folder of"
            + " the host that created it), or delete the hub's topics to start it anew.");
  }

  private String startBrokerIfEmbedded() {
    if (!config.usesEmbeddedBroker()) {
      return config.bootstrapServers();
    }
    broker = EmbeddedKafkaBroker.start(config.dataDir().resolve("kafka"));
    return broker.bootstrapServers();
  }

  private EngineConfig engineConfig() {
    return new EngineConfig(
        config.hubName(),
        config.partitionCount(),
        CheckpointPolicy.DEFAULT,
        CommitPolicy.DEFAULT,
        EngineConfig.defaultInstanceCacheBytes(),
        engineClock(),
        config.clientRouting());
  }

  private LongSupplier engineClock() {
    if (config.clockOffsetFile() == null) {
      return System::currentTimeMillis;
    }
    OffsetFileClock clock = new OffsetFileClock(config.clockOffsetFile());
    log.warn(
        "[hub {}] the engine's clock is the system time plus the offset in {} (now {} ms): a"
            + " testing aid, not for production",
        config.hubName(),
        config.clockOffsetFile(),
        clock.offsetMillis());
    return clock;
  }

  private ScheduledExecutorService scheduleLargeRecordCleanup() {
    ScheduledExecutorService executor =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread thread = new Thread(task, "large-record-cleanup-" + config.hubName());
              thread.setDaemon(true);
              return thread;
            });
    executor.scheduleWithFixedDelay(
        this::deleteExpiredLargeRecords, 0, LARGE_RECORD_CLEANUP_PERIOD_MINUTES, TimeUnit.MINUTES);
    return executor;
  }

  private void deleteExpiredLargeRecords() {
    try {
      Instant cutoff = Instant.now().minus(config.largeRecordRetention());
      int deleted = largeRecords.deleteOlderThan(cutoff);
      if (deleted > 0) {
        log.info(
            "[hub {}] deleted {} large records put before {}", config.hubName(), deleted, cutoff);
      }
    } catch (RuntimeException e) {
      log.warn(
          "[hub {}] expected to delete expired large records in {}, but: {}",
          config.hubName(),
          largeRecords.location(),
          e.toString());
    }
  }

  private KafkaTransportConfig transportConfig(String bootstrap) {
    return KafkaTransportConfig.of(bootstrap, config.hubName())
        .withPartitionCount(config.partitionCount());
  }

  private Server startServer() {
    try {
      return NettyServerBuilder.forAddress(new InetSocketAddress(config.address(), config.port()))
          .addService(new SidecarService(engine, dispatcher, config.maxPayloadBytes()))
          // Every handler returns at once and answers when its future completes, so calls run on
          // the transport's threads without a hand-off to an executor.
          .directExecutor()
          .maxInboundMessageSize(config.maxMessageBytes())
          .build()
          .start();
    } catch (IOException e) {
      throw new HostStartupException(portInUseMessage(config.address(), config.port()), e);
    }
  }

  /**
   * Waits until every partition runs here, which a single host on the embedded broker may expect.
   * Says every {@value #WAIT_NOTICE_MILLIS} ms what it waits for, so that a slow start is not
   * silent.
   */
  private void awaitPartitions() {
    if (!config.usesEmbeddedBroker()) {
      return;
    }
    long begin = System.currentTimeMillis();
    long nextNotice = begin + WAIT_NOTICE_MILLIS;
    while (engine.runningPartitions().size() < config.partitionCount()) {
      long now = System.currentTimeMillis();
      if (now > begin + READY_TIMEOUT_MILLIS) {
        throw new HostStartupException(
            "Expected all "
                + config.partitionCount()
                + " partitions to run within "
                + READY_TIMEOUT_MILLIS / 1000
                + " s, but only "
                + engine.runningPartitions().size()
                + " do; see the log for the partitions' errors");
      }
      if (now >= nextNotice) {
        logWaitingForPartitions(now - begin);
        nextNotice += WAIT_NOTICE_MILLIS;
      }
      sleep(10);
    }
  }

  private void logWaitingForPartitions(long waitedMillis) {
    log.warn(
        "[hub {}] waiting for partitions: {} of {} run after {} s; the others are still being"
            + " assigned by the hosts group '{}.hosts' or recovered. A host that stopped without"
            + " leaving the group keeps its partitions until its session times out.",
        config.hubName(),
        engine.runningPartitions().size(),
        config.partitionCount(),
        waitedMillis / 1000,
        config.hubName());
  }

  /** The port the gRPC endpoint listens on. */
  public int port() {
    return server == null ? config.port() : server.getPort();
  }

  /** The Kafka cluster the host uses: the embedded broker's address, or the configured one. */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** The counters of this host's storage and transport. */
  /**
   * Completes with a message for the operator when this host can no longer serve its task hub
   * (another host took its place in the hosts group); it never completes otherwise. Close the host
   * then.
   */
  public CompletableFuture<String> failure() {
    return failure;
  }

  public MeterRegistry meters() {
    return meters;
  }

  public Engine engine() {
    return engine;
  }

  public HostConfig config() {
    return config;
  }

  /**
   * Stops serving, then stops partitions, transport (leaving the hosts group), broker and storage,
   * in that order.
   */
  @Override
  public void close() {
    closeQuietly(portReservation);
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
    if (identity != null) {
      identity.close();
    }
    if (largeRecordCleanup != null) {
      largeRecordCleanup.shutdownNow();
    }
    if (largeRecords != null) {
      largeRecords.close();
    }
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

  /**
   * Checks that the endpoint can listen on {@code address:port}: the address resolves, belongs to
   * this machine, and the port is free there; the port stays bound until the endpoint starts.
   */
  private static ServerSocket requireBindable(String address, int port) {
    InetAddress resolved = resolve(address);
    requireLocal(address, resolved);
    return reservePort(address, resolved, port);
  }

  private static InetAddress resolve(String address) {
    try {
      return InetAddress.getByName(address);
    } catch (UnknownHostException | SecurityException e) {
      throw new HostStartupException(
          "Expected --address to be a name or IP address of this machine, but '"
              + address
              + "' is neither an IP address nor a name that resolves. "
              + BIND_ADVICE,
          e);
    }
  }

  /** Binding a free port fails only for an address that no interface of this machine has. */
  private static void requireLocal(String address, InetAddress resolved) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(resolved, 0));
    } catch (IOException e) {
      throw new HostStartupException(
          "Expected --address to be an address of this machine, but no interface has "
              + describe(address, resolved)
              + " ("
              + e.getMessage()
              + "). "
              + BIND_ADVICE,
          e);
    }
  }

  /**
   * Binds the port until the endpoint takes it over, so that nothing this host starts meanwhile
   * (the embedded broker's own listener, which takes a free port) can get it first.
   *
   * @return the bound socket, or null for port 0 (any free port)
   */
  private static ServerSocket reservePort(String address, InetAddress resolved, int port) {
    if (port == 0) {
      return null;
    }
    ServerSocket socket = null;
    try {
      socket = new ServerSocket();
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(resolved, port));
      return socket;
    } catch (IOException e) {
      closeQuietly(socket);
      throw new HostStartupException(portInUseMessage(address, port), e);
    }
  }

  private static void closeQuietly(ServerSocket socket) {
    if (socket == null) {
      return;
    }
    try {
      socket.close();
    } catch (IOException e) {
      log.debug("could not close the port reservation: {}", e.toString());
    }
  }

  private static String describe(String address, InetAddress resolved) {
    String ip = resolved.getHostAddress();
    return ip.equals(address) ? ip : "'" + address + "' (" + ip + ")";
  }

  private static String portInUseMessage(String address, int port) {
    return "Expected to serve gRPC on "
        + address
        + ":"
        + port
        + ", but the port is in use. Stop the other process or choose another port with --port.";
  }

  /**
   * The system time plus an offset in milliseconds read from a file, for tests that move time
   * forward (see {@link Main#clockOffsetFile}). The file holds one decimal number. It is read again
   * at most every {@value #REREAD_NANOS} ns, by whichever caller finds it due, so the many calls of
   * the partition loops stay cheap. A missing or empty file keeps the last offset (0 at first): a
   * writer that truncates the file before it writes does not send time back. A file that cannot be
   * read or parsed keeps it too, with a warning.
   */
  static final class OffsetFileClock implements LongSupplier {
    private static final long REREAD_NANOS = 50_000_000;

    private final Path file;
    private final AtomicLong nextReadNanos = new AtomicLong(System.nanoTime());
    private volatile long offsetMillis;

    OffsetFileClock(Path file) {
      this.file = file;
      this.offsetMillis = readOffset(0);
    }

    @Override
    public long getAsLong() {
      long nowNanos = System.nanoTime();
      long due = nextReadNanos.get();
      if (nowNanos - due >= 0 && nextReadNanos.compareAndSet(due, nowNanos + REREAD_NANOS)) {
        offsetMillis = readOffset(offsetMillis);
      }
      return System.currentTimeMillis() + offsetMillis;
    }

    long offsetMillis() {
      return offsetMillis;
    }

    private long readOffset(long previous) {
      try {
        String text = Files.readString(file).trim();
        return text.isEmpty() ? previous : Long.parseLong(text);
      } catch (NoSuchFileException e) {
        return previous;
      } catch (IOException | NumberFormatException e) {
        log.warn(
            "Expected a clock offset in milliseconds in {}, but: {}; keeping {} ms",
            file,
            e.toString(),
            previous);
        return previous;
      }
    }
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
