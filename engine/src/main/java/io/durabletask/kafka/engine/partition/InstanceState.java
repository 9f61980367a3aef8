package io.durabletask.kafka.engine.partition;

import io.durabletask.kafka.avro.HistoryEvent;
import io.durabletask.kafka.avro.InstanceRecord;
import io.durabletask.kafka.avro.RuntimeStatus;
import java.util.ArrayList;
import java.util.List;

/**
 * One orchestration instance in memory: its record, the history of its current execution, and what
 * has changed since it was last written to the state store.
 */
final class InstanceState {
  final InstanceRecord record;
  final List<HistoryEvent> history;

  /** History events [0, persistedHistory) are in the state store already. */
  int persistedHistory;

  /** The stored history must be deleted before the current one is written. */
  boolean historyReset;

  /** Encoded bytes of the stored history events, and of record and history together. */
  long historyBytes;

  long sizeBytes;

  /** The position of the latest state-store batch that holds a change of this instance. */
  long pendingWritePosition;

  /** The partition state no longer holds this object: it was purged, wiped or replaced. */
  boolean forgotten;

  /**
   * The open episode, or null. Not part of the durable state: lost episodes are dispatched again.
   */
  Episode openEpisode;

  InstanceState(InstanceRecord record, List<HistoryEvent> history, int persistedHistory) {
    this.record = record;
    this.history = history;
    this.persistedHistory = persistedHistory;
  }

  /**
   * A new instance. When it replaces an instance of the same id, the stored history of that one is
   * deleted with the first write of this one.
   */
  static InstanceState created(InstanceRecord record, boolean replacesAnother) {
    InstanceState state = new InstanceState(record, new ArrayList<>(), 0);
    state.historyReset = replacesAnother;
    return state;
  }

  String id() {
    return record.getInstanceId();
  }

  String executionId() {
    return record.getExecutionId();
  }

  RuntimeStatus status() {
    return record.getStatus();
  }

  boolean isTerminal() {
    return isTerminal(record.getStatus());
  }

  static boolean isTerminal(RuntimeStatus status) {
    return status == RuntimeStatus.COMPLETED
        || status == RuntimeStatus.FAILED
        || status == RuntimeStatus.TERMINATED
        || status == RuntimeStatus.CANCELED;
  }

  /** True when a worker should run an episode now. */
  boolean isRunnable() {
    return openEpisode == null
        && !isTerminal()
        && !record.getPendingMessages().isEmpty()
        && !isWaitingForScheduledStart();
  }

  /** True while the scheduled start of a PENDING instance has not come. */
  boolean isWaitingForScheduledStart() {
    return record.getStatus() == RuntimeStatus.PENDING
        && record.getTimers().stream()
            .anyMatch(timer -> timer.getTimerId() == StateMachine.SCHEDULED_START_TIMER);
  }

  void resetHistory() {
    history.clear();
    persistedHistory = 0;
    historyReset = true;
  }

  /** An episode handed to a worker and not yet completed. */
  record Episode(long dispatchId, long orchestratorStartedTime, int consumedMessages) {}
}
