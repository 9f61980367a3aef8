package io.durabletask.kafka.engine.partition;

import io.durabletask.kafka.avro.ClientResponse;

/**
 * The clients on the partition's own host. Their responses skip the transport and reach them as
 * objects: a response is built when its request is applied and is not changed afterwards.
 */
@FunctionalInterface
public interface LocalClients {

  /** No client is local: every response goes through the transport. */
  LocalClients NONE = response -> false;

  /**
   * Hands {@code response} to its client if that client runs on this host, on the caller's thread.
   * Returns false, having done nothing, if it does not.
   */
  boolean tryDeliver(ClientResponse response);
}
