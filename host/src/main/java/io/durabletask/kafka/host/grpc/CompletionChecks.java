package io.durabletask.kafka.host.grpc;

import io.durabletask.kafka.protocol.ActivityResponse;
import io.durabletask.kafka.protocol.CompleteOrchestrationAction;
import io.durabletask.kafka.protocol.OrchestrationStatus;
import io.durabletask.kafka.protocol.OrchestratorAction;
import io.durabletask.kafka.protocol.OrchestratorResponse;
import io.durabletask.kafka.protocol.TaskFailureDetails;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Checks what a worker sends back before any of it reaches a partition, and converts the actions.
 * Each refusal names the field at fault: INVALID_ARGUMENT for a malformed completion,
 * RESOURCE_EXHAUSTED for a payload above the host's limit, UNIMPLEMENTED for an action kind this
 * backend does not serve yet.
 */
final class CompletionChecks {
  private static final Set<OrchestrationStatus> ENDING_STATUSES =
      EnumSet.of(
          OrchestrationStatus.ORCHESTRATION_STATUS_COMPLETED,
          OrchestrationStatus.ORCHESTRATION_STATUS_FAILED,
          OrchestrationStatus.ORCHESTRATION_STATUS_TERMINATED,
          OrchestrationStatus.ORCHESTRATION_STATUS_CONTINUED_AS_NEW);

  private final int maxPayloadBytes;

  CompletionChecks(int maxPayloadBytes) {
    this.maxPayloadBytes = maxPayloadBytes;
  }

  /**
   * Checks an orchestrator completion (or one chunk of it) and converts its actions.
   *
   * @throws io.grpc.StatusRuntimeException naming what is wrong
   */
  List<io.durabletask.kafka.avro.OrchestratorAction> checkOrchestrator(
      OrchestratorResponse response) {
    Calls.requireNonEmpty(response.getInstanceId(), "instance id");
    if (response.hasChunkIndex() && response.getChunkIndex().getValue() < 0) {
      throw Calls.invalidArgument(
          "Expected a chunk index of 0 or more, but it is " + response.getChunkIndex().getValue());
    }
    payload(response.getCustomStatus().getValue(), "custom status");
    List<io.durabletask.kafka.avro.OrchestratorAction> converted =
        new ArrayList<>(response.getActionsCount());
    for (OrchestratorAction action : response.getActionsList()) {
      checkAction(action);
      converted.add(convert(action));
    }
    return converted;
  }

  /**
   * Checks an activity completion. A completion with neither result nor failure details is a
   * successful activity without a result.
   *
   * @throws io.grpc.StatusRuntimeException naming what is wrong
   */
  void checkActivity(ActivityResponse response) {
    Calls.requireNonEmpty(response.getInstanceId(), "instance id");
    payload(response.getResult().getValue(), "activity result");
    if (response.hasFailureDetails()) {
      failureDetails(response.getFailureDetails(), "activity failure details");
    }
  }

  private void checkAction(OrchestratorAction action) {
    int id = action.getId();
    switch (action.getOrchestratorActionTypeCase()) {
      case SCHEDULETASK -> {
        requireNonEmpty(action.getScheduleTask().getName(), "activity name", "scheduleTask", id);
        payload(action.getScheduleTask().getInput().getValue(), "input of scheduleTask", id);
      }
      case CREATESUBORCHESTRATION -> {
        requireNonEmpty(
            action.getCreateSubOrchestration().getName(),
            "orchestration name",
            "createSubOrchestration",
            id);
        payload(
            action.getCreateSubOrchestration().getInput().getValue(),
            "input of createSubOrchestration",
            id);
      }
      case CREATETIMER -> {
        if (!action.getCreateTimer().hasFireAt()) {
          throw actionError(id, "createTimer", "a fireAt time", "it has none");
        }
      }
      case SENDEVENT -> {
        requireNonEmpty(
            action.getSendEvent().getInstance().getInstanceId(),
            "target instance id",
            "sendEvent",
            id);
        requireNonEmpty(action.getSendEvent().getName(), "event name", "sendEvent", id);
        payload(action.getSendEvent().getData().getValue(), "data of sendEvent", id);
      }
      case COMPLETEORCHESTRATION -> checkCompletion(action.getCompleteOrchestration(), id);
      case TERMINATEORCHESTRATION -> {
        requireNonEmpty(
            action.getTerminateOrchestration().getInstanceId(),
            "target instance id",
            "terminateOrchestration",
            id);
        payload(
            action.getTerminateOrchestration().getReason().getValue(),
            "reason of terminateOrchestration",
            id);
      }
      case SENDENTITYMESSAGE, REWINDORCHESTRATION ->
          throw Status.UNIMPLEMENTED
              .withDescription(
                  "Expected an orchestrator action this backend serves, but action "
                      + id
                      + " is "
                      + action.getOrchestratorActionTypeCase()
                      + ", which it does not serve yet")
              .asRuntimeException();
      case ORCHESTRATORACTIONTYPE_NOT_SET ->
          throw Calls.invalidArgument(
              "Expected orchestrator action " + id + " to have an action kind set, but none is");
    }
  }

  private void checkCompletion(CompleteOrchestrationAction complete, int id) {
    OrchestrationStatus status = complete.getOrchestrationStatus();
    if (!ENDING_STATUSES.contains(status)) {
      throw actionError(
          id,
          "completeOrchestration",
          "the status COMPLETED, FAILED, TERMINATED or CONTINUED_AS_NEW",
          "its status is " + describe(complete));
    }
    payload(complete.getResult().getValue(), "result of completeOrchestration", id);
    if (complete.hasFailureDetails()) {
      failureDetails(complete.getFailureDetails(), "failure details of action " + id);
    }
  }

  private static String describe(CompleteOrchestrationAction complete) {
    return complete.getOrchestrationStatus() == OrchestrationStatus.UNRECOGNIZED
        ? "the unknown value " + complete.getOrchestrationStatusValue()
        : complete.getOrchestrationStatus().name();
  }

  private static io.durabletask.kafka.avro.OrchestratorAction convert(OrchestratorAction action) {
    try {
      return ProtoMapping.toAvroAction(action);
    } catch (IllegalArgumentException e) {
      throw Calls.invalidArgument(
          "Expected orchestrator action " + action.getId() + " to be valid, but " + e.getMessage());
    }
  }

  private void failureDetails(TaskFailureDetails details, String what) {
    if (details.getSerializedSize() > maxPayloadBytes) {
      throw Status.RESOURCE_EXHAUSTED
          .withDescription(
              "Expected the "
                  + what
                  + " to be at most "
                  + maxPayloadBytes
                  + " bytes, but they are "
                  + details.getSerializedSize())
          .asRuntimeException();
    }
  }

  private void payload(String value, String what) {
    Calls.requirePayloadWithinLimit(value, what, maxPayloadBytes);
  }

  private void payload(String value, String what, int actionId) {
    Calls.requirePayloadWithinLimit(value, what + " action " + actionId, maxPayloadBytes);
  }

  private static void requireNonEmpty(String value, String field, String kind, int actionId) {
    if (value.isEmpty()) {
      throw actionError(actionId, kind, "a non-empty " + field, "it is empty");
    }
  }

  private static io.grpc.StatusRuntimeException actionError(
      int actionId, String kind, String expected, String actual) {
    return Calls.invalidArgument(
        "Expected " + kind + " action " + actionId + " to have " + expected + ", but " + actual);
  }
}
