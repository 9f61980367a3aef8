package io.durabletask.kafka.transport;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What {@link KafkaTransport} needs to serve one task hub.
 *
 * @param bootstrapServers the Kafka cluster, {@code host:port[,host:port…]}
 * @param hubName the task hub; its topics are {@code <hub>.partitions} and {@code <hub>.clients}
 *     and its consumer group is {@code <hub>.hosts}
 * @param partitionCount P, the number of partitions of the task hub (fixed when it is created)
 * @param clientProperties further Kafka client settings (security, timeouts, …), passed to every
 *     client that knows them; they override the transport's defaults but not the settings the
 *     transport relies on (serializers, acks, idempotence, group and offset handling)
 * @param topicCreation whether {@link KafkaTransport#start} may create missing topics
 * @param largeRecordThreshold the largest record value sent as it is; a larger one goes through the
 *     large-record store. The transport lowers it further when the producer's {@code
 *     max.request.size} leaves less room.
 */
public record KafkaTransportConfig(
    String bootstrapServers,
    String hubName,
    int partitionCount,
    Map<String, String> clientProperties,
    TopicCreation topicCreation,
    int largeRecordThreshold) {

  /** The partition count of a task hub unless configured otherwise. */
  public static final int DEFAULT_PARTITION_COUNT = 12;

  /**
   * 900 KiB: values up to this size travel as one record, well inside the 1 MB records of Azure
   * Event Hubs and the default limits of Apache Kafka.
   */
  public static final int DEFAULT_LARGE_RECORD_THRESHOLD = 900 * 1024;

  /** The characters Kafka allows in topic names and group instance ids, and their length. */
  private static final Pattern LEGAL_KAFKA_NAME = Pattern.compile("[a-zA-Z0-9._-]+");

  private static final int MAX_KAFKA_NAME_LENGTH = 249;
  private static final String PARTITIONS_SUFFIX = ".partitions";
  private static final String GROUP_INSTANCE_ID = "group.instance.id";

  /** Whether the transport may create the task hub's topics. */
  public enum TopicCreation {
    /** Create a missing topic with P partitions; check an existing one. */
    CREATE_IF_MISSING,
    /**
     * Only check the topics; they are provisioned elsewhere (as on Azure Event Hubs, where topics
     * are event hubs created through Azure).
     */
    REQUIRE_EXISTING
  }

  public KafkaTransportConfig {
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    Objects.requireNonNull(hubName, "hubName");
    Objects.requireNonNull(clientProperties, "clientProperties");
    Objects.requireNonNull(topicCreation, "topicCreation");
    requireLegalHubName(hubName);
    requirePositive(partitionCount);
    requirePositiveThreshold(largeRecordThreshold);
    clientProperties = Map.copyOf(clientProperties);
  }

  /** A configuration with {@value #DEFAULT_PARTITION_COUNT} partitions that may create topics. */
  public static KafkaTransportConfig of(String bootstrapServers, String hubName) {
    return new KafkaTransportConfig(
        bootstrapServers,
        hubName,
        DEFAULT_PARTITION_COUNT,
        Map.of(),
        TopicCreation.CREATE_IF_MISSING,
        DEFAULT_LARGE_RECORD_THRESHOLD);
  }

  public KafkaTransportConfig withPartitionCount(int count) {
    return new KafkaTransportConfig(
        bootstrapServers, hubName, count, clientProperties, topicCreation, largeRecordThreshold);
  }

  public KafkaTransportConfig withTopicCreation(TopicCreation creation) {
    return new KafkaTransportConfig(
        bootstrapServers,
        hubName,
        partitionCount,
        clientProperties,
        creation,
        largeRecordThreshold);
  }

  public KafkaTransportConfig withLargeRecordThreshold(int threshold) {
    return new KafkaTransportConfig(
        bootstrapServers, hubName, partitionCount, clientProperties, topicCreation, threshold);
  }

  /** This configuration with one more client setting, replacing an earlier value of the key. */
  public KafkaTransportConfig withClientProperty(String key, String value) {
    Map<String, String> properties = new HashMap<>(clientProperties);
    properties.put(key, value);
    return new KafkaTransportConfig(
        bootstrapServers, hubName, partitionCount, properties, topicCreation, largeRecordThreshold);
  }

  /**
   * This configuration with the host as a static member of the hosts group (Kafka's {@code
   * group.instance.id}, KIP-345), under an id that must be unique among the task hub's hosts and
   * stay the same across restarts of one host.
   *
   * <p>A host that restarts under the same id, after a crash included, takes its partitions back at
   * once: the group coordinator replaces the old member instead of waiting for its session to time
   * out. A host that closes its transport still leaves the group, so its partitions move to the
   * other hosts without delay. A host that crashes and stays away holds its partitions until its
   * session times out, as a dynamic member would.
   */
  public KafkaTransportConfig withGroupInstanceId(String instanceId) {
    Objects.requireNonNull(instanceId, "instanceId");
    if (!LEGAL_KAFKA_NAME.matcher(instanceId).matches()
        || instanceId.length() > MAX_KAFKA_NAME_LENGTH) {
      throw new IllegalArgumentException(
          "Expected a group instance id of at most 249 ASCII letters, digits, '.', '_' and '-',"
              + " but it is '"
              + instanceId
              + "'");
    }
    return withClientProperty(GROUP_INSTANCE_ID, instanceId);
  }

  /** The id of this host as a static member of the hosts group, if it is one. */
  public Optional<String> groupInstanceId() {
    return Optional.ofNullable(clientProperties.get(GROUP_INSTANCE_ID));
  }

  /** The topic whose Kafka partition p is the input of task-hub partition p. */
  public String partitionsTopic() {
    return hubName + PARTITIONS_SUFFIX;
  }

  /** The topic that carries responses to clients, keyed by client id. */
  public String clientsTopic() {
    return hubName + ".clients";
  }

  /** The consumer group that assigns partitions to hosts. */
  public String hostsGroup() {
    return hubName + ".hosts";
  }

  private static void requireLegalHubName(String hubName) {
    if (!LEGAL_KAFKA_NAME.matcher(hubName).matches()) {
      throw new IllegalArgumentException(
          "Expected the hub name to consist of ASCII letters, digits, '.', '_' and '-', but it is '"
              + hubName
              + "'");
    }
    if (hubName.length() + PARTITIONS_SUFFIX.length() > MAX_KAFKA_NAME_LENGTH) {
      throw new IllegalArgumentException(
          "Expected the hub name to have at most "
              + (MAX_KAFKA_NAME_LENGTH - PARTITIONS_SUFFIX.length())
              + " characters, but it has "
              + hubName.length());
    }
  }

  private static void requirePositiveThreshold(int threshold) {
    if (threshold < 1) {
      throw new IllegalArgumentException(
          "Expected a positive large-record threshold, but it is " + threshold);
    }
  }

  private static void requirePositive(int partitionCount) {
    if (partitionCount < 1) {
      throw new IllegalArgumentException(
          "Expected at least one partition, but the partition count is " + partitionCount);
    }
  }
}
