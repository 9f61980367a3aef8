package io.durabletask.kafka.transport;

import io.durabletask.kafka.engine.transport.LargeRecordStore;
import io.durabletask.kafka.engine.transport.PartitionReceiver;
import io.durabletask.kafka.engine.transport.Transport;
import io.durabletask.kafka.engine.transport.TransportException;
import io.durabletask.kafka.engine.transport.TransportListener;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Transport} over the Kafka protocol (Apache Kafka, or the Azure Event Hubs Kafka endpoint).
 *
 * <p>A task hub {@code <hub>} uses:
 *
 * <ul>
 *   <li>topic {@code <hub>.partitions} with P partitions: Kafka partition p is the input of
 *       task-hub partition p;
 *   <li>topic {@code <hub>.clients} with P partitions: a response to client c is keyed by c and
 *       goes to partition {@code murmur2(c) % P}, as Kafka's default partitioner would place it, so
 *       each client reads a single partition;
 *   <li>consumer group {@code <hub>.hosts} (classic protocol, cooperative sticky assignment): it
 *       only decides which host owns which partitions. No offsets are committed; the engine keeps
 *       each partition's input offset in its own state and passes it to {@link #startReceiving}. A
 *       host with a {@link KafkaTransportConfig#withGroupInstanceId group instance id} is a static
 *       member, which takes its partitions back at once when it restarts after a crash.
 * </ul>
 *
 * <p>Threads: one thread polls the hosts group and delivers partition input (it also runs the
 * {@link TransportListener} partition callbacks); one thread polls client responses. The futures of
 * the send methods complete on the Kafka producer's network thread, so what depends on them without
 * an executor must be quick.
 *
 * <p>Record values above {@link KafkaTransportConfig#largeRecordThreshold()} (900 KiB by default)
 * never reach the broker: the value goes to the {@link LargeRecordStore} first, durably, and the
 * record carries a small reference, which the receiving side resolves before the receiver or the
 * listener sees the record (see {@link LargeRecords}). So the send methods block while such a value
 * is stored, which keeps the order of records sent from one thread. A reference that cannot be
 * resolved is logged as an error with its key and offset, and skipped.
 *
 * <p>A failed send completes its future with a {@link TransportException} whose message says
 * whether sending again may succeed (a timeout, a broker that is away) or cannot (a record too
 * large for the topic, a principal that may not write to it, a closed transport).
 *
 * <p>Client ids must be unique among the hosts of a task hub: a host receives every response keyed
 * by its id. A client reads from the end of its partition when it starts, so responses sent while
 * it was not running are not delivered.
 *
 * <p>States: new, started by {@link #start}, closed by {@link #close} (or by a failed start). The
 * transport cannot be started twice.
 */
public final class KafkaTransport implements Transport {

  static {
    KafkaLogging.quietUnlessConfigured();
  }

  private static final Logger LOG = LoggerFactory.getLogger(KafkaTransport.class);
  private static final Duration PRODUCER_CLOSE_TIMEOUT = Duration.ofSeconds(10);

  private enum State {
    NEW,
    STARTED,
    CLOSED
  }

  private final KafkaTransportConfig config;
  private final KafkaClientProperties clientProperties;
  private final LargeRecords largeRecords;
  private final TransportMetrics metrics;
  private final String logPrefix;
  private final CompletableFuture<String> fencedOut = new CompletableFuture<>();
  private volatile State state = State.NEW;
  private volatile KafkaProducer<byte[], byte[]> producer;
  private volatile PartitionPoller partitionPoller;
  private ClientResponsePoller clientPoller;

  /** A transport without a large-record store: values above the threshold fail to send. */
  public KafkaTransport(KafkaTransportConfig config) {
    this(config, null);
  }

  /**
   * A transport that carries values above the threshold through {@code largeRecordStore}, which
   * every host of the task hub must reach; the transport does not close it.
   */
  public KafkaTransport(KafkaTransportConfig config, LargeRecordStore largeRecordStore) {
    this(config, largeRecordStore, new CompositeMeterRegistry());
  }

  /**
   * As {@link #KafkaTransport(KafkaTransportConfig, LargeRecordStore)}, counting the records sent
   * in {@code meters} (see {@link TransportMetrics}).
   */
  public KafkaTransport(
      KafkaTransportConfig config, LargeRecordStore largeRecordStore, MeterRegistry meters) {
    this.config = Objects.requireNonNull(config, "config");
    this.clientProperties = new KafkaClientProperties(config);
    int threshold = LargeRecords.thresholdFor(config, clientProperties.maxRequestSize());
    this.largeRecords = new LargeRecords(largeRecordStore, threshold);
    this.logPrefix = "[" + config.hubName() + "] ";
    this.metrics = new TransportMetrics(meters, config);
  }

  /**
   * Checks, without creating or changing anything, that the cluster answers within {@code timeout},
   * that those of the task hub's topics that exist have its partition count, and that none is
   * missing that the transport may not create. A host runs it before it creates the task hub in
   * storage, so that a cluster it cannot use leaves nothing behind.
   *
   * @throws TransportException naming the bootstrap servers and what to check
   */
  public static ClusterCheck checkCluster(KafkaTransportConfig config, Duration timeout) {
    KafkaClientProperties properties = new KafkaClientProperties(config);
    try (Admin admin = openAdmin(config, properties.admin(config.hubName() + "-check"))) {
      TaskHubTopics topics = new TaskHubTopics(admin, config);
      topics.awaitCluster(timeout);
      topics.checkExisting();
      return new ClusterCheck(topics.recordsInPartitionsTopic());
    }
  }

  /**
   * What {@link #checkCluster} found.
   *
   * @param partitionsTopicRecords the records the hub's partitions topic holds, 0 when it does not
   *     exist yet
   */
  public record ClusterCheck(long partitionsTopicRecords) {}

  private static Admin openAdmin(KafkaTransportConfig config, Map<String, Object> properties) {
    try {
      return Admin.create(properties);
    } catch (KafkaException e) {
      throw new TransportException(
          "Expected to connect to Kafka at "
              + config.bootstrapServers()
              + ", but the client refused the address ("
              + rootMessage(e)
              + "). Check that each bootstrap server is a host:port whose host name resolves.",
          e);
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage();
  }

  /**
   * Completes with the reason when the transport stopped receiving on its own, because another host
   * joined the hosts group under this one's static member id; it never completes otherwise. The
   * host should stop then: its partitions belong to the other host.
   */
  public CompletableFuture<String> fenced() {
    return fencedOut;
  }

  @Override
  public int partitionCount() {
    return config.partitionCount();
  }

  /**
   * Checks (or creates) the topics, opens the producer, begins reading responses for {@code
   * clientId}, and joins the hosts group. Partitions are assigned later, on the poll thread.
   *
   * @throws TransportException naming the missing or mismatched topic, or the cluster that did not
   *     answer; the transport is closed then
   */
  @Override
  public synchronized void start(String clientId, TransportListener listener) {
    Objects.requireNonNull(clientId, "clientId");
    Objects.requireNonNull(listener, "listener");
    requireState(State.NEW, "start");
    try {
      ensureTopics();
      producer = openProducer(clientId);
      clientPoller = openClientPoller(clientId, listener);
      partitionPoller = openPartitionPoller(clientId, listener);
      state = State.STARTED;
      LOG.info(
          "{}Started as client {}: {} partitions, joining group '{}' {}",
          logPrefix,
          clientId,
          config.partitionCount(),
          config.hostsGroup(),
          config.groupInstanceId().map(id -> "as static member " + id).orElse("as dynamic member"));
    } catch (RuntimeException e) {
      closeClients();
      state = State.CLOSED;
      throw asTransportException(e);
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>Ignored, with a warning, when the partition is no longer assigned to this host by the time
   * the poll thread handles it. When Kafka no longer has {@code nextOffset} (deleted by retention,
   * or past the end), the partition stops receiving and an error is logged: the transport has no
   * way to report it to the engine.
   */
  @Override
  public void startReceiving(int partition, long nextOffset, PartitionReceiver receiver) {
    requirePartition(partition);
    Objects.requireNonNull(receiver, "receiver");
    startedPartitionPoller().startReceiving(partition, nextOffset, receiver);
  }

  /**
   * {@inheritDoc}
   *
   * <p>When this returns, the receiver is not called again; a delivery in progress on the poll
   * thread is awaited. So the receiver must not wait for the thread that calls this method.
   */
  @Override
  public void stopReceiving(int partition) {
    requirePartition(partition);
    startedPartitionPoller().stopReceiving(partition);
  }

  @Override
  public CompletableFuture<Void> sendToPartition(int partition, byte[] record) {
    requirePartition(partition);
    return send(config.partitionsTopic(), partition, null, record);
  }

  @Override
  public CompletableFuture<Void> sendToClient(String clientId, byte[] record) {
    byte[] key = ClientResponsePoller.keyOf(clientId);
    int partition = ClientResponsePoller.partitionFor(key, config.partitionCount());
    return send(config.clientsTopic(), partition, key, record);
  }

  /** Values above this many bytes go through the large-record store. */
  public int largeRecordThreshold() {
    return largeRecords.threshold();
  }

  /**
   * Leaves the hosts group (the listener hears of the revoked partitions first and may still send
   * while it stops them), stops reading responses, then flushes and closes the producer.
   */
  @Override
  public synchronized void close() {
    if (state == State.CLOSED) {
      return;
    }
    state = State.CLOSED;
    closeClients();
    LOG.info("{}Closed", logPrefix);
  }

  private void ensureTopics() {
    try (Admin admin = Admin.create(clientProperties.admin(kafkaClientId("admin")))) {
      new TaskHubTopics(admin, config).ensureExist();
    }
  }

  private KafkaProducer<byte[], byte[]> openProducer(String clientId) {
    KafkaProducer<byte[], byte[]> opened =
        new KafkaProducer<>(clientProperties.producer(kafkaClientId(clientId + "-producer")));
    try {
      opened.partitionsFor(config.partitionsTopic());
      opened.partitionsFor(config.clientsTopic());
      return opened;
    } catch (RuntimeException e) {
      opened.close(Duration.ZERO);
      throw e;
    }
  }

  private ClientResponsePoller openClientPoller(String clientId, TransportListener listener) {
    Map<String, Object> properties =
        clientProperties.clientConsumer(kafkaClientId(clientId + "-responses"));
    return ClientResponsePoller.open(
        new KafkaConsumer<>(properties), config, clientId, listener, largeRecords);
  }

  private PartitionPoller openPartitionPoller(String clientId, TransportListener listener) {
    Map<String, Object> properties =
        clientProperties.partitionConsumer(kafkaClientId(clientId + "-partitions"));
    PartitionPoller poller =
        new PartitionPoller(new KafkaConsumer<>(properties), config, listener, largeRecords);
    poller.fenced().thenAccept(fencedOut::complete);
    poller.start();
    return poller;
  }

  private CompletableFuture<Void> send(String topic, int partition, byte[] key, byte[] value) {
    KafkaProducer<byte[], byte[]> started = startedProducer();
    ProducerRecord<byte[], byte[]> record;
    try {
      record = largeRecords.toProducerRecord(topic, partition, key, value);
    } catch (TransportException e) {
      return CompletableFuture.failedFuture(e);
    }
    CompletableFuture<Void> sent = new CompletableFuture<>();
    try {
      started.send(record, (metadata, error) -> completeSend(sent, record, error));
      metrics.recordSent(record);
    } catch (RuntimeException e) {
      completeSend(sent, record, e);
    }
    return sent;
  }

  private void completeSend(
      CompletableFuture<Void> sent, ProducerRecord<byte[], byte[]> record, Exception error) {
    if (error == null) {
      sent.complete(null);
      return;
    }
    sent.completeExceptionally(sendFailure(record, error));
  }

  /** Says whether sending again may succeed: only after a failure Kafka calls retriable. */
  private TransportException sendFailure(ProducerRecord<byte[], byte[]> record, Exception error) {
    String expectation =
        "Expected Kafka to accept a record of "
            + record.value().length
            + " bytes for partition "
            + record.partition()
            + " of topic '"
            + record.topic()
            + "', but ";
    if (error instanceof RetriableException) {
      return new TransportException(
          expectation + "it failed for now (" + error + "); sending it again may succeed", error);
    }
    return new TransportException(
        expectation + "it failed for good (" + error + "). " + remedyFor(error), error);
  }

  private String remedyFor(Exception error) {
    if (error instanceof RecordTooLargeException) {
      return "Sending it again cannot succeed: raise the topic's max.message.bytes, or lower the"
          + " large-record threshold ("
          + largeRecords.threshold()
          + " bytes) so that such values go through the large-record store.";
    }
    if (error instanceof AuthorizationException) {
      return "Sending it again cannot succeed until the principal of this host may write to the"
          + " topic.";
    }
    return "Sending it again cannot succeed.";
  }

  private void closeClients() {
    if (partitionPoller != null) {
      partitionPoller.close();
    }
    if (clientPoller != null) {
      clientPoller.close();
    }
    if (producer != null) {
      producer.close(PRODUCER_CLOSE_TIMEOUT);
    }
  }

  private String kafkaClientId(String role) {
    return config.hubName() + "-" + role;
  }

  private PartitionPoller startedPartitionPoller() {
    PartitionPoller poller = partitionPoller;
    if (poller == null) {
      throw new IllegalStateException("Expected the transport to be started, but it is " + state);
    }
    return poller;
  }

  private KafkaProducer<byte[], byte[]> startedProducer() {
    KafkaProducer<byte[], byte[]> started = producer;
    if (started == null) {
      throw new IllegalStateException("Expected the transport to be started, but it is " + state);
    }
    return started;
  }

  private void requireState(State expected, String action) {
    if (state != expected) {
      throw new IllegalStateException(
          "Expected the transport to be " + expected + " to " + action + ", but it is " + state);
    }
  }

  private void requirePartition(int partition) {
    if (partition < 0 || partition >= config.partitionCount()) {
      throw new IllegalArgumentException(
          "Expected a partition from 0 to "
              + (config.partitionCount() - 1)
              + ", but got "
              + partition);
    }
  }

  private TransportException asTransportException(RuntimeException e) {
    if (e instanceof TransportException transportException) {
      return transportException;
    }
    return new TransportException(
        "Expected to join task hub '"
            + config.hubName()
            + "' on "
            + config.bootstrapServers()
            + ", but: "
            + e,
        e);
  }
}
