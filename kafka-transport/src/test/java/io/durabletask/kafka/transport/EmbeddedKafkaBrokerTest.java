package io.durabletask.kafka.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.durabletask.kafka.engine.transport.TransportException;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaBrokerTest {

  private static final String TOPIC = "restart.check";

  @TempDir Path dataDir;

  @Test
  void shouldKeepTopicsAndRecordsWhenRestartedOnTheSameFolder() throws Exception {
    // given
    Path folder = dataDir.resolve("kafka");
    String firstClusterId;
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(folder)) {
      firstClusterId = broker.clusterId();
      createTopic(broker.bootstrapServers());
      produce(broker.bootstrapServers(), List.of("a", "b", "c"));
    }

    // when
    try (EmbeddedKafkaBroker restarted = EmbeddedKafkaBroker.start(folder)) {

      // then
      assertThat(restarted.clusterId()).isEqualTo(firstClusterId);
      assertThat(readAll(restarted.bootstrapServers(), 3)).containsExactly("a", "b", "c");
      produce(restarted.bootstrapServers(), List.of("d"));
      assertThat(readAll(restarted.bootstrapServers(), 4)).containsExactly("a", "b", "c", "d");
    }
  }

  @Test
  void shouldListenOnTheGivenBrokerPort() throws IOException {
    // given
    int port = freePort();

    // when
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dataDir.resolve("kafka"), port)) {

      // then
      assertThat(broker.bootstrapServers()).isEqualTo("127.0.0.1:" + port);
    }
  }

  @Test
  void shouldRefuseASecondBrokerOnTheSameFolder() {
    // given
    Path folder = dataDir.resolve("kafka");
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(folder)) {

      // when / then
      assertThatThrownBy(() -> EmbeddedKafkaBroker.start(folder))
          .isInstanceOf(TransportException.class)
          .hasMessageContaining("Expected the Kafka data folder " + folder.toAbsolutePath())
          .hasMessageContaining("uses it");
      assertThat(broker.clusterId()).isNotBlank();
    }
  }

  private static void createTopic(String bootstrapServers) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
      admin.createTopics(Set.of(new NewTopic(TOPIC, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
    }
  }

  private static void produce(String bootstrapServers, List<String> values) throws Exception {
    Map<String, Object> properties =
        Map.of(
            "bootstrap.servers", bootstrapServers,
            "key.serializer", StringSerializer.class,
            "value.serializer", StringSerializer.class);
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(properties)) {
      for (String value : values) {
        producer.send(new ProducerRecord<>(TOPIC, 0, null, value)).get(30, TimeUnit.SECONDS);
      }
    }
  }

  private static List<String> readAll(String bootstrapServers, int expectedCount) {
    Map<String, Object> properties =
        Map.of(
            "bootstrap.servers", bootstrapServers,
            "key.deserializer", StringDeserializer.class,
            "value.deserializer", StringDeserializer.class);
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(properties)) {
      TopicPartition partition = new TopicPartition(TOPIC, 0);
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (values.size() < expectedCount && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
          values.add(record.value());
        }
      }
    }
    return values;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
