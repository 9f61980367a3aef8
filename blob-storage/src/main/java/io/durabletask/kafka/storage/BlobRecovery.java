package io.durabletask.kafka.storage;

import io.durabletask.kafka.engine.storage.LogEntry;
import io.durabletask.kafka.engine.storage.Recovery;
import io.durabletask.kafka.engine.storage.StateStore;
import java.util.Iterator;
import java.util.function.Supplier;

/** The state a partition starts from, and a fresh reader of the log entries after it per call. */
record BlobRecovery(StateStore state, long statePosition, Supplier<Iterator<LogEntry>> entries)
    implements Recovery {

  @Override
  public Iterator<LogEntry> replay() {
    return entries.get();
  }
}
