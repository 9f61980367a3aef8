package io.durabletask.kafka.engine.workitem;

import io.durabletask.kafka.avro.HistoryEvent;
import java.util.List;

/**
 * One orchestrator episode handed to a worker: the committed history of the current execution and
 * the new events, the first of which is OrchestratorStarted.
 *
 * @param dispatchId identifies this episode; a completion must name it
 */
public record OrchestratorWorkItem(
    int partition,
    String instanceId,
    String executionId,
    List<HistoryEvent> pastEvents,
    List<HistoryEvent> newEvents,
    long dispatchId) {}
