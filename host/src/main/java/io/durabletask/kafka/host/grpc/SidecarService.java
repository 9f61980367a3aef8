package io.durabletask.kafka.host.grpc;

import com.google.protobuf.Empty;
import io.durabletask.kafka.avro.CreateInstanceResponse;
import io.durabletask.kafka.avro.CreateOutcome;
import io.durabletask.kafka.avro.EventRaised;
import io.durabletask.kafka.avro.ExecutionResumed;
import io.durabletask.kafka.avro.ExecutionSuspended;
import io.durabletask.kafka.avro.ExecutionTerminated;
import io.durabletask.kafka.avro.InstanceMessage;
import io.durabletask.kafka.avro.InstanceQueryResponse;
import io.durabletask.kafka.avro.OrchestratorAction;
import io.durabletask.kafka.avro.RuntimeStatus;
import io.durabletask.kafka.avro.WaitCondition;
import io.durabletask.kafka.engine.Engine;
import io.durabletask.kafka.engine.workitem.ActivityCompletion;
import io.durabletask.kafka.engine.workitem.ActivityWorkItem;
import io.durabletask.kafka.engine.workitem.CompletionOutcome;
import io.durabletask.kafka.engine.workitem.OrchestratorCompletion;
import io.durabletask.kafka.engine.workitem.OrchestratorWorkItem;
import io.durabletask.kafka.protocol.ActivityResponse;
import io.durabletask.kafka.protocol.CompleteTaskResponse;
import io.durabletask.kafka.protocol.CreateInstanceRequest;
import io.durabletask.kafka.protocol.GetInstanceRequest;
import io.durabletask.kafka.protocol.GetInstanceResponse;
import io.durabletask.kafka.protocol.GetWorkItemsRequest;
import io.durabletask.kafka.protocol.OrchestrationStatus;
import io.durabletask.kafka.protocol.OrchestratorResponse;
import io.durabletask.kafka.protocol.RaiseEventRequest;
import io.durabletask.kafka.protocol.RaiseEventResponse;
import io.durabletask.kafka.protocol.ResumeRequest;
import io.durabletask.kafka.protocol.ResumeResponse;
import io.durabletask.kafka.protocol.SuspendRequest;
import io.durabletask.kafka.protocol.SuspendResponse;
import io.durabletask.kafka.protocol.TaskHubSidecarServiceGrpc;
import io.durabletask.kafka.protocol.TerminateRequest;
import io.durabletask.kafka.protocol.TerminateResponse;
import io.durabletask.kafka.protocol.WorkItem;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Durable Task sidecar endpoint ({@code TaskHubSidecarService}): turns each RPC into requests
 * to the engine and answers once the engine's answer is durable.
 *
 * <p>Invalid calls are refused with INVALID_ARGUMENT before anything reaches a partition.
 */
public final class SidecarService extends TaskHubSidecarServiceGrpc.TaskHubSidecarServiceImplBase {
  private static final Logger log = LoggerFactory.getLogger(SidecarService.class);

  private final Engine engine;
  private final WorkItemDispatcher dispatcher;
  private final int maxPayloadBytes;

  public SidecarService(Engine engine, WorkItemDispatcher dispatcher, int maxPayloadBytes) {
    this.engine = engine;
    this.dispatcher = dispatcher;
    this.maxPayloadBytes = maxPayloadBytes;
  }

  @Override
  public void hello(Empty request, StreamObserver<Empty> response) {
    response.onNext(Empty.getDefaultInstance());
    response.onCompleted();
  }

  // ---- client RPCs ----

  @Override
  public void startInstance(
      CreateInstanceRequest request,
      StreamObserver<io.durabletask.kafka.protocol.CreateInstanceResponse> response) {
    requireNonEmpty(request.getName(), "orchestration name");
    requirePayloadWithinLimit(request.getInput().getValue(), "input");
    io.durabletask.kafka.avro.CreateInstanceRequest create = toCreateRequest(request);
    answer(
        engine.client().createInstance(create),
        response,
        created -> createResponse(created, create.getInstanceId()));
  }

  private io.durabletask.kafka.avro.CreateInstanceRequest toCreateRequest(
      CreateInstanceRequest request) {
    String instanceId =
        request.getInstanceId().isEmpty() ? UUID.randomUUID().toString() : request.getInstanceId();
    String executionId =
        request.hasExecutionId() && !request.getExecutionId().getValue().isEmpty()
            ? request.getExecutionId().getValue()
            : UUID.randomUUID().toString().replace("-", "");
    return io.durabletask.kafka.avro.CreateInstanceRequest.newBuilder()
        .setInstanceId(instanceId)
        .setName(request.getName())
        .setVersion(ProtoMapping.toNullableString(request.hasVersion(), request.getVersion()))
        .setInput(ProtoMapping.toNullableString(request.hasInput(), request.getInput()))
        .setExecutionId(executionId)
        .setScheduledStartTime(scheduledStartOf(request))
        .setTags(Map.copyOf(request.getTagsMap()))
        .setReplaceableStatuses(replaceableStatusesOf(request))
        .setRequestTime(System.currentTimeMillis())
        .build();
  }

  /** An unset or epoch-0 scheduled start means "now". */
  private static Long scheduledStartOf(CreateInstanceRequest request) {
    if (!request.hasScheduledStartTimestamp()) {
      return null;
    }
    long millis = ProtoMapping.toEpochMillis(request.getScheduledStartTimestamp());
    return millis > 0 ? millis : null;
  }

  private static List<RuntimeStatus> replaceableStatusesOf(CreateInstanceRequest request) {
    if (!request.hasOrchestrationIdReusePolicy()) {
      return null;
    }
    List<RuntimeStatus> statuses = new ArrayList<>();
    for (OrchestrationStatus status :
        request.getOrchestrationIdReusePolicy().getReplaceableStatusList()) {
      statuses.add(ProtoMapping.toAvroStatus(status));
    }
    return statuses;
  }

  private static io.durabletask.kafka.protocol.CreateInstanceResponse createResponse(
      CreateInstanceResponse created, String instanceId) {
    if (created.getOutcome() == CreateOutcome.ALREADY_EXISTS) {
      throw Status.ALREADY_EXISTS
          .withDescription(
              "An orchestration with instance id '"
                  + instanceId
                  + "' already exists and is "
                  + created.getExistingStatus())
          .asRuntimeException();
    }
    return io.durabletask.kafka.protocol.CreateInstanceResponse.newBuilder()
        .setInstanceId(instanceId)
        .build();
  }

  @Override
  public void getInstance(
      GetInstanceRequest request, StreamObserver<GetInstanceResponse> response) {
    query(request, WaitCondition.NONE, response);
  }

  @Override
  public void waitForInstanceStart(
      GetInstanceRequest request, StreamObserver<GetInstanceResponse> response) {
    query(request, WaitCondition.STARTED, response);
  }

  @Override
  public void waitForInstanceCompletion(
      GetInstanceRequest request, StreamObserver<GetInstanceResponse> response) {
    query(request, WaitCondition.COMPLETED, response);
  }

  private void query(
      GetInstanceRequest request,
      WaitCondition waitFor,
      StreamObserver<GetInstanceResponse> response) {
    requireNonEmpty(request.getInstanceId(), "instance id");
    boolean includeIo = request.getGetInputsAndOutputs();
    CompletableFuture<InstanceQueryResponse> answer =
        engine.client().queryInstance(request.getInstanceId(), includeIo, waitFor);
    cancelWhenCallEnds(answer);
    answer(answer, response, found -> instanceResponse(found, includeIo));
  }

  private static GetInstanceResponse instanceResponse(
      InstanceQueryResponse found, boolean includeIo) {
    if (!found.getExists()) {
      return GetInstanceResponse.newBuilder().setExists(false).build();
    }
    return GetInstanceResponse.newBuilder()
        .setExists(true)
        .setOrchestrationState(ProtoMapping.toOrchestrationState(found.getInstance(), includeIo))
        .build();
  }

  @Override
  public void raiseEvent(RaiseEventRequest request, StreamObserver<RaiseEventResponse> response) {
    requireNonEmpty(request.getInstanceId(), "instance id");
    requireNonEmpty(request.getName(), "event name");
    requirePayloadWithinLimit(request.getInput().getValue(), "event data");
    EventRaised event =
        new EventRaised(
            request.getName(),
            ProtoMapping.toNullableString(request.hasInput(), request.getInput()));
    sendToInstance(
        request.getInstanceId(), event, response, RaiseEventResponse.getDefaultInstance());
  }

  @Override
  public void terminateInstance(
      TerminateRequest request, StreamObserver<TerminateResponse> response) {
    requireNonEmpty(request.getInstanceId(), "instance id");
    ExecutionTerminated event =
        new ExecutionTerminated(
            ProtoMapping.toNullableString(request.hasOutput(), request.getOutput()),
            request.getRecursive());
    sendToInstance(
        request.getInstanceId(), event, response, TerminateResponse.getDefaultInstance());
  }

  @Override
  public void suspendInstance(SuspendRequest request, StreamObserver<SuspendResponse> response) {
    requireNonEmpty(request.getInstanceId(), "instance id");
    ExecutionSuspended event =
        new ExecutionSuspended(
            ProtoMapping.toNullableString(request.hasReason(), request.getReason()));
    sendToInstance(request.getInstanceId(), event, response, SuspendResponse.getDefaultInstance());
  }

  @Override
  public void resumeInstance(ResumeRequest request, StreamObserver<ResumeResponse> response) {
    requireNonEmpty(request.getInstanceId(), "instance id");
    ExecutionResumed event =
        new ExecutionResumed(
            ProtoMapping.toNullableString(request.hasReason(), request.getReason()));
    sendToInstance(request.getInstanceId(), event, response, ResumeResponse.getDefaultInstance());
  }

  private <T> void sendToInstance(
      String instanceId, Object event, StreamObserver<T> response, T reply) {
    InstanceMessage message =
        new InstanceMessage(
            instanceId, null, io.durabletask.kafka.engine.partition.HistoryEvents.of(now(), event));
    answer(engine.client().sendInstanceMessage(message), response, ignored -> reply);
  }

  // ---- worker RPCs ----

  @Override
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

  @Override
  public void completeOrchestratorTask(
      OrchestratorResponse request, StreamObserver<CompleteTaskResponse> response) {
    requireNonEmpty(request.getInstanceId(), "instance id");
    List<OrchestratorAction> actions = toActions(request);
    OrchestratorWorkItem item =
        dispatcher.takeOrchestrator(request.getCompletionToken(), request.getInstanceId());
    if (item == null) {
      throw notFound("orchestrator work item", request.getInstanceId());
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

  @Override
  public void completeActivityTask(
      ActivityResponse request, StreamObserver<CompleteTaskResponse> response) {
    requireNonEmpty(request.getInstanceId(), "instance id");
    requirePayloadWithinLimit(request.getResult().getValue(), "activity result");
    ActivityWorkItem item =
        dispatcher.takeActivity(
            request.getCompletionToken(), request.getInstanceId(), request.getTaskId());
    if (item == null) {
      throw notFound("activity work item", request.getInstanceId() + "#" + request.getTaskId());
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
    answer(
        outcome,
        response,
        result -> {
          if (result != CompletionOutcome.ACCEPTED) {
            throw notFound(what, instanceId);
          }
          return CompleteTaskResponse.getDefaultInstance();
        });
  }

  // ---- helpers ----

  private static <A, T> void answer(
      CompletableFuture<A> future, StreamObserver<T> response, Function<A, T> toReply) {
    future.whenComplete(
        (value, error) -> {
          try {
            if (error != null) {
              response.onError(toStatus(error));
            } else {
              response.onNext(toReply.apply(value));
              response.onCompleted();
            }
          } catch (StatusRuntimeException e) {
            response.onError(e);
          } catch (RuntimeException e) {
            log.warn("answering a call failed: {}", e.toString(), e);
            response.onError(Status.INTERNAL.withDescription(e.toString()).asRuntimeException());
          }
        });
  }

  private static StatusRuntimeException toStatus(Throwable error) {
    Throwable cause = error instanceof CompletionException ? error.getCause() : error;
    if (cause instanceof StatusRuntimeException status) {
      return status;
    }
    if (cause instanceof CancellationException) {
      return Status.CANCELLED.withDescription("the call ended").asRuntimeException();
    }
    return Status.UNAVAILABLE
        .withDescription("The task hub could not take the request: " + cause)
        .asRuntimeException();
  }

  private static void cancelWhenCallEnds(CompletableFuture<?> future) {
    Context.current().addListener(context -> future.cancel(false), Runnable::run);
  }

  private static void requireNonEmpty(String value, String what) {
    if (value == null || value.isEmpty()) {
      throw Status.INVALID_ARGUMENT
          .withDescription("Expected a non-empty " + what + ", but it is empty")
          .asRuntimeException();
    }
  }

  private void requirePayloadWithinLimit(String payload, String what) {
    // TODO(#3): carry payloads above the record limit through the blob store instead.
    if (payload != null
        && payload.length() > maxPayloadBytes / 4
        && payload.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > maxPayloadBytes) {
      throw Status.RESOURCE_EXHAUSTED
          .withDescription(
              "Expected the "
                  + what
                  + " to be at most "
                  + maxPayloadBytes
                  + " bytes, but it is "
                  + payload.getBytes(java.nio.charset.StandardCharsets.UTF_8).length)
          .asRuntimeException();
    }
  }

  private static StatusRuntimeException notFound(String what, String instanceId) {
    return Status.NOT_FOUND
        .withDescription(
            "Expected an open "
                + what
                + " for instance '"
                + instanceId
                + "', but there is none: it is unknown, was completed already, or moved")
        .asRuntimeException();
  }

  private static long now() {
    return System.currentTimeMillis();
  }
}
