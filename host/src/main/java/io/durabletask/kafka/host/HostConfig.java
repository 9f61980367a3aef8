package io.durabletask.kafka.host;

import io.durabletask.kafka.engine.EngineConfig.ClientRouting;
import io.durabletask.kafka.storage.BlobTaskHubStore;
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
  private static final int MAX_PORT = 65_535;

  /**
   * Checks every setting on its own, before anything starts.
   *
   * @throws HostStartupException naming the option that is wrong and what it accepts
   */
  public void requireValid() {
    requireDataDir();
    requireAddress();
    requirePort();
    requireHubName();
    requirePartitionCount();
    requireBootstrapServers();
    requireConsistentLimits();
    requireRetention();
  }

  public boolean usesEmbeddedBroker() {
    return bootstrapServers == null || bootstrapServers.isBlank();
  }

  private void requireDataDir() {
    if (dataDir == null) {
      throw new HostStartupException("Expected a data folder, but none is set. Set --data-dir.");
    }
  }

  private void requireAddress() {
    if (address == null || address.isBlank()) {
      throw new HostStartupException(
          "Expected --address to be a name or IP address of this machine, but it is empty. Use"
              + " 127.0.0.1 to serve this machine only, or 0.0.0.0 to serve every interface.");
    }
  }

  private void requirePort() {
    if (port < 0 || port > MAX_PORT) {
      throw new HostStartupException(
          "Expected --port from 0 to "
              + MAX_PORT
              + " (0 picks a free port), but it is "
              + port
              + ". Choose a port in that range; the default is "
              + DEFAULT_PORT
              + ".");
    }
  }

  private void requireHubName() {
    if (!BlobTaskHubStore.isValidHubName(hubName)) {
      throw new HostStartupException(
          "Expected --task-hub to be 1 to 63 ASCII letters, digits, '-' and '_', starting with a"
              + " letter or digit, but it is "
              + (hubName == null || hubName.isEmpty() ? "empty" : "'" + hubName + "'")
              + ". Choose such a name; the default is '"
              + DEFAULT_HUB
              + "'.");
    }
  }

  private void requirePartitionCount() {
    if (partitionCount < 1) {
      throw new HostStartupException(
          "Expected --partitions to be at least 1, but it is "
              + partitionCount
              + ". The partition count of a task hub is fixed when the hub is created; the default"
              + " is "
              + DEFAULT_PARTITION_COUNT
              + ".");
    }
  }

  private void requireBootstrapServers() {
    if (usesEmbeddedBroker()) {
      return;
    }
    for (String server : bootstrapServers.split(",", -1)) {
      if (!isHostAndPort(server.strip())) {
        throw new HostStartupException(
            "Expected --bootstrap-servers to be a comma-separated list of host:port, but it is '"
                + bootstrapServers
                + "'. Give the address of at least one broker of the Kafka cluster, for example"
                + " kafka1:9092,kafka2:9092, or leave the option out to use the embedded broker.");
      }
    }
  }

  private static boolean isHostAndPort(String server) {
    int colon = server.lastIndexOf(':');
    if (colon < 1 || colon == server.length() - 1) {
      return false;
    }
    try {
      int serverPort = Integer.parseInt(server.substring(colon + 1));
      return serverPort >= 1 && serverPort <= MAX_PORT;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private void requireConsistentLimits() {
    if (maxPayloadBytes < 1) {
      throw new HostStartupException(
          "Expected --max-payload-bytes to be at least 1, but it is "
              + maxPayloadBytes
              + ". The default is "
              + DEFAULT_MAX_PAYLOAD_BYTES
              + ".");
    }
    if (maxMessageBytes <= maxPayloadBytes) {
      throw new HostStartupException(
          "Expected a positive payload limit below the gRPC message limit, but the payload limit"
              + " is "
              + maxPayloadBytes
              + " bytes and the message limit "
              + maxMessageBytes
              + " bytes. Raise --max-message-bytes or lower --max-payload-bytes.");
    }
  }

  private void requireRetention() {
    if (largeRecordRetention == null
        || largeRecordRetention.isNegative()
        || largeRecordRetention.isZero()) {
      throw new HostStartupException(
          "Expected a positive large-record retention, but it is "
              + (largeRecordRetention == null
                  ? "not set"
                  : largeRecordRetention.toHours() + " hours")
              + ". Set --large-record-retention-hours to at least Kafka's retention.");
    }
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

  public HostConfig withBootstrapServers(String servers) {
    return new HostConfig(
        dataDir,
        address,
        port,
        hubName,
        partitionCount,
        servers,
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
