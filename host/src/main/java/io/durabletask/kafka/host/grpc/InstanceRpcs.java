package io.durabletask.kafka.host.grpc;

import io.durabletask.kafka.avro.CreateInstanceResponse;
import io.durabletask.kafka.avro.CreateOutcome;
import io.durabletask.kafka.avro.EventRaised;
import io.durabletask.kafka.avro.ExecutionResumed;
import io.durabletask.kafka.avro.ExecutionSuspended;
import io.durabletask.kafka.avro.ExecutionTerminated;
import io.durabletask.kafka.avro.InstanceMessage;
import io.durabletask.kafka.avro.InstanceQueryResponse;
import io.durabletask.kafka.avro.RuntimeStatus;
import io.durabletask.kafka.avro.WaitCondition;
import io.durabletask.kafka.engine.Engine;
import io.durabletask.kafka.protocol.CreateInstanceRequest;
import io.durabletask.kafka.protocol.GetInstanceRequest;
import io.durabletask.kafka.protocol.GetInstanceResponse;
import io.durabletask.kafka.protocol.OrchestrationStatus;
import io.durabletask.kafka.protocol.RaiseEventRequest;
import io.durabletask.kafka.protocol.RaiseEventResponse;
import io.durabletask.kafka.protocol.ResumeRequest;
import io.durabletask.kafka.protocol.ResumeResponse;
import io.durabletask.kafka.protocol.SuspendRequest;
import io.durabletask.kafka.protocol.SuspendResponse;
import io.durabletask.kafka.protocol.TerminateRequest;
import io.durabletask.kafka.protocol.TerminateResponse;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * The client RPCs of the sidecar endpoint: starting, reading, waiting for and signalling instances.
 * Each becomes a request to the instance's partition through the engine's client.
 */
final class InstanceRpcs {
  private final Engine engine;
  private final int maxPayloadBytes;

  InstanceRpcs(Engine engine, int maxPayloadBytes) {
    this.engine = engine;
    this.maxPayloadBytes = maxPayloadBytes;
  }

  public void startInstance(
      CreateInstanceRequest request,
      StreamObserver<io.durabletask.kafka.protocol.CreateInstanceResponse> response) {
    Calls.requireNonEmpty(request.getName(), "orchestration name");
    Calls.requirePayloadWithinLimit(request.getInput().getValue(), "input", maxPayloadBytes);
    io.durabletask.kafka.avro.CreateInstanceRequest create = toCreateRequest(request);
    Calls.answer(
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

  public void getInstance(
      GetInstanceRequest request, StreamObserver<GetInstanceResponse> response) {
    query(request, WaitCondition.NONE, response);
  }

  public void waitForInstanceStart(
      GetInstanceRequest request, StreamObserver<GetInstanceResponse> response) {
    query(request, WaitCondition.STARTED, response);
  }

  public void waitForInstanceCompletion(
      GetInstanceRequest request, StreamObserver<GetInstanceResponse> response) {
    query(request, WaitCondition.COMPLETED, response);
  }

  private void query(
      GetInstanceRequest request,
      WaitCondition waitFor,
      StreamObserver<GetInstanceResponse> response) {
    Calls.requireNonEmpty(request.getInstanceId(), "instance id");
    boolean includeIo = request.getGetInputsAndOutputs();
    CompletableFuture<InstanceQueryResponse> answer =
        engine.client().queryInstance(request.getInstanceId(), includeIo, waitFor);
    Calls.cancelWhenCallEnds(answer);
    Calls.answer(answer, response, found -> instanceResponse(found, includeIo));
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

  public void raiseEvent(RaiseEventRequest request, StreamObserver<RaiseEventResponse> response) {
    Calls.requireNonEmpty(request.getInstanceId(), "instance id");
    Calls.requireNonEmpty(request.getName(), "event name");
    Calls.requirePayloadWithinLimit(request.getInput().getValue(), "event data", maxPayloadBytes);
    EventRaised event =
        new EventRaised(
            request.getName(),
            ProtoMapping.toNullableString(request.hasInput(), request.getInput()));
    sendToInstance(
        request.getInstanceId(), event, response, RaiseEventResponse.getDefaultInstance());
  }

  public void terminateInstance(
      TerminateRequest request, StreamObserver<TerminateResponse> response) {
    Calls.requireNonEmpty(request.getInstanceId(), "instance id");
    ExecutionTerminated event =
        new ExecutionTerminated(
            ProtoMapping.toNullableString(request.hasOutput(), request.getOutput()),
            request.getRecursive());
    sendToInstance(
        request.getInstanceId(), event, response, TerminateResponse.getDefaultInstance());
  }

  public void suspendInstance(SuspendRequest request, StreamObserver<SuspendResponse> response) {
    Calls.requireNonEmpty(request.getInstanceId(), "instance id");
    ExecutionSuspended event =
        new ExecutionSuspended(
            ProtoMapping.toNullableString(request.hasReason(), request.getReason()));
    sendToInstance(request.getInstanceId(), event, response, SuspendResponse.getDefaultInstance());
  }

  public void resumeInstance(ResumeRequest request, StreamObserver<ResumeResponse> response) {
    Calls.requireNonEmpty(request.getInstanceId(), "instance id");
    ExecutionResumed event =
        new ExecutionResumed(
            ProtoMapping.toNullableString(request.hasReason(), request.getReason()));
    sendToInstance(request.getInstanceId(), event, response, ResumeResponse.getDefaultInstance());
  }

  private <T> void sendToInstance(
      String instanceId, Object event, StreamObserver<T> response, T reply) {
    InstanceMessage message =
        new InstanceMessage(
            instanceId,
            null,
            io.durabletask.kafka.engine.partition.HistoryEvents.of(Calls.now(), event));
    Calls.answer(engine.client().sendInstanceMessage(message), response, ignored -> reply);
  }
}
