package io.durabletask.kafka.engine.workitem;

import io.durabletask.kafka.avro.OrchestratorAction;
import java.util.List;

/** What a worker decided in one episode. {@code customStatus} null or empty clears it. */
public record OrchestratorCompletion(
    String instanceId, long dispatchId, List<OrchestratorAction> actions, String customStatus) {}
