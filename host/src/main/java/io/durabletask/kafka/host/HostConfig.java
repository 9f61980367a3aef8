package io.durabletask.kafka.host;

import java.nio.file.Path;

/**
 * Settings of one host process.
 *
 * @param dataDir the host's data folder: page files of the task hub, the RocksDB cache, and the
 *     embedded broker's log
 * @param bootstrapServers a Kafka cluster to use, or null to start the embedded broker
 * @param maxPayloadBytes the largest input, output or event payload accepted over gRPC
 */
public record HostConfig(
    Path dataDir,
    String address,
    int port,
    String hubName,
    int partitionCount,
    String bootstrapServers,
    int maxPayloadBytes) {

  public static final int DEFAULT_PORT = 4001;
  public static final String DEFAULT_ADDRESS = "127.0.0.1";
  public static final String DEFAULT_HUB = "taskhub";
  public static final int DEFAULT_MAX_PAYLOAD_BYTES = 900 * 1024;

  public boolean usesEmbeddedBroker() {
    return bootstrapServers == null || bootstrapServers.isBlank();
  }

  public static HostConfig defaults(Path dataDir) {
    return new HostConfig(
        dataDir, DEFAULT_ADDRESS, DEFAULT_PORT, DEFAULT_HUB, 12, null, DEFAULT_MAX_PAYLOAD_BYTES);
  }

  public HostConfig withPort(int newPort) {
    return new HostConfig(
        dataDir, address, newPort, hubName, partitionCount, bootstrapServers, maxPayloadBytes);
  }
}
