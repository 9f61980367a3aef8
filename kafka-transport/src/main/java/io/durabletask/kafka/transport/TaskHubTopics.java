package io.durabletask.kafka.transport;

import io.durabletask.kafka.engine.transport.TransportException;
import io.durabletask.kafka.transport.KafkaTransportConfig.TopicCreation;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure a task hub's topics exist with P partitions: checks each one, creates a missing one
 * when the configuration allows it, and otherwise refuses with a message that says what to
 * provision or change. Before that, a host may only check the cluster and the existing topics.
 */
final class TaskHubTopics {

  private static final Logger LOG = LoggerFactory.getLogger(TaskHubTopics.class);
  private static final int METADATA_ATTEMPTS = 20;
  private static final Duration METADATA_RETRY_DELAY = Duration.ofMillis(250);
  private static final long CLUSTER_GRACE_MILLIS = 1_000;

  private final Admin admin;
  private final KafkaTransportConfig config;
  private final String logPrefix;

  TaskHubTopics(Admin admin, KafkaTransportConfig config) {
    this.admin = admin;
    this.config = config;
    this.logPrefix = "[" + config.hubName() + "] ";
  }

  /**
   * Checks, and where allowed creates, both topics of the task hub.
   *
   * @throws TransportException naming the topic that is missing, has another partition count, or
   *     cannot be checked or created
   */
  void ensureExist() {
    ensureExists(config.partitionsTopic());
    ensureExists(config.clientsTopic());
  }

  /**
   * Waits for the cluster to answer a description of itself.
   *
   * @throws TransportException naming the bootstrap servers, when it does not answer in time or
   *     refuses this client
   */
  void awaitCluster(Duration timeout) {
    try {
      admin
          .describeCluster(new DescribeClusterOptions().timeoutMs((int) timeout.toMillis()))
          .clusterId()
          .get(timeout.toMillis() + CLUSTER_GRACE_MILLIS, TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      throw new TransportException(
          "Expected the Kafka cluster at "
              + config.bootstrapServers()
              + " to answer within "
              + timeout.toSeconds()
              + " s, but "
              + describeFailure(cause)
              + ". Check that the brokers run, that the bootstrap servers name them with their"
              + " listener ports, and that this machine may reach them (firewall, and the"
              + " security settings of the cluster).",
          cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransportException(
          "Interrupted while waiting for the Kafka cluster at " + config.bootstrapServers(), e);
    }
  }

  private static String describeFailure(Throwable cause) {
    if (cause instanceof org.apache.kafka.common.errors.TimeoutException
        || cause instanceof TimeoutException) {
      return "it did not";
    }
    return "it failed: " + cause;
  }

  /**
   * Checks the partition count of those of the hub's topics that exist, and that none is missing
   * when the transport may not create it; creates nothing.
   *
   * @throws TransportException naming the topic that is missing or has another partition count
   */
  void checkExisting() {
    for (String topic : List.of(config.partitionsTopic(), config.clientsTopic())) {
      OptionalInt partitionCount = describe(topic);
      if (partitionCount.isPresent()) {
        requireExpectedPartitionCount(topic, partitionCount.getAsInt());
      } else if (config.topicCreation() == TopicCreation.REQUIRE_EXISTING) {
        throw missingTopic(topic);
      }
    }
  }

  /**
   * The records the partitions topic holds now, summed over its partitions (end offset minus start
   * offset); 0 when the topic does not exist.
   */
  long recordsInPartitionsTopic() {
    String topic = config.partitionsTopic();
    if (describe(topic).isEmpty()) {
      return 0;
    }
    Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (int p = 0; p < config.partitionCount(); p++) {
      earliest.put(new TopicPartition(topic, p), OffsetSpec.earliest());
      latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
    }
    try {
      long records = 0;
      Map<TopicPartition, ListOffsetsResultInfo> starts = admin.listOffsets(earliest).all().get();
      Map<TopicPartition, ListOffsetsResultInfo> ends = admin.listOffsets(latest).all().get();
      for (TopicPartition partition : ends.keySet()) {
        records += ends.get(partition).offset() - starts.get(partition).offset();
      }
      return records;
    } catch (ExecutionException e) {
      throw new TransportException(
          "Expected to read the offsets of topic '" + topic + "', but: " + e.getCause(),
          e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransportException("Interrupted while reading the offsets of " + topic, e);
    }
  }

  private void ensureExists(String topic) {
    OptionalInt partitionCount = describe(topic);
    if (partitionCount.isEmpty()) {
      partitionCount = createOrRefuse(topic);
    }
    requireExpectedPartitionCount(topic, partitionCount.getAsInt());
  }

  /** The topic's partition count, or empty when the topic does not exist. */
  private OptionalInt describe(String topic) {
    try {
      TopicDescription description =
          admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
      return OptionalInt.of(description.partitions().size());
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        return OptionalInt.empty();
      }
      throw new TransportException(
          "Expected to describe topic '"
              + topic
              + "' on "
              + config.bootstrapServers()
              + ", but: "
              + e.getCause(),
          e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransportException("Interrupted while describing topic '" + topic + "'", e);
    }
  }

  private OptionalInt createOrRefuse(String topic) {
    if (config.topicCreation() == TopicCreation.REQUIRE_EXISTING) {
      throw missingTopic(topic);
    }
    create(topic);
    return awaitDescribed(topic);
  }

  private TransportException missingTopic(String topic) {
    return new TransportException(
        "Expected topic '"
            + topic
            + "' to exist, but it does not, and this transport may not create topics. "
            + provisioningAdvice(topic));
  }

  /** Creates the topic, unless another host has just created it. */
  private void create(String topic) {
    NewTopic newTopic = new NewTopic(topic, Optional.of(config.partitionCount()), Optional.empty());
    try {
      admin.createTopics(List.of(newTopic)).all().get();
      LOG.info(
          "{}Created topic '{}' with {} partitions", logPrefix, topic, config.partitionCount());
    } catch (ExecutionException e) {
      if (e.getCause() instanceof TopicExistsException) {
        LOG.debug("{}Topic '{}' was created by another host meanwhile", logPrefix, topic);
        return;
      }
      throw new TransportException(
          "Expected to create topic '"
              + topic
              + "' with "
              + config.partitionCount()
              + " partitions, but Kafka refused: "
              + e.getCause().getMessage()
              + ". "
              + provisioningAdvice(topic),
          e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransportException("Interrupted while creating topic '" + topic + "'", e);
    }
  }

  /**
   * Describes a topic that was just created, waiting for the broker's metadata to catch up with it,
   * so that the clients opened next find it at once.
   */
  private OptionalInt awaitDescribed(String topic) {
    for (int attempt = 1; attempt <= METADATA_ATTEMPTS; attempt++) {
      OptionalInt partitionCount = describe(topic);
      if (partitionCount.isPresent()) {
        return partitionCount;
      }
      if (!Threads.sleep(METADATA_RETRY_DELAY)) {
        break;
      }
    }
    throw new TransportException(
        "Expected to describe topic '" + topic + "' after creating it, but Kafka does not know it");
  }

  private String provisioningAdvice(String topic) {
    return "Create topic '"
        + topic
        + "' with "
        + config.partitionCount()
        + " partitions (on Azure Event Hubs: an event hub named '"
        + topic
        + "' with a partition count of "
        + config.partitionCount()
        + ").";
  }

  private void requireExpectedPartitionCount(String topic, int actual) {
    if (actual != config.partitionCount()) {
      throw new TransportException(
          "Expected topic '"
              + topic
              + "' to have "
              + config.partitionCount()
              + " partitions, but it has "
              + actual
              + ". The partition count of a task hub is fixed when the hub is created: configure "
              + actual
              + " partitions, or use another hub name.");
    }
  }
}
