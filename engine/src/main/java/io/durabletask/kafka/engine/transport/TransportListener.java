package io.durabletask.kafka.engine.transport;

import java.util.Collection;

/** What a host learns from its transport. Called on transport threads. */
public interface TransportListener {

  /**
   * This host now owns these partitions. The engine recovers each one and then calls {@link
   * Transport#startReceiving}.
   */
  void onPartitionsAssigned(Collection<Integer> partitions);

  /**
   * This host no longer owns these partitions. The engine stops them before returning, so that no
   * other host processes a partition while this one still does.
   */
  void onPartitionsRevoked(Collection<Integer> partitions);

  /** A response addressed to this host's client id. */
  void onClientResponse(byte[] record);
}
