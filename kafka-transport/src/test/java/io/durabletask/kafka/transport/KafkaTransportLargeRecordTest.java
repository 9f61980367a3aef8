package io.durabletask.kafka.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.durabletask.kafka.engine.transport.TransportException;
import io.durabletask.kafka.storage.LocalLargeRecordStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Values above the record limit, through the in-process broker and a large-record store. */
class KafkaTransportLargeRecordTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final int THREE_MB = 3 * 1024 * 1024;
  private static final int THRESHOLD = KafkaTransportConfig.DEFAULT_LARGE_RECORD_THRESHOLD;
  private static final Set<Integer> ALL_PARTITIONS =
      Set.copyOf(IntStream.range(0, 12).boxed().toList());

  @TempDir static Path dataDir;

  private static EmbeddedKafkaBroker broker;

  @BeforeAll
  static void startBroker() {
    broker = EmbeddedKafkaBroker.start(dataDir.resolve("kafka"));
  }

  @AfterAll
  static void stopBroker() {
    broker.close();
  }

  @Test
  void shouldDeliverAThreeMegabyteRecordToAPartitionByteExact() {
    // given
    LocalLargeRecordStore store = storeFor("bigpartition");
    byte[] value = randomBytes(THREE_MB, 1);
    try (KafkaTransport transport = startedTransport("bigpartition", store)) {
      CollectingReceiver receiver = new CollectingReceiver();
      transport.startReceiving(2, 0, receiver);

      // when
      join(transport.sendToPartition(2, value));

      // then
      await().atMost(TIMEOUT).until(() -> receiver.count() == 1);
      assertThat(receiver.offsets()).containsExactly(0L);
      assertThat(receiver.rawValues().get(0)).isEqualTo(value);
      assertThat(storedValues("bigpartition")).isEqualTo(1);
    }
  }

  @Test
  void shouldDeliverAThreeMegabyteResponseToAClientByteExact() {
    // given
    LocalLargeRecordStore store = storeFor("bigclient");
    byte[] value = randomBytes(THREE_MB, 2);
    RecordingListener listener = new RecordingListener();
    try (KafkaTransport transport = new KafkaTransport(configFor("bigclient"), store)) {
      transport.start("client-a", listener);

      // when
      join(transport.sendToClient("client-a", value));

      // then
      await().atMost(TIMEOUT).until(() -> listener.rawResponses().size() == 1);
      assertThat(listener.rawResponses().get(0)).isEqualTo(value);
      assertThat(storedValues("bigclient")).isEqualTo(1);
    }
  }

  @Test
  void shouldSendAValueAtTheThresholdAsItIsAndOneByteMoreThroughTheStore() {
    // given
    LocalLargeRecordStore store = storeFor("threshold");
    byte[] atThreshold = randomBytes(THRESHOLD, 3);
    byte[] justOver = randomBytes(THRESHOLD + 1, 4);
    try (KafkaTransport transport = startedTransport("threshold", store)) {
      CollectingReceiver receiver = new CollectingReceiver();
      transport.startReceiving(7, 0, receiver);

      // when
      join(transport.sendToPartition(7, atThreshold));
      int storedAfterFirst = storedValues("threshold");
      join(transport.sendToPartition(7, justOver));

      // then
      await().atMost(TIMEOUT).until(() -> receiver.count() == 2);
      assertThat(receiver.rawValues().get(0)).isEqualTo(atThreshold);
      assertThat(receiver.rawValues().get(1)).isEqualTo(justOver);
      assertThat(storedAfterFirst).isZero();
      assertThat(storedValues("threshold")).isEqualTo(1);
    }
  }

  @Test
  void shouldSkipARecordWhoseLargeValueIsMissingAndDeliverTheRecordsAfterIt() {
    // given
    LocalLargeRecordStore store = storeFor("missing");
    try (KafkaTransport transport = startedTransport("missing", store)) {
      join(transport.sendToPartition(4, randomBytes(THREE_MB, 5)));
      store.deleteOlderThan(Instant.now().plus(Duration.ofDays(1)));
      join(transport.sendToPartition(4, bytes("after")));

      // when
      CollectingReceiver receiver = new CollectingReceiver();
      transport.startReceiving(4, 0, receiver);

      // then
      await().atMost(TIMEOUT).until(() -> receiver.count() == 2);
      assertThat(receiver.offsets()).containsExactly(0L, 1L);
      assertThat(receiver.rawValues().get(0)).isEmpty();
      assertThat(receiver.values().get(1)).isEqualTo("after");
    }
  }

  @Test
  void shouldSkipAResponseWhoseLargeValueIsMissingAndDeliverTheResponsesAfterIt() {
    // given
    LocalLargeRecordStore store = storeFor("missingresponse");
    RecordingListener listener = new RecordingListener();
    try (KafkaTransport transport = new KafkaTransport(configFor("missingresponse"), store)) {
      transport.start("client-a", listener);
      LocalLargeRecordStore otherStore = new LocalLargeRecordStore(dataDir.resolve("elsewhere"));

      // when
      try (KafkaTransport sender = new KafkaTransport(configFor("missingresponse"), otherStore)) {
        sender.start("client-b", new RecordingListener());
        join(sender.sendToClient("client-a", randomBytes(THREE_MB, 6)));
        join(sender.sendToClient("client-a", bytes("after")));
      }

      // then
      await().atMost(TIMEOUT).until(() -> listener.responses().size() == 1);
      assertThat(listener.responses()).containsExactly("after");
    }
  }

  @Test
  void shouldRefuseALargeValueWhenNoStoreIsConfigured() {
    // given
    try (KafkaTransport transport = startedTransport("nostore", null)) {

      // when
      CompletableFuture<Void> sent = transport.sendToPartition(1, randomBytes(THRESHOLD + 1, 7));

      // then
      assertThatThrownBy(() -> join(sent))
          .isInstanceOf(CompletionException.class)
          .cause()
          .isInstanceOf(TransportException.class)
          .hasMessageContaining("it has " + (THRESHOLD + 1) + " bytes")
          .hasMessageContaining("no large-record store is configured");
    }
  }

  @Test
  void shouldFailForGoodWhenTheTopicRefusesTheRecordSize() throws Exception {
    // given
    createPartitionsTopic("smalltopic", 100_000);
    try (KafkaTransport transport = startedTransport("smalltopic", storeFor("smalltopic"))) {

      // when
      long begin = System.nanoTime();
      CompletableFuture<Void> sent = transport.sendToPartition(3, randomBytes(500_000, 8));

      // then
      assertThatThrownBy(() -> join(sent))
          .cause()
          .isInstanceOf(TransportException.class)
          .hasMessageContaining("record of 500000 bytes for partition 3 of topic")
          .hasMessageContaining("failed for good")
          .hasMessageContaining("Sending it again cannot succeed")
          .hasMessageContaining("max.message.bytes");
      assertThat(Duration.ofNanos(System.nanoTime() - begin)).isLessThan(TIMEOUT);
    }
  }

  @Test
  void shouldLowerTheThresholdBelowTheProducersRequestLimit() {
    // given
    KafkaTransportConfig config =
        configFor("lowered")
            .withLargeRecordThreshold(5 * 1024 * 1024)
            .withClientProperty("max.request.size", "500000");

    // when
    try (KafkaTransport transport = new KafkaTransport(config)) {

      // then
      assertThat(transport.largeRecordThreshold())
          .isEqualTo(500_000 - LargeRecords.RECORD_OVERHEAD);
    }
  }

  private static KafkaTransport startedTransport(String hub, LocalLargeRecordStore store) {
    RecordingListener listener = new RecordingListener();
    KafkaTransport transport = new KafkaTransport(configFor(hub), store);
    transport.start("host-a", listener);
    await().atMost(TIMEOUT).until(() -> listener.owned().equals(ALL_PARTITIONS));
    return transport;
  }

  private static KafkaTransportConfig configFor(String hub) {
    return KafkaTransportConfig.of(broker.bootstrapServers(), hub)
        .withClientProperty("heartbeat.interval.ms", "200");
  }

  private static LocalLargeRecordStore storeFor(String hub) {
    return LocalLargeRecordStore.forHub(dataDir.resolve("hubs"), hub);
  }

  private static int storedValues(String hub) {
    Path folder = dataDir.resolve("hubs").resolve(hub).resolve("large");
    if (!Files.isDirectory(folder)) {
      return 0;
    }
    try (Stream<Path> files = Files.walk(folder)) {
      return (int) files.filter(Files::isRegularFile).count();
    } catch (IOException e) {
      throw new IllegalStateException("Expected to list " + folder + ", but: " + e, e);
    }
  }

  private static void createPartitionsTopic(String hub, int maxMessageBytes) throws Exception {
    NewTopic topic =
        new NewTopic(hub + ".partitions", 12, (short) 1)
            .configs(Map.of("max.message.bytes", String.valueOf(maxMessageBytes)));
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
      admin.createTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
    }
  }

  private static byte[] randomBytes(int length, long seed) {
    byte[] bytes = new byte[length];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static void join(CompletableFuture<Void> sent) {
    sent.orTimeout(30, TimeUnit.SECONDS).join();
  }
}
