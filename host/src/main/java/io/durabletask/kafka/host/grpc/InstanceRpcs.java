package io.durabletask.kafka.host.grpc;

import com.google.protobuf.BoolValue;
import com.google.protobuf.StringValue;
import com.google.protobuf.Timestamp;
import io.durabletask.kafka.avro.CreateInstanceResponse;
import io.durabletask.kafka.avro.CreateOutcome;
import io.durabletask.kafka.avro.DeliveryOutcome;
import io.durabletask.kafka.avro.EventRaised;
import io.durabletask.kafka.avro.ExecutionResumed;
import io.durabletask.kafka.avro.ExecutionSuspended;
import io.durabletask.kafka.avro.ExecutionTerminated;
import io.durabletask.kafka.avro.HistoryPage;
import io.durabletask.kafka.avro.InstanceFilter;
import io.durabletask.kafka.avro.InstanceMessage;
import io.durabletask.kafka.avro.InstanceQueryResponse;
import io.durabletask.kafka.avro.InstanceSnapshot;
import io.durabletask.kafka.avro.RuntimeStatus;
import io.durabletask.kafka.avro.WaitCondition;
import io.durabletask.kafka.engine.Engine;
import io.durabletask.kafka.engine.partition.HistoryEvents;
import io.durabletask.kafka.engine.query.QueryKey;
import io.durabletask.kafka.engine.query.QueryPage;
import io.durabletask.kafka.protocol.CreateInstanceRequest;
import io.durabletask.kafka.protocol.CreateTaskHubRequest;
import io.durabletask.kafka.protocol.CreateTaskHubResponse;
import io.durabletask.kafka.protocol.DeleteTaskHubRequest;
import io.durabletask.kafka.protocol.DeleteTaskHubResponse;
import io.durabletask.kafka.protocol.GetInstanceRequest;
import io.durabletask.kafka.protocol.GetInstanceResponse;
import io.durabletask.kafka.protocol.HistoryChunk;
import io.durabletask.kafka.protocol.HistoryEvent;
import io.durabletask.kafka.protocol.InstanceBatch;
import io.durabletask.kafka.protocol.InstanceQuery;
import io.durabletask.kafka.protocol.ListInstanceIdsRequest;
import io.durabletask.kafka.protocol.ListInstanceIdsResponse;
import io.durabletask.kafka.protocol.OrchestrationStatus;
import io.durabletask.kafka.protocol.PurgeInstanceFilter;
import io.durabletask.kafka.protocol.PurgeInstancesRequest;
import io.durabletask.kafka.protocol.PurgeInstancesResponse;
import io.durabletask.kafka.protocol.QueryInstancesRequest;
import io.durabletask.kafka.protocol.QueryInstancesResponse;
import io.durabletask.kafka.protocol.RaiseEventRequest;
import io.durabletask.kafka.protocol.RaiseEventResponse;
import io.durabletask.kafka.protocol.RestartInstanceRequest;
import io.durabletask.kafka.protocol.RestartInstanceResponse;
import io.durabletask.kafka.protocol.ResumeRequest;
import io.durabletask.kafka.protocol.ResumeResponse;
import io.durabletask.kafka.protocol.RewindInstanceRequest;
import io.durabletask.kafka.protocol.RewindInstanceResponse;
import io.durabletask.kafka.protocol.StreamInstanceHistoryRequest;
import io.durabletask.kafka.protocol.SuspendRequest;
import io.durabletask.kafka.protocol.SuspendResponse;
import io.durabletask.kafka.protocol.TerminateRequest;
import io.durabletask.kafka.protocol.TerminateResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client RPCs of the sidecar endpoint: starting, reading, waiting for, signalling, listing,
 * restarting and purging instances, and wiping the task hub. Each becomes a request to the
 * instance's partition, or to every partition, through the engine's client.
 *
 * <p>RaiseEvent, TerminateInstance, SuspendInstance and ResumeInstance answer once the instance's
 * partition has taken the message durably: NOT_FOUND when no such instance exists (a round trip
 * that makes a mistyped id visible to the caller), OK otherwise. A message to an instance that has
 * ended is recorded and dropped, and answered OK, as the protocol asks.
 *
 * <p>A wait (WaitForInstanceStart/Completion) lasts until the instance gets there or the call ends;
 * the client's deadline ends it with DEADLINE_EXCEEDED on the client's side, and the partition then
 * forgets the waiter.
 */
final class InstanceRpcs {
  private static final Logger log = LoggerFactory.getLogger(InstanceRpcs.class);

  /** The page size of QueryInstances and ListInstanceIds when the request gives none. */
  static final int DEFAULT_PAGE_SIZE = 100;

  /** The most instance ids of one purge batch, as the protocol allows. */
  static final int MAX_PURGE_BATCH = 500;

  /** The most events of one HistoryChunk, and roughly its most bytes. */
  static final int HISTORY_CHUNK_EVENTS = 200;

  static final int HISTORY_CHUNK_BYTES = 1024 * 1024;

  private static final Set<RuntimeStatus> TERMINAL =
      EnumSet.of(
          RuntimeStatus.COMPLETED,
          RuntimeStatus.FAILED,
          RuntimeStatus.TERMINATED,
          RuntimeStatus.CANCELED);

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
        new InstanceMessage(instanceId, null, HistoryEvents.of(Calls.now(), event));
    Calls.answer(
        engine.client().sendInstanceMessage(message),
        response,
        outcome -> {
          if (outcome == DeliveryOutcome.NOT_FOUND) {
            throw Status.NOT_FOUND
                .withDescription(
                    "Expected an orchestration instance with id '"
                        + instanceId
                        + "', but there is none")
                .asRuntimeException();
          }
          return reply;
        });
  }

  // ---- listings ----

  public void queryInstances(
      QueryInstancesRequest request, StreamObserver<QueryInstancesResponse> response) {
    InstanceQuery query = request.getQuery();
    InstanceFilter filter =
        InstanceFilter.newBuilder()
            .setStatuses(toStatuses(query.getRuntimeStatusList()))
            .setCreatedTimeFrom(
                nullableMillis(query.hasCreatedTimeFrom(), query.getCreatedTimeFrom()))
            .setCreatedTimeTo(nullableMillis(query.hasCreatedTimeTo(), query.getCreatedTimeTo()))
            .setInstanceIdPrefix(
                nonEmptyOrNull(query.hasInstanceIdPrefix(), query.getInstanceIdPrefix()))
            .build();
    int pageSize = pageSizeOf(query.getMaxInstanceCount());
    QueryKey after = startOf(query.hasContinuationToken(), query.getContinuationToken());
    boolean includeIo = query.getFetchInputsAndOutputs();
    CompletableFuture<QueryPage<InstanceSnapshot>> page =
        engine.client().queryInstances(filter, includeIo, pageSize, after);
    Calls.cancelWhenCallEnds(page);
    Calls.answer(page, response, found -> queryResponse(found, includeIo));
  }

  private static QueryInstancesResponse queryResponse(
      QueryPage<InstanceSnapshot> page, boolean includeIo) {
    QueryInstancesResponse.Builder builder = QueryInstancesResponse.newBuilder();
    page.items()
        .forEach(
            row ->
                builder.addOrchestrationState(ProtoMapping.toOrchestrationState(row, includeIo)));
    if (page.next() != null) {
      builder.setContinuationToken(StringValue.of(page.next().toToken()));
    }
    return builder.build();
  }

  public void listInstanceIds(
      ListInstanceIdsRequest request, StreamObserver<ListInstanceIdsResponse> response) {
    List<RuntimeStatus> statuses = toStatuses(request.getRuntimeStatusList());
    Long from = nullableMillis(request.hasCompletedTimeFrom(), request.getCompletedTimeFrom());
    Long to = nullableMillis(request.hasCompletedTimeTo(), request.getCompletedTimeTo());
    int pageSize = pageSizeOf(request.getPageSize());
    QueryKey after = startOf(request.hasLastInstanceKey(), request.getLastInstanceKey());
    CompletableFuture<QueryPage<String>> page =
        engine.client().listInstanceIds(statuses, from, to, pageSize, after);
    Calls.cancelWhenCallEnds(page);
    Calls.answer(page, response, InstanceRpcs::listResponse);
  }

  private static ListInstanceIdsResponse listResponse(QueryPage<String> page) {
    ListInstanceIdsResponse.Builder builder =
        ListInstanceIdsResponse.newBuilder().addAllInstanceIds(page.items());
    if (page.next() != null) {
      builder.setLastInstanceKey(StringValue.of(page.next().toToken()));
    }
    return builder.build();
  }

  private static int pageSizeOf(int requested) {
    return requested > 0 ? requested : DEFAULT_PAGE_SIZE;
  }

  /** Absent or "" starts at the first page. */
  private static QueryKey startOf(boolean present, StringValue token) {
    if (!present || token.getValue().isEmpty()) {
      return null;
    }
    try {
      return QueryKey.fromToken(token.getValue());
    } catch (IllegalArgumentException e) {
      throw Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException();
    }
  }

  private static List<RuntimeStatus> toStatuses(List<OrchestrationStatus> statuses) {
    List<RuntimeStatus> result = new ArrayList<>(statuses.size());
    for (OrchestrationStatus status : statuses) {
      try {
        result.add(ProtoMapping.toAvroStatus(status));
      } catch (IllegalArgumentException e) {
        throw Status.INVALID_ARGUMENT
            .withDescription("Expected known runtime statuses, but got " + status)
            .asRuntimeException();
      }
    }
    return result;
  }

  /** An unset timestamp, or epoch 0, is an open bound. */
  private static Long nullableMillis(boolean present, Timestamp timestamp) {
    return present ? ProtoMapping.toNullableEpochMillis(timestamp) : null;
  }

  private static String nonEmptyOrNull(boolean present, StringValue value) {
    return present && !value.getValue().isEmpty() ? value.getValue() : null;
  }

  // ---- history ----

  /**
   * Streams the stored history of the current execution (or the given one, which must be the
   * current one) as chunks of at most {@value #HISTORY_CHUNK_EVENTS} events. The partition is read
   * page by page, each page pinned to the execution of the first.
   */
  public void streamInstanceHistory(
      StreamInstanceHistoryRequest request, StreamObserver<HistoryChunk> response) {
    Calls.requireNonEmpty(request.getInstanceId(), "instance id");
    String executionId = nonEmptyOrNull(request.hasExecutionId(), request.getExecutionId());
    streamHistoryFrom(
        (ServerCallStreamObserver<HistoryChunk>) response, request.getInstanceId(), executionId, 0);
  }

  private void streamHistoryFrom(
      ServerCallStreamObserver<HistoryChunk> response,
      String instanceId,
      String executionId,
      int startIndex) {
    engine
        .client()
        .readHistory(instanceId, executionId, startIndex)
        .whenComplete(
            (page, error) -> {
              if (response.isCancelled()) {
                return;
              }
              if (error != null) {
                response.onError(Calls.toStatus(error));
              } else if (!page.getExists()) {
                response.onError(historyGone(instanceId, executionId, startIndex));
              } else {
                sendHistoryChunks(response, page.getEvents());
                continueHistory(response, instanceId, page, startIndex);
              }
            });
  }

  private void continueHistory(
      ServerCallStreamObserver<HistoryChunk> response,
      String instanceId,
      HistoryPage page,
      int startIndex) {
    if (page.getHasMore()) {
      streamHistoryFrom(
          response, instanceId, page.getExecutionId(), startIndex + page.getEvents().size());
    } else {
      response.onCompleted();
    }
  }

  private static void sendHistoryChunks(
      StreamObserver<HistoryChunk> response, List<io.durabletask.kafka.avro.HistoryEvent> events) {
    HistoryChunk.Builder chunk = HistoryChunk.newBuilder();
    int bytes = 0;
    for (io.durabletask.kafka.avro.HistoryEvent event : events) {
      HistoryEvent proto = ProtoMapping.toProtoHistoryEvent(event);
      int size = proto.getSerializedSize();
      if (chunk.getEventsCount() == HISTORY_CHUNK_EVENTS
          || (chunk.getEventsCount() > 0 && bytes + size > HISTORY_CHUNK_BYTES)) {
        response.onNext(chunk.build());
        chunk = HistoryChunk.newBuilder();
        bytes = 0;
      }
      chunk.addEvents(proto);
      bytes += size;
    }
    if (chunk.getEventsCount() > 0) {
      response.onNext(chunk.build());
    }
  }

  private static StatusRuntimeException historyGone(
      String instanceId, String executionId, int startIndex) {
    if (startIndex > 0) {
      return Status.ABORTED
          .withDescription(
              "Expected execution '"
                  + executionId
                  + "' of instance '"
                  + instanceId
                  + "' to last while its history was streamed, but it was replaced or purged")
          .asRuntimeException();
    }
    String execution = executionId == null ? "" : " with execution '" + executionId + "'";
    return Status.NOT_FOUND
        .withDescription(
            "Expected an orchestration instance with id '"
                + instanceId
                + "'"
                + execution
                + ", but there is none")
        .asRuntimeException();
  }

  // ---- restart and rewind ----

  /**
   * Starts the instance again with its name, version, input and tags: under the same id, which
   * needs the instance to have ended, or under a new generated id.
   */
  public void restartInstance(
      RestartInstanceRequest request, StreamObserver<RestartInstanceResponse> response) {
    Calls.requireNonEmpty(request.getInstanceId(), "instance id");
    CompletableFuture<String> restarted =
        engine
            .client()
            .queryInstance(request.getInstanceId(), true, WaitCondition.NONE)
            .thenCompose(found -> restart(request, found));
    Calls.answer(
        restarted,
        response,
        instanceId -> RestartInstanceResponse.newBuilder().setInstanceId(instanceId).build());
  }

  private CompletableFuture<String> restart(
      RestartInstanceRequest request, InstanceQueryResponse found) {
    if (!found.getExists()) {
      throw Status.NOT_FOUND
          .withDescription(
              "Expected an orchestration instance with id '"
                  + request.getInstanceId()
                  + "' to restart, but there is none")
          .asRuntimeException();
    }
    InstanceSnapshot old = found.getInstance();
    boolean newId = request.getRestartWithNewInstanceId();
    if (!newId && !TERMINAL.contains(old.getStatus())) {
      throw notEndedYet(old.getInstanceId(), old.getStatus());
    }
    io.durabletask.kafka.avro.CreateInstanceRequest create =
        io.durabletask.kafka.avro.CreateInstanceRequest.newBuilder()
            .setInstanceId(newId ? UUID.randomUUID().toString() : old.getInstanceId())
            .setName(old.getName())
            .setVersion(old.getVersion())
            .setInput(old.getInput())
            .setExecutionId(UUID.randomUUID().toString().replace("-", ""))
            .setTags(old.getTags())
            .setRequestTime(Calls.now())
            .build();
    return engine
        .client()
        .createInstance(create)
        .thenApply(
            created -> {
              if (created.getOutcome() == CreateOutcome.ALREADY_EXISTS) {
                throw notEndedYet(created.getInstanceId(), created.getExistingStatus());
              }
              return created.getInstanceId();
            });
  }

  private static StatusRuntimeException notEndedYet(String instanceId, RuntimeStatus status) {
    return Status.FAILED_PRECONDITION
        .withDescription(
            "Expected instance '"
                + instanceId
                + "' to be completed, failed or terminated before it restarts under the same id,"
                + " but it is "
                + status)
        .asRuntimeException();
  }

  public void rewindInstance(
      RewindInstanceRequest request, StreamObserver<RewindInstanceResponse> response) {
    Calls.requireNonEmpty(request.getInstanceId(), "instance id");
    throw Status.FAILED_PRECONDITION
        .withDescription(
            "Expected a backend that can rewind instance '"
                + request.getInstanceId()
                + "', but rewind is not supported by durabletask-kafka; restart the instance"
                + " instead")
        .asRuntimeException();
  }

  // ---- purge and task hub ----

  /**
   * Purges terminal instances by id, by batch of ids, or by filter, on every partition; with {@code
   * recursive}, their sub-orchestrations too. Instances that have not ended are never purged.
   */
  public void purgeInstances(
      PurgeInstancesRequest request, StreamObserver<PurgeInstancesResponse> response) {
    boolean recursive = request.getRecursive();
    CompletableFuture<Integer> purged =
        switch (request.getRequestCase()) {
          case INSTANCEID -> {
            Calls.requireNonEmpty(request.getInstanceId(), "instance id");
            yield engine.client().purgeInstances(List.of(request.getInstanceId()), recursive);
          }
          case INSTANCEBATCH ->
              engine.client().purgeInstances(batchOf(request.getInstanceBatch()), recursive);
          case PURGEINSTANCEFILTER ->
              engine.client().purgeInstances(filterOf(request.getPurgeInstanceFilter()), recursive);
          case REQUEST_NOT_SET ->
              throw Status.INVALID_ARGUMENT
                  .withDescription(
                      "Expected an instance id, a batch of instance ids or a filter to purge, but"
                          + " the request has none")
                  .asRuntimeException();
        };
    Calls.answer(
        purged,
        response,
        count ->
            PurgeInstancesResponse.newBuilder()
                .setDeletedInstanceCount(count)
                .setIsComplete(BoolValue.of(true))
                .build());
  }

  private static List<String> batchOf(InstanceBatch batch) {
    if (batch.getInstanceIdsCount() > MAX_PURGE_BATCH) {
      throw Status.INVALID_ARGUMENT
          .withDescription(
              "Expected at most "
                  + MAX_PURGE_BATCH
                  + " instance ids in one purge, but got "
                  + batch.getInstanceIdsCount())
          .asRuntimeException();
    }
    batch.getInstanceIdsList().forEach(id -> Calls.requireNonEmpty(id, "instance id in the batch"));
    return batch.getInstanceIdsList();
  }

  private static InstanceFilter filterOf(PurgeInstanceFilter filter) {
    return InstanceFilter.newBuilder()
        .setStatuses(toStatuses(filter.getRuntimeStatusList()))
        .setCreatedTimeFrom(
            nullableMillis(filter.hasCreatedTimeFrom(), filter.getCreatedTimeFrom()))
        .setCreatedTimeTo(nullableMillis(filter.hasCreatedTimeTo(), filter.getCreatedTimeTo()))
        .build();
  }

  /** With {@code recreateIfExists}, wipes the task hub; otherwise the hub exists already. */
  public void createTaskHub(
      CreateTaskHubRequest request, StreamObserver<CreateTaskHubResponse> response) {
    if (request.getRecreateIfExists()) {
      wipeTaskHub(response, CreateTaskHubResponse.getDefaultInstance());
    } else {
      response.onNext(CreateTaskHubResponse.getDefaultInstance());
      response.onCompleted();
    }
  }

  /** Wipes the task hub; the hub itself stays usable, empty. */
  public void deleteTaskHub(
      DeleteTaskHubRequest request, StreamObserver<DeleteTaskHubResponse> response) {
    wipeTaskHub(response, DeleteTaskHubResponse.getDefaultInstance());
  }

  private <T> void wipeTaskHub(StreamObserver<T> response, T reply) {
    Calls.answer(
        engine.client().wipeTaskHub(),
        response,
        removed -> {
          log.info("[hub {}] wiped: {} instances removed", engine.config().hubName(), removed);
          return reply;
        });
  }
}
