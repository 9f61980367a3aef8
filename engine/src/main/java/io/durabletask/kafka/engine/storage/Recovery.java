package io.durabletask.kafka.engine.storage;

import java.util.Iterator;

/**
 * Where a partition starts after {@link PartitionStore#open}: a state store at some position, and
 * the durable log entries after that position.
 */
public interface Recovery {

  /** The state store, holding the state as of {@link #statePosition()}. */
  StateStore state();

  /** Position of the last update event reflected in {@link #state()}; 0 for a new partition. */
  long statePosition();

  /** The durable log entries after {@link #statePosition()}, in position order. */
  Iterator<LogEntry> replay();
}
