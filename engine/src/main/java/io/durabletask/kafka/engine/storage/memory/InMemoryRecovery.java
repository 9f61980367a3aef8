package io.durabletask.kafka.engine.storage.memory;

import io.durabletask.kafka.engine.storage.LogEntry;
import io.durabletask.kafka.engine.storage.Recovery;
import io.durabletask.kafka.engine.storage.StateStore;
import java.util.Iterator;
import java.util.List;

/** Where an in-memory partition starts: a state store, its position, and the log after it. */
final class InMemoryRecovery implements Recovery {
  private final InMemoryStateStore state;
  private final long statePosition;
  private final List<LogEntry> entries;

  InMemoryRecovery(InMemoryStateStore state, long statePosition, List<LogEntry> entries) {
    this.state = state;
    this.statePosition = statePosition;
    this.entries = entries;
  }

  @Override
  public StateStore state() {
    return state;
  }

  InMemoryStateStore stateStore() {
    return state;
  }

  @Override
  public long statePosition() {
    return statePosition;
  }

  @Override
  public Iterator<LogEntry> replay() {
    return entries.iterator();
  }
}
