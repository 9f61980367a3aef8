package io.durabletask.kafka.engine.partition;

import io.durabletask.kafka.avro.ExecutionCompleted;
import io.durabletask.kafka.avro.HistoryEvent;
import io.durabletask.kafka.avro.OrchestratorCompleted;
import io.durabletask.kafka.avro.OrchestratorStarted;

/** Builds history events. Events that are not made from an action carry event id -1. */
public final class HistoryEvents {
  public static final int NO_EVENT_ID = -1;

  private HistoryEvents() {}

  public static HistoryEvent of(long timestamp, Object event) {
    return new HistoryEvent(NO_EVENT_ID, timestamp, event);
  }

  public static HistoryEvent ofAction(int actionId, long timestamp, Object event) {
    return new HistoryEvent(actionId, timestamp, event);
  }

  public static HistoryEvent orchestratorStarted(long timestamp) {
    return of(timestamp, new OrchestratorStarted());
  }

  public static HistoryEvent orchestratorCompleted(long timestamp) {
    return of(timestamp, new OrchestratorCompleted());
  }

  public static boolean isExecutionCompleted(HistoryEvent event) {
    return event.getEvent() instanceof ExecutionCompleted;
  }
}
