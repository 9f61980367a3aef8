package io.durabletask.kafka.engine.client;

import io.durabletask.kafka.avro.PartitionMessage;

/**
 * The partitions that run on the client's own host. A request for one of them skips the transport:
 * the partition takes it straight into its next group commit, whose log entry is the request's
 * durable copy, and answers once that commit is durable, as it does for requests that come through
 * its input.
 *
 * <p>Requests of one client to one instance keep their order on either path, because every request
 * an SDK call makes is answered by the partition before the call returns.
 */
@FunctionalInterface
public interface LocalPartitions {

  /** No partition is local: every request goes through the transport. */
  LocalPartitions NONE = (partition, message, onRefused) -> false;

  /**
   * Hands {@code message} to {@code partition} if it runs on this host. Returns false, having done
   * nothing, if it does not. If the partition stops before it takes the message, it runs {@code
   * onRefused} instead, on its own thread.
   */
  boolean tryDeliver(int partition, PartitionMessage message, Runnable onRefused);
}
