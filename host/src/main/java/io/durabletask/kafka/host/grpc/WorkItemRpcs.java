package io.durabletask.kafka.host.grpc;

import io.durabletask.kafka.avro.OrchestratorAction;
import io.durabletask.kafka.engine.Engine;
import io.durabletask.kafka.engine.workitem.ActivityCompletion;
import io.durabletask.kafka.engine.workitem.ActivityWorkItem;
import io.durabletask.kafka.engine.workitem.CompletionOutcome;
import io.durabletask.kafka.engine.workitem.OrchestratorCompletion;
import io.durabletask.kafka.engine.workitem.OrchestratorWorkItem;
import io.durabletask.kafka.protocol.ActivityResponse;
import io.durabletask.kafka.protocol.CompleteTaskResponse;
import io.durabletask.kafka.protocol.GetWorkItemsRequest;
import io.durabletask.kafka.protocol.OrchestratorResponse;
import io.durabletask.kafka.protocol.WorkItem;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The worker RPCs of the sidecar endpoint: the work-item stream and the completions of orchestrator
 * and activity work items.
 */
final class WorkItemRpcs {
  private final Engine engine;
  private final WorkItemDispatcher dispatcher;
  private final int maxPayloadBytes;

  WorkItemRpcs(Engine engine, WorkItemDispatcher dispatcher, int maxPayloadBytes) {
    this.engine = engine;
    this.dispatcher = dispatcher;
    this.maxPayloadBytes = maxPayloadBytes;
  }

  public void getWorkItems(GetWorkItemsRequest request, StreamObserver<WorkItem> response) {
    ServerCallStreamObserver<WorkItem> observer = (ServerCallStreamObserver<WorkItem>) response;
    WorkItemDispatcher.WorkerStream[] stream = new WorkItemDispatcher.WorkerStream[1];
    observer.setOnCancelHandler(
        () -> {
          if (stream[0] != null) {
            dispatcher.disconnect(stream[0]);
          }
        });
    stream[0] = dispatcher.connect(observer);
    if (observer.isCancelled()) {
      dispatcher.disconnect(stream[0]);
    }
  }

  public void completeOrchestratorTask(
      OrchestratorResponse request, StreamObserver<CompleteTaskResponse> response) {
    Calls.requireNonEmpty(request.getInstanceId(), "instance id");
    List<OrchestratorAction> actions = toActions(request);
    OrchestratorWorkItem item =
        dispatcher.takeOrchestrator(request.getCompletionToken(), request.getInstanceId());
    if (item == null) {
      throw Calls.notFound("orchestrator work item", request.getInstanceId());
    }
    String customStatus =
        ProtoMapping.toNullableString(request.hasCustomStatus(), request.getCustomStatus());
    OrchestratorCompletion completion =
        new OrchestratorCompletion(item.instanceId(), item.dispatchId(), actions, customStatus);
    answerCompletion(
        engine.completeOrchestrator(completion),
        response,
        "orchestrator work item",
        item.instanceId());
  }

  private static List<OrchestratorAction> toActions(OrchestratorResponse request) {
    List<OrchestratorAction> actions = new ArrayList<>(request.getActionsCount());
    try {
      request.getActionsList().forEach(a -> actions.add(ProtoMapping.toAvroAction(a)));
    } catch (IllegalArgumentException e) {
      throw Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException();
    }
    return actions;
  }

  public void completeActivityTask(
      ActivityResponse request, StreamObserver<CompleteTaskResponse> response) {
    Calls.requireNonEmpty(request.getInstanceId(), "instance id");
    Calls.requirePayloadWithinLimit(
        request.getResult().getValue(), "activity result", maxPayloadBytes);
    ActivityWorkItem item =
        dispatcher.takeActivity(
            request.getCompletionToken(), request.getInstanceId(), request.getTaskId());
    if (item == null) {
      throw Calls.notFound(
          "activity work item", request.getInstanceId() + "#" + request.getTaskId());
    }
    ActivityCompletion completion =
        new ActivityCompletion(
            item.instanceId(),
            item.executionId(),
            item.task().getTaskId(),
            ProtoMapping.toNullableString(request.hasResult(), request.getResult()),
            request.hasFailureDetails()
                ? ProtoMapping.toAvroFailureDetails(request.getFailureDetails())
                : null);
    answerCompletion(
        engine.completeActivity(completion), response, "activity work item", item.instanceId());
  }

  private static void answerCompletion(
      CompletableFuture<CompletionOutcome> outcome,
      StreamObserver<CompleteTaskResponse> response,
      String what,
      String instanceId) {
    Calls.answer(
        outcome,
        response,
        result -> {
          if (result != CompletionOutcome.ACCEPTED) {
            throw Calls.notFound(what, instanceId);
          }
          return CompleteTaskResponse.getDefaultInstance();
        });
  }
}
