package io.durabletask.kafka.storage;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.UUID;

/**
 * Settings of the blob storage of a task hub.
 *
 * @param ownerId who holds the partition leases; unique per host process
 * @param leaseDuration how long a lease lasts without renewal; another host may take the partition
 *     after that
 * @param leaseRenewInterval how often an owner renews its leases; well below {@code leaseDuration}
 * @param maxBatchBytes the most bytes of entries one group commit takes, unless a single append is
 *     larger
 * @param checkpointChunkBytes the size of the chunks a checkpoint is written in
 */
public record BlobStorageOptions(
    String ownerId,
    Duration leaseDuration,
    Duration leaseRenewInterval,
    int maxBatchBytes,
    int checkpointChunkBytes) {

  public static BlobStorageOptions defaults() {
    return new BlobStorageOptions(
        defaultOwnerId(), Duration.ofSeconds(30), Duration.ofSeconds(10), 4 << 20, 1 << 20);
  }

  public BlobStorageOptions withOwnerId(String newOwnerId) {
    return new BlobStorageOptions(
        newOwnerId, leaseDuration, leaseRenewInterval, maxBatchBytes, checkpointChunkBytes);
  }

  public BlobStorageOptions withLease(Duration duration, Duration renewInterval) {
    return new BlobStorageOptions(
        ownerId, duration, renewInterval, maxBatchBytes, checkpointChunkBytes);
  }

  public BlobStorageOptions withCheckpointChunkBytes(int bytes) {
    return new BlobStorageOptions(ownerId, leaseDuration, leaseRenewInterval, maxBatchBytes, bytes);
  }

  private static String defaultOwnerId() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      host = "unknown-host";
    }
    long pid = ProcessHandle.current().pid();
    return host + "-" + pid + "-" + UUID.randomUUID().toString().substring(0, 8);
  }
}
