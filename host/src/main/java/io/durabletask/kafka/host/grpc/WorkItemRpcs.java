package io.durabletask.kafka.host.grpc;

import io.durabletask.kafka.avro.OrchestratorAction;
import io.durabletask.kafka.engine.Engine;
import io.durabletask.kafka.engine.workitem.ActivityCompletion;
import io.durabletask.kafka.engine.workitem.ActivityWorkItem;
import io.durabletask.kafka.engine.workitem.CompletionOutcome;
import io.durabletask.kafka.engine.workitem.OrchestratorCompletion;
import io.durabletask.kafka.host.grpc.WorkItemDispatcher.Kind;
import io.durabletask.kafka.host.grpc.WorkItemDispatcher.WorkerStream;
import io.durabletask.kafka.protocol.AbandonActivityTaskRequest;
import io.durabletask.kafka.protocol.AbandonActivityTaskResponse;
import io.durabletask.kafka.protocol.AbandonEntityTaskRequest;
import io.durabletask.kafka.protocol.AbandonEntityTaskResponse;
import io.durabletask.kafka.protocol.AbandonOrchestrationTaskRequest;
import io.durabletask.kafka.protocol.AbandonOrchestrationTaskResponse;
import io.durabletask.kafka.protocol.ActivityResponse;
import io.durabletask.kafka.protocol.CompleteTaskResponse;
import io.durabletask.kafka.protocol.GetWorkItemsRequest;
import io.durabletask.kafka.protocol.OrchestratorResponse;
import io.durabletask.kafka.protocol.WorkItem;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The worker RPCs of the sidecar endpoint: the work-item stream, the completions of orchestrator
 * and activity work items, and the abandon calls.
 *
 * <p>A completion is checked in full before it is matched to its work item, so a malformed one
 * leaves the item open and reaches no partition. A chunked orchestrator completion commits with its
 * final chunk (isPartial false), with the actions of all chunks in order and the custom status of
 * the final chunk. An abandoned item goes out again after a back-off; abandoning an item that is
 * not on a stream, because it waits or was abandoned already, changes nothing.
 */
final class WorkItemRpcs {
  private final Engine engine;
  private final WorkItemDispatcher dispatcher;
  private final CompletionChecks checks;

  WorkItemRpcs(Engine engine, WorkItemDispatcher dispatcher, int maxPayloadBytes) {
    this.engine = engine;
    this.dispatcher = dispatcher;
    this.checks = new CompletionChecks(maxPayloadBytes);
  }

  public void getWorkItems(GetWorkItemsRequest request, StreamObserver<WorkItem> response) {
    ServerCallStreamObserver<WorkItem> observer = (ServerCallStreamObserver<WorkItem>) response;
    WorkerStream stream =
        dispatcher.newStream(
            observer,
            request.getMaxConcurrentOrchestrationWorkItems(),
            request.getMaxConcurrentActivityWorkItems());
    observer.setOnCancelHandler(() -> dispatcher.disconnect(stream));
    observer.setOnReadyHandler(() -> dispatcher.onStreamReady(stream));
    dispatcher.connect(stream);
    if (observer.isCancelled()) {
      dispatcher.disconnect(stream);
    }
  }

  public void completeOrchestratorTask(
      OrchestratorResponse request, StreamObserver<CompleteTaskResponse> response) {
    List<OrchestratorAction> actions = checkedActions(request);
    String token = request.getCompletionToken();
    int chunkIndex = request.hasChunkIndex() ? request.getChunkIndex().getValue() : 0;
    if (request.getIsPartial()) {
      dispatcher.addOrchestratorChunk(token, request.getInstanceId(), chunkIndex, actions);
      Calls.reply(response, CompleteTaskResponse.getDefaultInstance());
      return;
    }
    String customStatus =
        ProtoMapping.toNullableString(request.hasCustomStatus(), request.getCustomStatus());
    OrchestratorCompletion completion =
        dispatcher.takeOrchestrator(
            token, request.getInstanceId(), chunkIndex, actions, customStatus);
    answerCompletion(
        engine.completeOrchestrator(completion), response, "orchestrator", completion.instanceId());
  }

  /** Checks a completion or chunk; a malformed chunk drops the chunks received before it. */
  private List<OrchestratorAction> checkedActions(OrchestratorResponse request) {
    try {
      return checks.checkOrchestrator(request);
    } catch (StatusRuntimeException e) {
      dispatcher.dropChunks(request.getCompletionToken(), request.getInstanceId());
      throw e;
    }
  }

  public void completeActivityTask(
      ActivityResponse request, StreamObserver<CompleteTaskResponse> response) {
    checks.checkActivity(request);
    ActivityWorkItem item =
        dispatcher.takeActivity(
            request.getCompletionToken(), request.getInstanceId(), request.getTaskId());
    ActivityCompletion completion =
        new ActivityCompletion(
            item.instanceId(),
            item.executionId(),
            item.task().getTaskId(),
            ProtoMapping.toNullableString(request.hasResult(), request.getResult()),
            request.hasFailureDetails()
                ? ProtoMapping.toAvroFailureDetails(request.getFailureDetails())
                : null);
    answerCompletion(engine.completeActivity(completion), response, "activity", item.instanceId());
  }

  public void abandonTaskOrchestratorWorkItem(
      AbandonOrchestrationTaskRequest request,
      StreamObserver<AbandonOrchestrationTaskResponse> response) {
    abandon(Kind.ORCHESTRATOR, request.getCompletionToken());
    Calls.reply(response, AbandonOrchestrationTaskResponse.getDefaultInstance());
  }

  public void abandonTaskActivityWorkItem(
      AbandonActivityTaskRequest request, StreamObserver<AbandonActivityTaskResponse> response) {
    abandon(Kind.ACTIVITY, request.getCompletionToken());
    Calls.reply(response, AbandonActivityTaskResponse.getDefaultInstance());
  }

  /** This host hands out no entity work items yet, so no token can name one. */
  public void abandonTaskEntityWorkItem(
      AbandonEntityTaskRequest request, StreamObserver<AbandonEntityTaskResponse> response) {
    Calls.requireNonEmpty(request.getCompletionToken(), "completion token");
    throw Calls.notFound(
        "Expected an open entity work item for completion token '"
            + WorkItemDispatcher.CompletionToken.abbreviate(request.getCompletionToken())
            + "', but this host hands out no entity work items");
  }

  private void abandon(Kind kind, String token) {
    Calls.requireNonEmpty(token, "completion token");
    dispatcher.abandon(kind, token);
  }

  private static void answerCompletion(
      CompletableFuture<CompletionOutcome> outcome,
      StreamObserver<CompleteTaskResponse> response,
      String kind,
      String instanceId) {
    Calls.answer(
        outcome,
        response,
        result -> {
          if (result == CompletionOutcome.NOT_OWNED) {
            throw Calls.notFound(
                "Expected the partition of instance '"
                    + instanceId
                    + "' to run on this host, but it moved; its new owner hands the "
                    + kind
                    + " work item out again");
          }
          if (result != CompletionOutcome.ACCEPTED) {
            throw Calls.notFound(
                "Expected the partition of instance '"
                    + instanceId
                    + "' to have this "
                    + kind
                    + " work item open, but it has not: it was completed already or the"
                    + " partition restarted");
          }
          return CompleteTaskResponse.getDefaultInstance();
        });
  }
}
