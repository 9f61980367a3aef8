package io.durabletask.kafka.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.durabletask.kafka.engine.transport.TransportException;
import io.durabletask.kafka.transport.KafkaTransportConfig.TopicCreation;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.CloseOptions.GroupMembershipOperation;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaTransportTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  /** Well below the session timeout: a host that closes leaves the group at once. */
  private static final Duration LEAVE_GROUP_TIMEOUT = Duration.ofSeconds(10);

  /** The session of the static members below, far above {@link #LEAVE_GROUP_TIMEOUT}. */
  private static final Duration STATIC_SESSION = Duration.ofMinutes(2);

  private static final int WARM_UP_HOPS = 500;
  private static final int MEASURED_HOPS = 1000;
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
  void shouldDeliverRecordsInOrderFromTheOffsetGivenToStartReceiving() {
    // given
    RecordingListener listener = new RecordingListener();
    try (KafkaTransport transport = new KafkaTransport(configFor("ordered"))) {
      transport.start("host-a", listener);
      awaitOwned(listener, ALL_PARTITIONS);
      sendAll(transport, 3, 0, 10);

      // when
      CollectingReceiver receiver = new CollectingReceiver();
      transport.startReceiving(3, 4, receiver);
      sendAll(transport, 3, 10, 20);

      // then
      await().atMost(TIMEOUT).until(() -> receiver.count() >= 16);
      assertThat(receiver.offsets()).containsExactlyElementsOf(range(4, 20));
      assertThat(receiver.values())
          .containsExactlyElementsOf(range(4, 20).stream().map(i -> "record-" + i).toList());
    }
  }

  @Test
  void shouldStopDeliveringWhenStopReceivingReturns() {
    // given
    RecordingListener listener = new RecordingListener();
    try (KafkaTransport transport = new KafkaTransport(configFor("stopping"))) {
      transport.start("host-a", listener);
      awaitOwned(listener, ALL_PARTITIONS);
      CollectingReceiver receiver = new CollectingReceiver();
      transport.startReceiving(5, 0, receiver);
      sendAll(transport, 5, 0, 3);
      await().atMost(TIMEOUT).until(() -> receiver.count() == 3);

      // when
      transport.stopReceiving(5);
      sendAll(transport, 5, 3, 6);
      CollectingReceiver resumed = new CollectingReceiver();
      transport.startReceiving(5, 3, resumed);

      // then
      await().atMost(TIMEOUT).until(() -> resumed.count() == 3);
      assertThat(receiver.offsets()).containsExactly(0L, 1L, 2L);
      assertThat(resumed.offsets()).containsExactly(3L, 4L, 5L);
    }
  }

  @Test
  void shouldDeliverClientResponsesOnlyToTheMatchingClient() {
    // given
    String clientA = "client-a";
    String clientB = clientOnTheSamePartitionAs(clientA);
    RecordingListener listenerA = new RecordingListener();
    RecordingListener listenerB = new RecordingListener();
    try (KafkaTransport hostA = new KafkaTransport(configFor("responses"));
        KafkaTransport hostB = new KafkaTransport(configFor("responses"))) {
      hostA.start(clientA, listenerA);
      hostB.start(clientB, listenerB);

      // when
      join(hostA.sendToClient(clientB, bytes("for b")));
      join(hostA.sendToClient("client-nobody", bytes("for nobody")));
      join(hostB.sendToClient(clientA, bytes("for a")));

      // then
      await().atMost(TIMEOUT).until(() -> listenerA.responses().size() == 1);
      await().atMost(TIMEOUT).until(() -> listenerB.responses().size() == 1);
      assertThat(listenerA.responses()).containsExactly("for a");
      assertThat(listenerB.responses()).containsExactly("for b");
    }
  }

  @Test
  void shouldPlaceClientResponsesWhereKafkasDefaultPartitionerWould() {
    // given
    List<String> clientIds = List.of("a", "client-1", "host-7f3e", "ünïcode");

    // when / then
    for (String clientId : clientIds) {
      byte[] key = ClientResponsePoller.keyOf(clientId);
      assertThat(ClientResponsePoller.partitionFor(key, 12))
          .isEqualTo(BuiltInPartitioner.partitionForKey(key, 12));
    }
  }

  @Test
  void shouldSplitPartitionsBetweenTwoHostsAndRevokeWhenTheSecondJoins() {
    // given
    RecordingListener listenerA = new RecordingListener();
    RecordingListener listenerB = new RecordingListener();
    try (KafkaTransport hostA = new KafkaTransport(configFor("split"));
        KafkaTransport hostB = new KafkaTransport(configFor("split"))) {
      listenerA.onRevocation(partitions -> partitions.forEach(hostA::stopReceiving));
      hostA.start("host-a", listenerA);
      awaitOwned(listenerA, ALL_PARTITIONS);

      // when
      hostB.start("host-b", listenerB);

      // then
      await()
          .atMost(TIMEOUT)
          .untilAsserted(
              () -> {
                assertThat(listenerA.owned()).hasSize(6);
                assertThat(listenerB.owned()).hasSize(6);
              });
      assertThat(union(listenerA.owned(), listenerB.owned())).isEqualTo(ALL_PARTITIONS);
      assertThat(listenerA.revoked()).containsExactlyInAnyOrderElementsOf(listenerB.owned());
      assertThat(listenerB.revoked()).isEmpty();
    }
  }

  @Test
  void shouldHandPartitionsBackToTheOtherHostWhenOneCloses() {
    // given
    RecordingListener listenerA = new RecordingListener();
    RecordingListener listenerB = new RecordingListener();
    try (KafkaTransport hostA = new KafkaTransport(configFor("failover"))) {
      hostA.start("host-a", listenerA);
      KafkaTransport hostB = new KafkaTransport(configFor("failover"));
      listenerB.onRevocation(partitions -> partitions.forEach(hostB::stopReceiving));
      hostB.start("host-b", listenerB);
      await().atMost(TIMEOUT).until(() -> listenerB.owned().size() == 6);
      Set<Integer> ownedByB = listenerB.owned();

      // when
      hostB.close();

      // then
      assertThat(listenerB.owned()).isEmpty();
      assertThat(listenerB.revoked()).containsExactlyInAnyOrderElementsOf(ownedByB);
      await().atMost(LEAVE_GROUP_TIMEOUT).until(() -> listenerA.owned().equals(ALL_PARTITIONS));
    }
  }

  @Test
  void shouldHandPartitionsOverAtOnceWhenAStaticMemberCloses() {
    // given two static members whose sessions outlast the wait below
    RecordingListener listenerA = new RecordingListener();
    RecordingListener listenerB = new RecordingListener();
    try (KafkaTransport hostA = new KafkaTransport(staticConfigFor("static-leave", "host-a"))) {
      hostA.start("host-a", listenerA);
      KafkaTransport hostB = new KafkaTransport(staticConfigFor("static-leave", "host-b"));
      listenerB.onRevocation(partitions -> partitions.forEach(hostB::stopReceiving));
      hostB.start("host-b", listenerB);
      await().atMost(TIMEOUT).until(() -> listenerB.owned().size() == 6);

      // when
      hostB.close();

      // then the closed member left the group instead of waiting for its session to end
      assertThat(listenerB.owned()).isEmpty();
      await().atMost(LEAVE_GROUP_TIMEOUT).until(() -> listenerA.owned().equals(ALL_PARTITIONS));
    }
  }

  @Test
  void shouldGiveACrashedStaticMemberItsPartitionsBackWhenItRestartsUnderTheSameId()
      throws Exception {
    // given a static member that owned every partition and vanished without leaving the group
    KafkaTransportConfig config = staticConfigFor("static-crash", "host-a");
    crashAfterJoining(config);

    // when a transport starts under the same id
    RecordingListener listener = new RecordingListener();
    try (KafkaTransport restarted = new KafkaTransport(config)) {
      restarted.start("host-a", listener);

      // then it owns them well before the crashed member's session would have ended
      await().atMost(LEAVE_GROUP_TIMEOUT).until(() -> listener.owned().equals(ALL_PARTITIONS));
    }
  }

  @Test
  void shouldGiveUpThePartitionsAndReportItWhenAnotherHostTakesItsStaticMemberId()
      throws Exception {
    // given a static member that owns every partition
    KafkaTransportConfig config = staticConfigFor("static-fenced", "host-a");
    RecordingListener first = new RecordingListener();
    RecordingListener second = new RecordingListener();
    try (KafkaTransport original = new KafkaTransport(config);
        KafkaTransport copy = new KafkaTransport(config)) {
      original.start("host-a-original", first);
      await().atMost(TIMEOUT).until(() -> first.owned().equals(ALL_PARTITIONS));

      // when a second transport joins under the same id, as a copy of its data folder would
      copy.start("host-a-copy", second);

      // then the first is fenced out: it gives its partitions up and says why
      String reason = original.fenced().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      assertThat(reason)
          .contains("under this host's id host-a")
          .contains("stopped receiving its partitions");
      assertThat(first.owned()).isEmpty();
      await().atMost(TIMEOUT).until(() -> second.owned().equals(ALL_PARTITIONS));
      assertThat(copy.fenced()).isNotDone();
    }
  }

  @Test
  void shouldRefuseAGroupInstanceIdThatKafkaWouldReject() {
    // given
    KafkaTransportConfig config = configFor("static-refused");

    // when / then
    assertThatThrownBy(() -> config.withGroupInstanceId("host/a"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Expected a group instance id");
  }

  @Test
  void shouldKeepServingOtherPartitionsWhenAStartOffsetIsOutOfRange() {
    // given
    RecordingListener listener = new RecordingListener();
    try (KafkaTransport transport = new KafkaTransport(configFor("outofrange"))) {
      transport.start("host-a", listener);
      awaitOwned(listener, ALL_PARTITIONS);
      CollectingReceiver beyondTheEnd = new CollectingReceiver();
      CollectingReceiver healthy = new CollectingReceiver();

      // when
      transport.startReceiving(1, 50, beyondTheEnd);
      transport.startReceiving(2, 0, healthy);
      sendAll(transport, 1, 0, 3);
      sendAll(transport, 2, 0, 3);

      // then
      await().atMost(TIMEOUT).until(() -> healthy.count() == 3);
      assertThat(beyondTheEnd.count()).isZero();
    }
  }

  @Test
  void shouldRefuseAMissingTopicWhenTopicCreationIsDisabled() {
    // given
    KafkaTransportConfig config =
        configFor("unprovisioned").withTopicCreation(TopicCreation.REQUIRE_EXISTING);

    // when / then
    try (KafkaTransport transport = new KafkaTransport(config)) {
      assertThatThrownBy(() -> transport.start("host-a", new RecordingListener()))
          .isInstanceOf(TransportException.class)
          .hasMessageContaining("Expected topic 'unprovisioned.partitions' to exist")
          .hasMessageContaining("Create topic 'unprovisioned.partitions' with 12 partitions");
    }
  }

  @Test
  void shouldRefuseATopicWithAnotherPartitionCount() throws Exception {
    // given
    createTopic("resized.partitions", 4);

    // when / then
    try (KafkaTransport transport = new KafkaTransport(configFor("resized"))) {
      assertThatThrownBy(() -> transport.start("host-a", new RecordingListener()))
          .isInstanceOf(TransportException.class)
          .hasMessageStartingWith(
              "Expected topic 'resized.partitions' to have 12 partitions, but it has 4.");
    }
  }

  @Test
  void shouldCheckTheClusterWithoutCreatingTopics() throws Exception {
    // given
    KafkaTransportConfig config = configFor("checked");

    // when
    KafkaTransport.checkCluster(config, TIMEOUT);

    // then
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
      assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS))
          .doesNotContain(config.partitionsTopic(), config.clientsTopic());
    }
  }

  @Test
  void shouldRefuseInTheClusterCheckATopicWithAnotherPartitionCount() throws Exception {
    // given
    createTopic("checked-resized.clients", 3);

    // when / then
    assertThatThrownBy(() -> KafkaTransport.checkCluster(configFor("checked-resized"), TIMEOUT))
        .isInstanceOf(TransportException.class)
        .hasMessageStartingWith(
            "Expected topic 'checked-resized.clients' to have 12 partitions, but it has 3.");
  }

  @Test
  void shouldRefuseInTheClusterCheckAMissingTopicWhenTopicCreationIsDisabled() {
    // given
    KafkaTransportConfig config =
        configFor("checked-unprovisioned").withTopicCreation(TopicCreation.REQUIRE_EXISTING);

    // when / then
    assertThatThrownBy(() -> KafkaTransport.checkCluster(config, TIMEOUT))
        .isInstanceOf(TransportException.class)
        .hasMessageContaining("Expected topic 'checked-unprovisioned.partitions' to exist");
  }

  @Test
  void shouldNameTheServersOfAClusterThatDoesNotAnswer() throws Exception {
    // given nothing listening on the port
    String unreachable = "127.0.0.1:" + freePort();
    KafkaTransportConfig config = KafkaTransportConfig.of(unreachable, "unreachable");

    // when / then
    assertThatThrownBy(() -> KafkaTransport.checkCluster(config, Duration.ofSeconds(2)))
        .isInstanceOf(TransportException.class)
        .hasMessageStartingWith(
            "Expected the Kafka cluster at "
                + unreachable
                + " to answer within 2 s, but it did not")
        .hasMessageContaining("Check that the brokers run");
  }

  @Test
  void shouldNameABootstrapServerThatDoesNotResolve() {
    // given
    KafkaTransportConfig config = KafkaTransportConfig.of("nosuchhost.invalid:9092", "unresolved");

    // when / then
    assertThatThrownBy(() -> KafkaTransport.checkCluster(config, Duration.ofSeconds(2)))
        .isInstanceOf(TransportException.class)
        .hasMessageStartingWith("Expected to connect to Kafka at nosuchhost.invalid:9092")
        .hasMessageContaining("host name resolves");
  }

  @Test
  void shouldMeasureOneHopLatency() throws InterruptedException {
    // given
    RecordingListener listener = new RecordingListener();
    try (KafkaTransport transport = new KafkaTransport(configFor("latency"))) {
      transport.start("host-a", listener);
      awaitOwned(listener, ALL_PARTITIONS);
      BlockingQueue<Long> arrivals = new LinkedBlockingQueue<>();
      transport.startReceiving(0, 0, batch -> batch.forEach(r -> arrivals.add(System.nanoTime())));

      // when
      hops(transport, arrivals, WARM_UP_HOPS);
      long[] micros = hops(transport, arrivals, MEASURED_HOPS);

      // then
      assertThat(micros).hasSize(MEASURED_HOPS);
      System.out.printf(
          "Embedded broker start in this class: %d ms; one hop sendToPartition -> receive over %d"
              + " samples after %d warm-up: p50 %d us, p90 %d us, p99 %d us%n",
          broker.startupDuration().toMillis(),
          MEASURED_HOPS,
          WARM_UP_HOPS,
          percentile(micros, 50),
          percentile(micros, 90),
          percentile(micros, 99));
    }
  }

  /** Sends one record at a time and waits for it to arrive; returns each hop in microseconds. */
  private static long[] hops(KafkaTransport transport, BlockingQueue<Long> arrivals, int count)
      throws InterruptedException {
    long[] micros = new long[count];
    for (int i = 0; i < count; i++) {
      long sentAt = System.nanoTime();
      transport.sendToPartition(0, bytes("hop"));
      Long arrivedAt = arrivals.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      assertThat(arrivedAt).as("arrival of hop %d", i).isNotNull();
      micros[i] = TimeUnit.NANOSECONDS.toMicros(arrivedAt - sentAt);
    }
    return micros;
  }

  private static long percentile(long[] values, int percent) {
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[Math.min(sorted.length - 1, sorted.length * percent / 100)];
  }

  private static KafkaTransportConfig configFor(String hub) {
    return KafkaTransportConfig.of(broker.bootstrapServers(), hub)
        .withClientProperty("heartbeat.interval.ms", "200");
  }

  /** A static member whose session lasts far longer than {@link #LEAVE_GROUP_TIMEOUT}. */
  private static KafkaTransportConfig staticConfigFor(String hub, String instanceId) {
    return configFor(hub)
        .withGroupInstanceId(instanceId)
        .withClientProperty("session.timeout.ms", Long.toString(STATIC_SESSION.toMillis()));
  }

  /**
   * Joins the hosts group with the transport's consumer settings, waits for an assignment, and
   * closes without leaving the group, as a process killed at that moment would.
   */
  private static void crashAfterJoining(KafkaTransportConfig config) throws Exception {
    createTopic(config.partitionsTopic(), 12);
    createTopic(config.clientsTopic(), 12);
    Map<String, Object> properties =
        new KafkaClientProperties(config).partitionConsumer("crashing-host");
    KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(properties);
    consumer.subscribe(List.of(config.partitionsTopic()), pausedFromTheStart(consumer));
    await().atMost(TIMEOUT).until(() -> pollAssignment(consumer).size() == 12);
    consumer.close(CloseOptions.groupMembershipOperation(GroupMembershipOperation.REMAIN_IN_GROUP));
  }

  /**
   * Assigned partitions stay paused at offset 0, as in the transport, so no fetch needs offsets.
   */
  private static ConsumerRebalanceListener pausedFromTheStart(KafkaConsumer<?, ?> consumer) {
    return new ConsumerRebalanceListener() {
      @Override
      public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        consumer.pause(partitions);
        partitions.forEach(partition -> consumer.seek(partition, 0));
      }

      @Override
      public void onPartitionsRevoked(Collection<TopicPartition> partitions) {}
    };
  }

  private static Set<TopicPartition> pollAssignment(KafkaConsumer<byte[], byte[]> consumer) {
    consumer.poll(Duration.ofMillis(100));
    return consumer.assignment();
  }

  private static void awaitOwned(RecordingListener listener, Set<Integer> partitions) {
    await().atMost(TIMEOUT).until(() -> listener.owned().equals(partitions));
  }

  private static void sendAll(KafkaTransport transport, int partition, int from, int to) {
    for (int i = from; i < to; i++) {
      join(transport.sendToPartition(partition, bytes("record-" + i)));
    }
  }

  private static String clientOnTheSamePartitionAs(String clientId) {
    int partition = ClientResponsePoller.partitionFor(ClientResponsePoller.keyOf(clientId), 12);
    return IntStream.range(0, 1000)
        .mapToObj(i -> "client-b" + i)
        .filter(
            id ->
                ClientResponsePoller.partitionFor(ClientResponsePoller.keyOf(id), 12) == partition)
        .findFirst()
        .orElseThrow();
  }

  private static void createTopic(String topic, int partitions) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
      admin
          .createTopics(List.of(new NewTopic(topic, partitions, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static List<Long> range(long from, long to) {
    return LongStream.range(from, to).boxed().toList();
  }

  private static Set<Integer> union(Set<Integer> a, Set<Integer> b) {
    Set<Integer> union = new HashSet<>(a);
    union.addAll(b);
    return union;
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static void join(CompletableFuture<Void> sent) {
    sent.orTimeout(30, TimeUnit.SECONDS).join();
  }
}
