package io.durabletask.kafka.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The raw Kafka baseline: produces records of {@value #RECORD_BYTES} bytes to a topic of its own on
 * the host's broker, round robin over as many partitions as the task hub has, then consumes them
 * from the beginning with a plain consumer. The producer has the settings the Kafka transport uses
 * (acks=all, idempotence, linger.ms 0, batch.size 64 KiB, max.request.size 1,000,000). The topic is
 * deleted afterwards.
 *
 * <p>Before the timed records, one record per partition is sent and awaited, so that every
 * partition has its leader and the producer its sequence before the clock starts; the consumer
 * reads those records too, and is timed from when it knows where each partition begins. Without
 * that, the first batches to a topic just created can be refused (NOT_LEADER_OR_FOLLOWER) while
 * later ones pass, and the idempotent producer then retries the refused ones out of sequence until
 * they expire.
 */
final class KafkaBaseline {
  static final int RECORD_BYTES = 200;
  private static final Logger LOG = LoggerFactory.getLogger(KafkaBaseline.class);
  private static final Duration CONSUME_TIMEOUT = Duration.ofSeconds(120);
  private static final long ADMIN_TIMEOUT_SECONDS = 60;

  /**
   * What the broker did.
   *
   * @param partitions the partitions of the bench topic
   * @param records how many records were produced in the timed part; the consumer read them and the
   *     one record per partition sent first
   * @param recordBytes the value size of each record
   */
  record Result(int partitions, int records, int recordBytes, Rate produced, Rate consumed) {}

  private final String bootstrapServers;
  private final int partitions;
  private final int records;

  KafkaBaseline(String bootstrapServers, int partitions, int records) {
    this.bootstrapServers = bootstrapServers;
    this.partitions = partitions;
    this.records = records;
  }

  Result run() {
    String topic = "bench-raw-" + UUID.randomUUID().toString().substring(0, 8);
    try (Admin admin = Admin.create(connection())) {
      await(admin.createTopics(List.of(newTopic(topic))).all(), "create topic " + topic);
      try {
        Rate produced = produce(topic);
        Rate consumed = consume(topic);
        return new Result(partitions, records, RECORD_BYTES, produced, consumed);
      } finally {
        await(admin.deleteTopics(List.of(topic)).all(), "delete topic " + topic);
      }
    }
  }

  private NewTopic newTopic(String topic) {
    return new NewTopic(topic, Optional.of(partitions), Optional.empty());
  }

  private Rate produce(String topic) {
    byte[] value = new byte[RECORD_BYTES];
    new SplittableRandom(1).nextBytes(value);
    AtomicReference<Exception> failure = new AtomicReference<>();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerSettings())) {
      sendOneToEachPartition(producer, topic, value);
      long begin = System.nanoTime();
      for (int i = 0; i < records && failure.get() == null; i++) {
        ProducerRecord<byte[], byte[]> record =
            new ProducerRecord<>(topic, i % partitions, null, value);
        producer.send(record, (metadata, error) -> failure.compareAndSet(null, error));
      }
      producer.flush();
      long elapsed = System.nanoTime() - begin;
      failIf(failure.get());
      return Rate.of(records, RECORD_BYTES, elapsed);
    }
  }

  private void sendOneToEachPartition(
      KafkaProducer<byte[], byte[]> producer, String topic, byte[] value) {
    for (int p = 0; p < partitions; p++) {
      try {
        producer.send(new ProducerRecord<>(topic, p, null, value)).get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new BenchFailure("Interrupted while preparing the Kafka baseline", e);
      } catch (ExecutionException e) {
        failIf(e);
      }
    }
  }

  private Rate consume(String topic) {
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerSettings())) {
      List<TopicPartition> assigned = new ArrayList<>();
      for (int p = 0; p < partitions; p++) {
        assigned.add(new TopicPartition(topic, p));
      }
      consumer.assign(assigned);
      consumer.seekToBeginning(assigned);
      assigned.forEach(consumer::position);
      long begin = System.nanoTime();
      long deadline = begin + CONSUME_TIMEOUT.toNanos();
      int expected = partitions + records;
      int consumed = 0;
      while (consumed < expected && System.nanoTime() < deadline) {
        consumed += consumer.poll(Duration.ofMillis(100)).count();
      }
      long elapsed = System.nanoTime() - begin;
      if (consumed < expected) {
        throw new BenchFailure(
            "Expected to consume the "
                + expected
                + " records of the Kafka baseline within "
                + CONSUME_TIMEOUT.toSeconds()
                + " s, but got "
                + consumed);
      }
      return Rate.of(expected, RECORD_BYTES, elapsed);
    }
  }

  private Map<String, Object> connection() {
    Map<String, Object> settings = new HashMap<>();
    settings.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    settings.put(AdminClientConfig.CLIENT_ID_CONFIG, "bench-baseline");
    return settings;
  }

  private Map<String, Object> producerSettings() {
    Map<String, Object> settings = connection();
    settings.put(ProducerConfig.ACKS_CONFIG, "all");
    settings.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    settings.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    settings.put(ProducerConfig.BATCH_SIZE_CONFIG, 64 * 1024);
    settings.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 1_000_000);
    settings.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    settings.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    return settings;
  }

  private Map<String, Object> consumerSettings() {
    Map<String, Object> settings = connection();
    settings.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    settings.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    settings.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    return settings;
  }

  private static void failIf(Exception error) {
    if (error != null) {
      throw new BenchFailure(
          "Expected the broker to accept every record of the Kafka baseline, but: " + error, error);
    }
  }

  private static void await(KafkaFuture<Void> future, String action) {
    try {
      future.get(ADMIN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      LOG.debug("Kafka baseline: did {}", action);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BenchFailure("Interrupted while trying to " + action, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new BenchFailure("Expected to " + action + " for the Kafka baseline, but: " + e, e);
    }
  }
}
