package io.durabletask.kafka.engine.transport;

import java.util.concurrent.CompletableFuture;

/**
 * Moves records between partitions and from partitions to clients.
 *
 * <p>A task hub has P partitions. Each partition reads one ordered input (a Kafka partition of
 * {@code <hub>.partitions}). The transport decides which partitions this host owns, tells the
 * {@link TransportListener}, and delivers a partition's records only after the engine has recovered
 * that partition and called {@link #startReceiving}. Responses to clients travel on a separate
 * stream ({@code <hub>.clients}), keyed by client id.
 *
 * <p>Implementations must keep the order of records sent from one host to one partition.
 */
public interface Transport extends AutoCloseable {

  /** The number of partitions of the task hub. */
  int partitionCount();

  /**
   * Joins the task hub: creates or checks the topics, joins the group that assigns partitions to
   * hosts, and begins delivering client responses for {@code clientId}.
   *
   * @throws TransportException with a message that names what is wrong, for example a missing topic
   *     or a topic with another partition count
   */
  void start(String clientId, TransportListener listener);

  /**
   * Begins delivering the records of an owned partition, starting at {@code nextOffset}. Records
   * are handed to {@code receiver} in offset order, in batches, on a transport thread.
   */
  void startReceiving(int partition, long nextOffset, PartitionReceiver receiver);

  /** Stops delivering records of a partition; records already handed over stay handed over. */
  void stopReceiving(int partition);

  /**
   * Sends one record to a partition. The future completes when the transport has durably accepted
   * it (for Kafka: acknowledged by all in-sync replicas), or fails.
   */
  CompletableFuture<Void> sendToPartition(int partition, byte[] record);

  /** Sends one response to the client with this id. */
  CompletableFuture<Void> sendToClient(String clientId, byte[] record);

  @Override
  void close();
}
