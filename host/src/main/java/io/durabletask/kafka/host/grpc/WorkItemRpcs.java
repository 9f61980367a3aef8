package io.durabletask.kafka.host.grpc;

import io.durabletask.kafka.avro.CompleteOrchestrationAction;
import io.durabletask.kafka.avro.FailureDetails;
import io.durabletask.kafka.avro.OrchestratorAction;
import io.durabletask.kafka.avro.RuntimeStatus;
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
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker RPCs of the sidecar endpoint: the work-item stream, the completions of orchestrator
 * and activity work items, and the abandon calls.
 *
 * <p>A completion is checked in full before it is matched to its work item, so a malformed one
 * leaves the item open and reaches no partition. A chunked orchestrator completion commits with its
 * final chunk (isPartial false), with the actions of all chunks in order and the custom status of
 * the final chunk. An abandoned item goes out again after a back-off; abandoning an item that is
 * not on a stream, because it waits or was abandoned already, changes nothing.
 *
 * <p>A completion whose payload is above the limit is refused with RESOURCE_EXHAUSTED, and one with
 * an action this backend does not serve with UNIMPLEMENTED. Unlike other refusals these do not
 * leave the item open: the worker would only send the same again. The activity task fails, or the
 * orchestration fails, with the reason.
 */
final class WorkItemRpcs {
  private static final Logger log = LoggerFactory.getLogger(WorkItemRpcs.class);

  /** Error type of a task or orchestration failed because a payload was above the limit. */
  static final String PAYLOAD_TOO_LARGE = "PayloadTooLargeException";

  /** Error type of an orchestration failed because it used a feature this backend lacks. */
  static final String NOT_SUPPORTED = "UnsupportedOperationException";

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
            WorkerPeers.current(),
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
    List<OrchestratorAction> actions;
    try {
      actions = checkedActions(request);
    } catch (StatusRuntimeException e) {
      String errorType = orchestrationFailureFor(e);
      if (errorType == null) {
        throw e;
      }
      failOrchestration(request, e, errorType, response);
      return;
    }
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
    try {
      checks.checkActivity(request);
    } catch (StatusRuntimeException e) {
      if (!isOversized(e)) {
        throw e;
      }
      failActivityForSize(request, e, response);
      return;
    }
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

  /**
   * The error type to fail the orchestration with for a refused completion that the orchestrator
   * would only send again when its episode went out again (a payload above the limit, an action
   * this backend does not serve), or null when the refusal leaves the episode open.
   */
  private static String orchestrationFailureFor(StatusRuntimeException refusal) {
    return switch (refusal.getStatus().getCode()) {
      case RESOURCE_EXHAUSTED -> PAYLOAD_TOO_LARGE;
      case UNIMPLEMENTED -> NOT_SUPPORTED;
      default -> null;
    };
  }

  /**
   * Ends the orchestration as failed with the reason of the refusal, instead of the completion's
   * actions, and tells the worker the reason too.
   */
  private void failOrchestration(
      OrchestratorResponse request,
      StatusRuntimeException refusal,
      String errorType,
      StreamObserver<CompleteTaskResponse> response) {
    String reason = refusal.getStatus().getDescription();
    OrchestratorAction fail =
        new OrchestratorAction(
            nextActionId(request),
            CompleteOrchestrationAction.newBuilder()
                .setStatus(RuntimeStatus.FAILED)
                .setFailureDetails(nonRetriable(errorType, reason))
                .build());
    OrchestratorCompletion completion =
        dispatcher.takeOrchestrator(
            request.getCompletionToken(), request.getInstanceId(), 0, List.of(fail), null);
    log.warn(
        "[instance {}] orchestrator completion refused, the orchestration fails: {}",
        completion.instanceId(),
        reason);
    answerCompletion(
        engine.completeOrchestrator(completion),
        response,
        "orchestrator",
        completion.instanceId(),
        () -> {
          throw withOutcome(refusal, "The orchestration failed with this reason.");
        });
  }

  private void failActivityForSize(
      ActivityResponse request,
      StatusRuntimeException refusal,
      StreamObserver<CompleteTaskResponse> response) {
    String reason = refusal.getStatus().getDescription();
    ActivityWorkItem item =
        dispatcher.takeActivity(
            request.getCompletionToken(), request.getInstanceId(), request.getTaskId());
    ActivityCompletion completion =
        new ActivityCompletion(
            item.instanceId(),
            item.executionId(),
            item.task().getTaskId(),
            null,
            nonRetriable(PAYLOAD_TOO_LARGE, reason));
    log.warn(
        "[partition {}] [instance {}] result of activity '{}' (task {}) refused; the task fails:"
            + " {}",
        item.partition(),
        item.instanceId(),
        item.task().getName(),
        item.task().getTaskId(),
        reason);
    answerCompletion(
        engine.completeActivity(completion),
        response,
        "activity",
        item.instanceId(),
        () -> {
          throw withOutcome(refusal, "The activity task failed with this reason.");
        });
  }

  private static boolean isOversized(StatusRuntimeException e) {
    return e.getStatus().getCode() == Status.Code.RESOURCE_EXHAUSTED;
  }

  private static FailureDetails nonRetriable(String errorType, String reason) {
    return FailureDetails.newBuilder()
        .setErrorType(errorType)
        .setErrorMessage(reason)
        .setIsNonRetriable(true)
        .build();
  }

  private static StatusRuntimeException withOutcome(StatusRuntimeException refusal, String what) {
    return refusal
        .getStatus()
        .withDescription(refusal.getStatus().getDescription() + ". " + what)
        .asRuntimeException();
  }

  /** An action id above those the worker sent, for the action the host adds. */
  private static int nextActionId(OrchestratorResponse request) {
    int max = -1;
    for (io.durabletask.kafka.protocol.OrchestratorAction action : request.getActionsList()) {
      max = Math.max(max, action.getId());
    }
    return max + 1;
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
    answerCompletion(outcome, response, kind, instanceId, CompleteTaskResponse::getDefaultInstance);
  }

  /**
   * Answers with what {@code accepted} gives (or throws) once the partition took the completion, or
   * with why it did not.
   */
  private static void answerCompletion(
      CompletableFuture<CompletionOutcome> outcome,
      StreamObserver<CompleteTaskResponse> response,
      String kind,
      String instanceId,
      Supplier<CompleteTaskResponse> accepted) {
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
          return accepted.get();
        });
  }
}
