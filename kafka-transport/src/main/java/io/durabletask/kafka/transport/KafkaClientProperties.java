package io.durabletask.kafka.transport;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Builds the settings of the transport's Kafka clients in three layers: the transport's defaults,
 * then the user's {@link KafkaTransportConfig#clientProperties()}, then the settings the transport
 * relies on.
 *
 * <p>The defaults stay inside the Azure Event Hubs limits (idle connections closed after 240 s,
 * requests of at most 1 MB, request timeout of at least 60 s for idempotence). A user setting
 * reaches a client only if that client knows the key, or if no client knows it (a setting for a
 * plugin such as a login handler), so that no client warns about keys meant for another.
 *
 * <p>The consumers' {@code max.poll.interval.ms} is 180 s, no more than the idle-connection limit
 * above. It bounds how long the {@link io.durabletask.kafka.engine.transport.TransportListener}
 * partition callbacks, which run on the poll thread, may take before the host leaves the group.
 */
final class KafkaClientProperties {

  private static final Set<String> KNOWN_TO_ANY_CLIENT = knownToAnyClient();

  private final KafkaTransportConfig config;

  KafkaClientProperties(KafkaTransportConfig config) {
    this.config = config;
  }

  Map<String, Object> admin(String clientId) {
    Map<String, Object> properties = connectionDefaults(clientId);
    properties.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
    putUserProperties(properties, AdminClientConfig.configNames());
    return properties;
  }

  Map<String, Object> producer(String clientId) {
    Map<String, Object> properties = connectionDefaults(clientId);
    properties.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 60_000);
    properties.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    properties.put(ProducerConfig.BATCH_SIZE_CONFIG, 64 * 1024);
    properties.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 1_000_000);
    properties.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
    putUserProperties(properties, ProducerConfig.configNames());

    properties.put(ProducerConfig.ACKS_CONFIG, "all");
    properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    properties.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    properties.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    return properties;
  }

  /** The largest request the producer sends, which bounds the size of one record. */
  int maxRequestSize() {
    Object configured = producer("max-request-size").get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
    return Integer.parseInt(String.valueOf(configured).trim());
  }

  /** The consumer of the hosts group, which owns partitions and reads their input. */
  Map<String, Object> partitionConsumer(String clientId) {
    Map<String, Object> properties = consumerDefaults(clientId);
    properties.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 30_000);
    putUserProperties(properties, ConsumerConfig.configNames());

    putConsumerEssentials(properties);
    properties.put(ConsumerConfig.GROUP_ID_CONFIG, config.hostsGroup());
    properties.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
    properties.put(
        ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
        CooperativeStickyAssignor.class.getName());
    properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
    return properties;
  }

  /** The consumer of this client's partition of the clients topic; it belongs to no group. */
  Map<String, Object> clientConsumer(String clientId) {
    Map<String, Object> properties = consumerDefaults(clientId);
    putUserProperties(properties, ConsumerConfig.configNames());

    putConsumerEssentials(properties);
    properties.remove(ConsumerConfig.GROUP_ID_CONFIG);
    properties.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
    properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    return properties;
  }

  private Map<String, Object> connectionDefaults(String clientId) {
    Map<String, Object> properties = new HashMap<>();
    properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    properties.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId);
    properties.put(AdminClientConfig.METADATA_MAX_AGE_CONFIG, 180_000);
    properties.put(AdminClientConfig.CONNECTIONS_MAX_IDLE_MS_CONFIG, 180_000);
    return properties;
  }

  private Map<String, Object> consumerDefaults(String clientId) {
    Map<String, Object> properties = connectionDefaults(clientId);
    properties.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 60_000);
    properties.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, 180_000);
    return properties;
  }

  private static void putConsumerEssentials(Map<String, Object> properties) {
    properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    properties.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    properties.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    properties.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
  }

  private void putUserProperties(Map<String, Object> properties, Set<String> knownToClient) {
    config
        .clientProperties()
        .forEach(
            (key, value) -> {
              if (knownToClient.contains(key) || !KNOWN_TO_ANY_CLIENT.contains(key)) {
                properties.put(key, value);
              }
            });
  }

  private static Set<String> knownToAnyClient() {
    Set<String> names = new HashSet<>(AdminClientConfig.configNames());
    names.addAll(ProducerConfig.configNames());
    names.addAll(ConsumerConfig.configNames());
    return Set.copyOf(names);
  }
}
