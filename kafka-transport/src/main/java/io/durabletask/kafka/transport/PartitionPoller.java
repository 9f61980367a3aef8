package io.durabletask.kafka.transport;

import static org.apache.kafka.clients.consumer.CloseOptions.GroupMembershipOperation.LEAVE_GROUP;

import io.durabletask.kafka.engine.transport.PartitionReceiver;
import io.durabletask.kafka.engine.transport.TransportListener;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the consumer of the hosts group: learns which partitions this host owns and reads their
 * input.
 *
 * <p>One thread polls the consumer; every call on the consumer happens on that thread, since a
 * {@link KafkaConsumer} is not thread-safe. {@link #startReceiving} and {@link #stopReceiving} come
 * from other threads, so they register or stop the {@link PartitionFeed} at once and leave the
 * consumer work (seek, resume, pause) as a request for the poll thread, which they wake up.
 *
 * <p>A newly assigned partition stays paused until the engine has recovered it and asked to receive
 * from its own input offset; no offsets are committed to Kafka. On revocation (or loss) of
 * partitions, their feeds stop first, then the engine is told, on the poll thread, and stops them
 * before the consumer gives them up. Closing leaves the group, also as a static member.
 *
 * <p>A static member whose id another consumer has taken is fenced by Kafka. It then gives up its
 * partitions, stops polling, and completes {@link #fenced()} with the reason.
 */
final class PartitionPoller implements ConsumerRebalanceListener {

  private static final Logger LOG = LoggerFactory.getLogger(PartitionPoller.class);
  private static final Duration POLL_TIMEOUT = Duration.ofSeconds(1);
  private static final Duration ERROR_BACKOFF = Duration.ofSeconds(1);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

  /** Consumer work that only the poll thread may do. */
  private sealed interface Request {}

  private record Seek(PartitionFeed feed) implements Request {}

  private record Pause(int partition) implements Request {}

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final String topic;
  private final TransportListener listener;
  private final LargeRecords largeRecords;
  private final String hubName;
  private final String hostsGroup;
  private final String groupInstanceId;
  private final String logPrefix;
  private final Map<Integer, PartitionFeed> feeds = new ConcurrentHashMap<>();
  private final Queue<Request> requests = new ConcurrentLinkedQueue<>();
  private final Thread thread;
  private final CompletableFuture<String> fenced = new CompletableFuture<>();
  private volatile boolean closing;
  private boolean started;

  PartitionPoller(
      KafkaConsumer<byte[], byte[]> consumer,
      KafkaTransportConfig config,
      TransportListener listener,
      LargeRecords largeRecords) {
    this.consumer = consumer;
    this.topic = config.partitionsTopic();
    this.listener = listener;
    this.largeRecords = largeRecords;
    this.hubName = config.hubName();
    this.hostsGroup = config.hostsGroup();
    this.groupInstanceId = config.groupInstanceId().orElse("(none)");
    this.logPrefix = "[" + hubName + "] ";
    this.thread = new Thread(this::run, "kafka-transport-" + hubName + "-partitions");
    this.thread.setDaemon(true);
  }

  /** Joins the hosts group and begins polling. */
  void start() {
    consumer.subscribe(List.of(topic), this);
    thread.start();
    started = true;
  }

  void startReceiving(int partition, long nextOffset, PartitionReceiver receiver) {
    PartitionFeed feed = new PartitionFeed(partition, nextOffset, receiver, largeRecords, hubName);
    stopFeed(feeds.put(partition, feed));
    submit(new Seek(feed));
  }

  void stopReceiving(int partition) {
    stopFeed(feeds.remove(partition));
    submit(new Pause(partition));
  }

  /** Completes with the reason when Kafka fenced this member; it never completes otherwise. */
  CompletableFuture<String> fenced() {
    return fenced;
  }

  /** Stops polling and closes the consumer, which revokes the owned partitions first. */
  void close() {
    closing = true;
    if (!started) {
      closeConsumer();
      return;
    }
    consumer.wakeup();
    Threads.joinUninterruptibly(thread);
  }

  private void run() {
    try {
      while (!closing) {
        applyRequests();
        pollAndDeliver();
      }
    } finally {
      closeConsumer();
    }
  }

  /**
   * Queues consumer work for the poll thread. The poll thread itself (inside a listener callback)
   * does not wake its own consumer: that would break off the rebalance or close under way, and the
   * request is applied before the next poll anyway.
   */
  private void submit(Request request) {
    requests.add(request);
    if (Thread.currentThread() != thread) {
      consumer.wakeup();
    }
  }

  private void applyRequests() {
    Request request;
    while ((request = requests.poll()) != null) {
      if (request instanceof Seek seek) {
        applySeek(seek.feed());
      } else if (request instanceof Pause pause) {
        applyPause(pause.partition());
      }
    }
  }

  private void applySeek(PartitionFeed feed) {
    if (feeds.get(feed.partition()) != feed) {
      return;
    }
    TopicPartition topicPartition = topicPartition(feed.partition());
    if (!consumer.assignment().contains(topicPartition)) {
      LOG.warn(
          "{}Expected partition {} to be assigned to this host to receive from it, but it is not",
          logPrefix,
          feed.partition());
      feeds.remove(feed.partition(), feed);
      feed.stop();
      return;
    }
    consumer.seek(topicPartition, feed.nextOffset());
    consumer.resume(List.of(topicPartition));
    feed.arm();
    LOG.debug(
        "{}Receiving partition {} from offset {}", logPrefix, feed.partition(), feed.nextOffset());
  }

  private void applyPause(int partition) {
    TopicPartition topicPartition = topicPartition(partition);
    if (!feeds.containsKey(partition) && consumer.assignment().contains(topicPartition)) {
      consumer.pause(List.of(topicPartition));
    }
  }

  private void pollAndDeliver() {
    try {
      deliver(consumer.poll(POLL_TIMEOUT));
    } catch (WakeupException e) {
      LOG.trace("{}Woken up", logPrefix);
    } catch (OffsetOutOfRangeException e) {
      stopOutOfRange(e.offsetOutOfRangePartitions());
    } catch (FencedInstanceIdException e) {
      stopFenced(e);
    } catch (KafkaException e) {
      backOffAfter(e);
    }
  }

  private void deliver(ConsumerRecords<byte[], byte[]> records) {
    for (TopicPartition topicPartition : records.partitions()) {
      PartitionFeed feed = feeds.get(topicPartition.partition());
      if (feed == null) {
        applyPause(topicPartition.partition());
        continue;
      }
      feed.deliver(records.records(topicPartition));
      if (feed.isStopped()) {
        feeds.remove(topicPartition.partition(), feed);
        applyPause(topicPartition.partition());
      }
    }
  }

  private void stopOutOfRange(Map<TopicPartition, Long> offsets) {
    offsets.forEach(
        (topicPartition, offset) -> {
          LOG.error(
              "{}Expected partition {} to have a record at offset {}, but Kafka reports that offset"
                  + " out of range (deleted by retention, or past the end of a recreated topic);"
                  + " stopped delivering this partition",
              logPrefix,
              topicPartition.partition(),
              offset);
          stopFeed(feeds.remove(topicPartition.partition()));
          applyPause(topicPartition.partition());
        });
  }

  /**
   * Another consumer joined the group under this member's id and took its place; the partitions are
   * that consumer's now. Polling again would only be fenced again.
   */
  private void stopFenced(FencedInstanceIdException e) {
    String reason =
        "Another host joined the hosts group '"
            + hostsGroup
            + "' under this host's id "
            + groupInstanceId
            + " and took its place; this host stopped receiving its partitions";
    LOG.error("{}{}: {}", logPrefix, reason, e.toString());
    closing = true;
    giveUp(consumer.assignment(), "Fenced out of");
    fenced.complete(reason);
  }

  private void backOffAfter(KafkaException e) {
    if (closing) {
      return;
    }
    LOG.error("{}Expected to poll the hosts group, but: {}; retrying", logPrefix, e.toString(), e);
    if (!Threads.sleep(ERROR_BACKOFF)) {
      closing = true;
    }
  }

  @Override
  public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
    if (partitions.isEmpty()) {
      return;
    }
    consumer.pause(partitions);
    partitions.forEach(topicPartition -> consumer.seek(topicPartition, 0));
    List<Integer> assigned = partitionNumbers(partitions);
    LOG.info("{}Assigned partitions {}", logPrefix, assigned);
    notifyListener("assigned", assigned, () -> listener.onPartitionsAssigned(assigned));
  }

  @Override
  public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
    giveUp(partitions, "Revoked");
  }

  @Override
  public void onPartitionsLost(Collection<TopicPartition> partitions) {
    giveUp(partitions, "Lost");
  }

  private void giveUp(Collection<TopicPartition> partitions, String how) {
    if (partitions.isEmpty()) {
      return;
    }
    List<Integer> numbers = partitionNumbers(partitions);
    numbers.forEach(partition -> stopFeed(feeds.remove(partition)));
    LOG.info("{}{} partitions {}", logPrefix, how, numbers);
    notifyListener("revoked", numbers, () -> listener.onPartitionsRevoked(numbers));
  }

  private void notifyListener(String event, List<Integer> partitions, Runnable notification) {
    try {
      notification.run();
    } catch (RuntimeException e) {
      LOG.error(
          "{}Expected the listener to handle {} partitions {}, but it threw",
          logPrefix,
          event,
          partitions,
          e);
    }
  }

  /**
   * Closes the consumer and leaves the group. A static member would otherwise stay in the group,
   * and its partitions with it, until its session times out.
   */
  private void closeConsumer() {
    try {
      consumer.close(CloseOptions.timeout(CLOSE_TIMEOUT).withGroupMembershipOperation(LEAVE_GROUP));
    } catch (RuntimeException e) {
      LOG.warn("{}Expected to close the hosts-group consumer cleanly, but: {}", logPrefix, e, e);
    }
    feeds.values().forEach(PartitionFeed::stop);
    feeds.clear();
  }

  private TopicPartition topicPartition(int partition) {
    return new TopicPartition(topic, partition);
  }

  private static List<Integer> partitionNumbers(Collection<TopicPartition> partitions) {
    return partitions.stream().map(TopicPartition::partition).sorted().toList();
  }

  private static void stopFeed(PartitionFeed feed) {
    if (feed != null) {
      feed.stop();
    }
  }
}
