package io.durabletask.kafka.host;

import io.durabletask.kafka.engine.EngineConfig.ClientRouting;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Settings of one host process.
 *
 * @param dataDir the host's data folder: page files of the task hub, the RocksDB cache, the
 *     large-record store and the embedded broker's log
 * @param bootstrapServers a Kafka cluster to use, or null to start the embedded broker
 * @param maxPayloadBytes the largest input, output or event payload accepted over gRPC
 * @param maxMessageBytes the largest gRPC message the endpoint accepts; a request that carries a
 *     payload of {@code maxPayloadBytes} must fit in it
 * @param largeRecordRetention how long record values too large for one Kafka record are kept in the
 *     large-record store; like Kafka's retention, which drops the records that refer to them
 * @param clockOffsetFile null for the system clock; otherwise a testing aid, see {@link
 *     Main#clockOffsetFile}
 * @param clientRouting whether the endpoint's requests for partitions of this host skip Kafka
 */
public record HostConfig(
    Path dataDir,
    String address,
    int port,
    String hubName,
    int partitionCount,
    String bootstrapServers,
    int maxPayloadBytes,
    int maxMessageBytes,
    Duration largeRecordRetention,
    Path clockOffsetFile,
    ClientRouting clientRouting) {

  public static final int DEFAULT_PORT = 4001;
  public static final String DEFAULT_ADDRESS = "127.0.0.1";
  public static final String DEFAULT_HUB = "taskhub";
  public static final int DEFAULT_PARTITION_COUNT = 12;
  public static final int DEFAULT_MAX_PAYLOAD_BYTES = 16 * 1024 * 1024;
  public static final int DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;
  public static final int DEFAULT_LARGE_RECORD_RETENTION_HOURS = 7 * 24;

  public boolean usesEmbeddedBroker() {
    return bootstrapServers == null || bootstrapServers.isBlank();
  }

  public static HostConfig defaults(Path dataDir) {
    return new HostConfig(
        dataDir,
        DEFAULT_ADDRESS,
        DEFAULT_PORT,
        DEFAULT_HUB,
        DEFAULT_PARTITION_COUNT,
        null,
        DEFAULT_MAX_PAYLOAD_BYTES,
        DEFAULT_MAX_MESSAGE_BYTES,
        Duration.ofHours(DEFAULT_LARGE_RECORD_RETENTION_HOURS),
        null,
        ClientRouting.LOCAL);
  }

  public HostConfig withPort(int newPort) {
    return new HostConfig(
        dataDir,
        address,
        newPort,
        hubName,
        partitionCount,
        bootstrapServers,
        maxPayloadBytes,
        maxMessageBytes,
        largeRecordRetention,
        clockOffsetFile,
        clientRouting);
  }

  public HostConfig withPartitionCount(int count) {
    return new HostConfig(
        dataDir,
        address,
        port,
        hubName,
        count,
        bootstrapServers,
        maxPayloadBytes,
        maxMessageBytes,
        largeRecordRetention,
        clockOffsetFile,
        clientRouting);
  }

  public HostConfig withPayloadLimits(int payloadBytes, int messageBytes) {
    return new HostConfig(
        dataDir,
        address,
        port,
        hubName,
        partitionCount,
        bootstrapServers,
        payloadBytes,
        messageBytes,
        largeRecordRetention,
        clockOffsetFile,
        clientRouting);
  }

  public HostConfig withClockOffsetFile(Path file) {
    return new HostConfig(
        dataDir,
        address,
        port,
        hubName,
        partitionCount,
        bootstrapServers,
        maxPayloadBytes,
        maxMessageBytes,
        largeRecordRetention,
        file,
        clientRouting);
  }

  public HostConfig withClientRouting(ClientRouting routing) {
    return new HostConfig(
        dataDir,
        address,
        port,
        hubName,
        partitionCount,
        bootstrapServers,
        maxPayloadBytes,
        maxMessageBytes,
        largeRecordRetention,
        clockOffsetFile,
        routing);
  }
}
