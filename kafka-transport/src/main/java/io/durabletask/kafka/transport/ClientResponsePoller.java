package io.durabletask.kafka.transport;

import io.durabletask.kafka.engine.transport.TransportListener;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the responses addressed to one client id.
 *
 * <p>Responses are keyed by client id and sent to partition {@link #partitionFor} of the clients
 * topic, so a client reads that one partition, outside any consumer group, and keeps the records
 * whose key is its own id. It starts at the end of the partition: responses to requests sent before
 * this client started are not its concern. {@link #open} resolves that end position before it
 * returns, so every response sent after {@link #open} is seen.
 *
 * <p>A response that refers to a large value is delivered with that value, read back from the
 * large-record store; when it cannot be read, an error names the reference and the offset, and the
 * response is skipped.
 */
final class ClientResponsePoller {

  private static final Logger LOG = LoggerFactory.getLogger(ClientResponsePoller.class);
  private static final Duration POLL_TIMEOUT = Duration.ofSeconds(1);
  private static final Duration ERROR_BACKOFF = Duration.ofSeconds(1);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final byte[] clientKey;
  private final TransportListener listener;
  private final LargeRecords largeRecords;
  private final String logPrefix;
  private final Thread thread;
  private volatile boolean closing;

  private ClientResponsePoller(
      KafkaConsumer<byte[], byte[]> consumer,
      String hubName,
      String clientId,
      TransportListener listener,
      LargeRecords largeRecords) {
    this.consumer = consumer;
    this.clientKey = keyOf(clientId);
    this.listener = listener;
    this.largeRecords = largeRecords;
    this.logPrefix = "[" + hubName + "/client " + clientId + "] ";
    this.thread = new Thread(this::run, "kafka-transport-" + hubName + "-client-" + clientId);
    this.thread.setDaemon(true);
  }

  /** The record key of responses to {@code clientId}. */
  static byte[] keyOf(String clientId) {
    return clientId.getBytes(StandardCharsets.UTF_8);
  }

  /** The partition of the clients topic that carries responses with this key. */
  static int partitionFor(byte[] clientKey, int partitionCount) {
    return Utils.toPositive(Utils.murmur2(clientKey)) % partitionCount;
  }

  /**
   * Positions the consumer at the end of the client's partition and begins polling.
   *
   * @param consumer a consumer outside any group; this poller owns and closes it
   */
  static ClientResponsePoller open(
      KafkaConsumer<byte[], byte[]> consumer,
      KafkaTransportConfig config,
      String clientId,
      TransportListener listener,
      LargeRecords largeRecords) {
    int partition = partitionFor(keyOf(clientId), config.partitionCount());
    TopicPartition topicPartition = new TopicPartition(config.clientsTopic(), partition);
    ClientResponsePoller poller =
        new ClientResponsePoller(consumer, config.hubName(), clientId, listener, largeRecords);
    long startOffset = poller.positionAtEnd(topicPartition);
    LOG.info(
        "{}Reading responses on partition {} from offset {}",
        poller.logPrefix,
        partition,
        startOffset);
    poller.thread.start();
    return poller;
  }

  private long positionAtEnd(TopicPartition topicPartition) {
    try {
      consumer.assign(List.of(topicPartition));
      consumer.seekToEnd(List.of(topicPartition));
      return consumer.position(topicPartition);
    } catch (RuntimeException e) {
      closeConsumer();
      throw e;
    }
  }

  void close() {
    closing = true;
    consumer.wakeup();
    Threads.joinUninterruptibly(thread);
  }

  private void run() {
    try {
      while (!closing) {
        pollAndDeliver();
      }
    } finally {
      closeConsumer();
    }
  }

  private void pollAndDeliver() {
    try {
      for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL_TIMEOUT)) {
        deliverIfOurs(record);
      }
    } catch (WakeupException e) {
      LOG.trace("{}Woken up", logPrefix);
    } catch (KafkaException e) {
      backOffAfter(e);
    }
  }

  private void deliverIfOurs(ConsumerRecord<byte[], byte[]> record) {
    if (!Arrays.equals(record.key(), clientKey)) {
      return;
    }
    byte[] value;
    try {
      value = largeRecords.valueOf(record);
    } catch (LargeRecordUnavailableException e) {
      LOG.error(
          "{}Skipping the response at offset {}: {}", logPrefix, record.offset(), e.getMessage());
      return;
    }
    try {
      listener.onClientResponse(value);
    } catch (RuntimeException e) {
      LOG.error(
          "{}Expected the listener to take the response at offset {}, but it threw",
          logPrefix,
          record.offset(),
          e);
    }
  }

  private void backOffAfter(KafkaException e) {
    if (closing) {
      return;
    }
    LOG.error("{}Expected to poll client responses, but: {}; retrying", logPrefix, e.toString(), e);
    if (!Threads.sleep(ERROR_BACKOFF)) {
      closing = true;
    }
  }

  private void closeConsumer() {
    try {
      consumer.close(CloseOptions.timeout(CLOSE_TIMEOUT));
    } catch (RuntimeException e) {
      LOG.warn("{}Expected to close the client consumer cleanly, but: {}", logPrefix, e, e);
    }
  }
}
