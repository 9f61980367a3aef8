package io.durabletask.kafka.engine;

import io.durabletask.kafka.avro.CompleteOrchestrationAction;
import io.durabletask.kafka.avro.CreateSubOrchestrationAction;
import io.durabletask.kafka.avro.CreateTimerAction;
import io.durabletask.kafka.avro.FailureDetails;
import io.durabletask.kafka.avro.HistoryEvent;
import io.durabletask.kafka.avro.OrchestratorAction;
import io.durabletask.kafka.avro.RuntimeStatus;
import io.durabletask.kafka.avro.ScheduleTaskAction;
import io.durabletask.kafka.avro.SendEventAction;
import io.durabletask.kafka.avro.TerminateOrchestrationAction;
import java.util.List;
import java.util.Map;

/** Builds the orchestrator actions a worker sends back, as the SDKs would. */
public final class Actions {
  private Actions() {}

  public static OrchestratorAction scheduleTask(int id, String name, String input) {
    return new OrchestratorAction(id, new ScheduleTaskAction(name, null, input, Map.of()));
  }

  public static OrchestratorAction createTimer(int id, long fireAt) {
    return new OrchestratorAction(id, new CreateTimerAction(fireAt));
  }

  public static OrchestratorAction createSubOrchestration(
      int id, String instanceId, String name, String input) {
    return new OrchestratorAction(
        id, new CreateSubOrchestrationAction(instanceId, name, null, input, Map.of()));
  }

  public static OrchestratorAction sendEvent(int id, String instanceId, String name, String data) {
    return new OrchestratorAction(id, new SendEventAction(instanceId, name, data));
  }

  public static OrchestratorAction terminate(int id, String instanceId, String reason) {
    return new OrchestratorAction(id, new TerminateOrchestrationAction(instanceId, reason, false));
  }

  public static OrchestratorAction complete(int id, String result) {
    return finish(id, RuntimeStatus.COMPLETED, result, null);
  }

  public static OrchestratorAction fail(int id, FailureDetails failure) {
    return finish(id, RuntimeStatus.FAILED, null, failure);
  }

  public static OrchestratorAction terminated(int id, String reason) {
    return finish(id, RuntimeStatus.TERMINATED, reason, null);
  }

  public static OrchestratorAction continueAsNew(
      int id, String input, List<HistoryEvent> carryover) {
    return new OrchestratorAction(
        id,
        CompleteOrchestrationAction.newBuilder()
            .setStatus(RuntimeStatus.CONTINUED_AS_NEW)
            .setResult(input)
            .setCarryoverEvents(carryover)
            .build());
  }

  public static FailureDetails failure(String type, String message) {
    return FailureDetails.newBuilder().setErrorType(type).setErrorMessage(message).build();
  }

  private static OrchestratorAction finish(
      int id, RuntimeStatus status, String result, FailureDetails failure) {
    return new OrchestratorAction(
        id,
        CompleteOrchestrationAction.newBuilder()
            .setStatus(status)
            .setResult(result)
            .setFailureDetails(failure)
            .build());
  }
}
