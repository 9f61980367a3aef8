package io.durabletask.kafka.host.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import com.google.protobuf.StringValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.Value;
import io.durabletask.kafka.avro.ActivityTask;
import io.durabletask.kafka.avro.ContinueAsNew;
import io.durabletask.kafka.avro.EventRaised;
import io.durabletask.kafka.avro.EventSent;
import io.durabletask.kafka.avro.ExecutionCompleted;
import io.durabletask.kafka.avro.ExecutionResumed;
import io.durabletask.kafka.avro.ExecutionStarted;
import io.durabletask.kafka.avro.ExecutionSuspended;
import io.durabletask.kafka.avro.ExecutionTerminated;
import io.durabletask.kafka.avro.FailureDetails;
import io.durabletask.kafka.avro.InstanceSnapshot;
import io.durabletask.kafka.avro.OrchestratorCompleted;
import io.durabletask.kafka.avro.OrchestratorStarted;
import io.durabletask.kafka.avro.ParentInstance;
import io.durabletask.kafka.avro.RuntimeStatus;
import io.durabletask.kafka.avro.SubOrchestrationInstanceCompleted;
import io.durabletask.kafka.avro.SubOrchestrationInstanceCreated;
import io.durabletask.kafka.avro.SubOrchestrationInstanceFailed;
import io.durabletask.kafka.avro.TaskCompleted;
import io.durabletask.kafka.avro.TaskFailed;
import io.durabletask.kafka.avro.TaskScheduled;
import io.durabletask.kafka.avro.TimerCreated;
import io.durabletask.kafka.avro.TimerFired;
import io.durabletask.kafka.protocol.ActivityRequest;
import io.durabletask.kafka.protocol.CompleteOrchestrationAction;
import io.durabletask.kafka.protocol.CreateInstanceRequest;
import io.durabletask.kafka.protocol.CreateSubOrchestrationAction;
import io.durabletask.kafka.protocol.CreateTimerAction;
import io.durabletask.kafka.protocol.EntityLockGrantedEvent;
import io.durabletask.kafka.protocol.EntityOperationSignaledEvent;
import io.durabletask.kafka.protocol.EventRaisedEvent;
import io.durabletask.kafka.protocol.ExecutionStartedEvent;
import io.durabletask.kafka.protocol.GenericEvent;
import io.durabletask.kafka.protocol.HistoryEvent;
import io.durabletask.kafka.protocol.OrchestrationInstance;
import io.durabletask.kafka.protocol.OrchestrationState;
import io.durabletask.kafka.protocol.OrchestrationStatus;
import io.durabletask.kafka.protocol.OrchestratorAction;
import io.durabletask.kafka.protocol.OrchestratorResponse;
import io.durabletask.kafka.protocol.RewindOrchestrationAction;
import io.durabletask.kafka.protocol.ScheduleTaskAction;
import io.durabletask.kafka.protocol.SendEntityMessageAction;
import io.durabletask.kafka.protocol.SendEventAction;
import io.durabletask.kafka.protocol.SidecarProtocol;
import io.durabletask.kafka.protocol.TaskFailureDetails;
import io.durabletask.kafka.protocol.TaskHubSidecarServiceGrpc;
import io.durabletask.kafka.protocol.TaskScheduledEvent;
import io.durabletask.kafka.protocol.TerminateOrchestrationAction;
import io.durabletask.kafka.protocol.WorkItem;
import io.grpc.MethodDescriptor.MethodType;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class ProtoMappingTest {

  private static final long T0 = 1_700_000_000_123L;

  // ---- wire contract ----

  @Test
  void shouldNameTheServiceWithoutPackage() {
    // given
    ServiceDescriptor service = SidecarProtocol.getDescriptor().getServices().get(0);

    // when
    String fullName = service.getFullName();

    // then
    assertThat(SidecarProtocol.getDescriptor().getPackage()).isEmpty();
    assertThat(fullName).isEqualTo("TaskHubSidecarService");
    assertThat(TaskHubSidecarServiceGrpc.SERVICE_NAME).isEqualTo("TaskHubSidecarService");
    assertThat(service.getMethods()).hasSize(29);
  }

  @Test
  void shouldStreamWorkItemsAndHistoryFromTheServer() {
    // given / when
    var getWorkItems = TaskHubSidecarServiceGrpc.getGetWorkItemsMethod();
    var streamHistory = TaskHubSidecarServiceGrpc.getStreamInstanceHistoryMethod();

    // then
    assertThat(getWorkItems.getFullMethodName()).isEqualTo("TaskHubSidecarService/GetWorkItems");
    assertThat(getWorkItems.getType()).isEqualTo(MethodType.SERVER_STREAMING);
    assertThat(streamHistory.getType()).isEqualTo(MethodType.SERVER_STREAMING);
    assertThat(TaskHubSidecarServiceGrpc.getStartInstanceMethod().getType())
        .isEqualTo(MethodType.UNARY);
  }

  @ParameterizedTest(name = "{0}.{1} = {2}")
  @MethodSource("wireFieldNumbers")
  void shouldKeepWireFieldNumbers(String message, String field, int number, Descriptor type) {
    // given the descriptor of the message

    // when
    int actual = type.findFieldByName(field).getNumber();

    // then
    assertThat(actual).isEqualTo(number);
  }

  static Stream<Arguments> wireFieldNumbers() {
    return Stream.of(
        field("completionToken", 10, WorkItem.getDescriptor()),
        field("completionToken", 4, OrchestratorResponse.getDescriptor()),
        field("orchestrationIdReusePolicy", 6, CreateInstanceRequest.getDescriptor()),
        field("tags", 7, ActivityRequest.getDescriptor()),
        field("tags", 5, TaskScheduledEvent.getDescriptor()),
        field("parentTraceContext", 7, ExecutionStartedEvent.getDescriptor()),
        field("executionId", 12, OrchestrationState.getDescriptor()),
        field("parentInstanceId", 14, OrchestrationState.getDescriptor()),
        field("executionRewound", 30, HistoryEvent.getDescriptor()),
        field("rewindOrchestration", 9, OrchestratorAction.getDescriptor()));
  }

  private static Arguments field(String name, int number, Descriptor type) {
    return Arguments.of(type.getName(), name, number, type);
  }

  // ---- scalars ----

  @ParameterizedTest
  @CsvSource({"1700000000123", "0", "-1", "-1001", "999"})
  void shouldRoundTripEpochMillisThroughTimestamp(long epochMillis) {
    // given / when
    Timestamp timestamp = ProtoMapping.toTimestamp(epochMillis);

    // then
    assertThat(timestamp.getNanos()).isBetween(0, 999_999_999);
    assertThat(ProtoMapping.toEpochMillis(timestamp)).isEqualTo(epochMillis);
  }

  @Test
  void shouldMapUnsetOrEpochZeroTimestampToNull() {
    // given
    Timestamp unset = Timestamp.getDefaultInstance();
    Timestamp set = ProtoMapping.toTimestamp(T0);

    // when / then
    assertThat(ProtoMapping.toNullableEpochMillis(unset)).isNull();
    assertThat(ProtoMapping.toNullableEpochMillis(set)).isEqualTo(T0);
  }

  @Test
  void shouldMapAbsentStringValueToNull() {
    // given
    EventRaisedEvent withInput =
        EventRaisedEvent.newBuilder().setName("e").setInput(StringValue.of("")).build();
    EventRaisedEvent withoutInput = EventRaisedEvent.newBuilder().setName("e").build();

    // when / then
    assertThat(ProtoMapping.toNullableString(withInput.hasInput(), withInput.getInput())).isEmpty();
    assertThat(ProtoMapping.toNullableString(withoutInput.hasInput(), withoutInput.getInput()))
        .isNull();
  }

  @ParameterizedTest
  @EnumSource(RuntimeStatus.class)
  void shouldMapRuntimeStatusToTheSameNamedProtoStatus(RuntimeStatus status) {
    // given / when
    OrchestrationStatus proto = ProtoMapping.toProtoStatus(status);

    // then
    assertThat(proto.name()).isEqualTo("ORCHESTRATION_STATUS_" + status.name());
    assertThat(ProtoMapping.toAvroStatus(proto)).isEqualTo(status);
  }

  @Test
  void shouldRejectUnrecognizedProtoStatus() {
    // given
    OrchestrationStatus unknown = OrchestrationStatus.UNRECOGNIZED;

    // when / then
    assertThatThrownBy(() -> ProtoMapping.toAvroStatus(unknown))
        .isInstanceOf(IllegalArgumentException.class);
  }

  // ---- failure details ----

  @Test
  void shouldRoundTripFailureDetailsWithInnerFailureAndProperties() {
    // given
    TaskFailureDetails inner =
        TaskFailureDetails.newBuilder()
            .setErrorType("java.io.IOException")
            .setErrorMessage("disk full")
            .build();
    TaskFailureDetails outer =
        TaskFailureDetails.newBuilder()
            .setErrorType("java.lang.IllegalStateException")
            .setErrorMessage("boom")
            .setStackTrace(StringValue.of("at Foo.bar(Foo.java:1)"))
            .setInnerFailure(inner)
            .setIsNonRetriable(true)
            .putProperties("attempt", Value.newBuilder().setNumberValue(3).build())
            .putProperties("retryable", Value.newBuilder().setBoolValue(false).build())
            .build();

    // when
    FailureDetails avro = ProtoMapping.toAvroFailureDetails(outer);

    // then
    assertThat(avro.getStackTrace()).isEqualTo("at Foo.bar(Foo.java:1)");
    assertThat(avro.getIsNonRetriable()).isTrue();
    assertThat(avro.getInnerFailure().getErrorMessage()).isEqualTo("disk full");
    assertThat(avro.getInnerFailure().getStackTrace()).isNull();
    assertThat(avro.getInnerFailure().getProperties()).isNull();
    assertThat(ProtoMapping.toProtoFailureDetails(avro)).isEqualTo(outer);
  }

  @Test
  void shouldStorePropertiesAsSerializedStruct() throws Exception {
    // given
    Value value = Value.newBuilder().setStringValue("v").build();
    TaskFailureDetails details =
        TaskFailureDetails.newBuilder().setErrorType("E").putProperties("k", value).build();

    // when
    FailureDetails avro = ProtoMapping.toAvroFailureDetails(details);

    // then
    assertThat(Struct.parseFrom(avro.getProperties().duplicate()).getFieldsMap())
        .containsExactly(Map.entry("k", value));
  }

  // ---- history events ----

  @ParameterizedTest(name = "{0}")
  @MethodSource("everyHistoryEventKind")
  void shouldRoundTripEveryHistoryEventKind(
      HistoryEvent.EventTypeCase kind, io.durabletask.kafka.avro.HistoryEvent event) {
    // given an Avro history event with every field set

    // when
    HistoryEvent proto = ProtoMapping.toProtoHistoryEvent(event);

    // then
    assertThat(proto.getEventTypeCase()).isEqualTo(kind);
    assertThat(proto.getEventId()).isEqualTo(event.getEventId());
    assertThat(ProtoMapping.toEpochMillis(proto.getTimestamp())).isEqualTo(T0);
    assertThat(ProtoMapping.toAvroHistoryEvent(proto)).isEqualTo(event);
  }

  @Test
  void shouldCoverEveryMemberOfTheAvroHistoryEventUnion() {
    // given
    Schema union = io.durabletask.kafka.avro.HistoryEvent.SCHEMA$.getField("event").schema();

    // when
    Set<String> tested =
        everyHistoryEventKind()
            .map(args -> (io.durabletask.kafka.avro.HistoryEvent) args.get()[1])
            .map(event -> event.getEvent().getClass().getSimpleName())
            .collect(Collectors.toSet());

    // then
    assertThat(tested)
        .containsExactlyInAnyOrderElementsOf(
            union.getTypes().stream().map(Schema::getName).toList());
  }

  static Stream<Arguments> everyHistoryEventKind() {
    return Stream.of(
        kind(HistoryEvent.EventTypeCase.EXECUTIONSTARTED, -1, executionStarted()),
        kind(
            HistoryEvent.EventTypeCase.EXECUTIONCOMPLETED,
            7,
            new ExecutionCompleted(RuntimeStatus.FAILED, "out", failureDetails())),
        kind(
            HistoryEvent.EventTypeCase.EXECUTIONTERMINATED,
            -1,
            new ExecutionTerminated("reason", true)),
        kind(HistoryEvent.EventTypeCase.TASKSCHEDULED, 0, taskScheduled()),
        kind(HistoryEvent.EventTypeCase.TASKCOMPLETED, -1, new TaskCompleted(0, "\"done\"")),
        kind(HistoryEvent.EventTypeCase.TASKFAILED, -1, new TaskFailed(0, failureDetails())),
        kind(
            HistoryEvent.EventTypeCase.SUBORCHESTRATIONINSTANCECREATED,
            2,
            new SubOrchestrationInstanceCreated("child", "Child", "2", "in", Map.of("t", "v"))),
        kind(
            HistoryEvent.EventTypeCase.SUBORCHESTRATIONINSTANCECOMPLETED,
            -1,
            new SubOrchestrationInstanceCompleted(2, "res")),
        kind(
            HistoryEvent.EventTypeCase.SUBORCHESTRATIONINSTANCEFAILED,
            -1,
            new SubOrchestrationInstanceFailed(2, failureDetails())),
        kind(HistoryEvent.EventTypeCase.TIMERCREATED, 3, new TimerCreated(T0 + 5_000)),
        kind(HistoryEvent.EventTypeCase.TIMERFIRED, -1, new TimerFired(T0 + 5_000, 3)),
        kind(HistoryEvent.EventTypeCase.ORCHESTRATORSTARTED, -1, new OrchestratorStarted()),
        kind(HistoryEvent.EventTypeCase.ORCHESTRATORCOMPLETED, -1, new OrchestratorCompleted()),
        kind(HistoryEvent.EventTypeCase.EVENTSENT, 4, new EventSent("other", "ping", "1")),
        kind(HistoryEvent.EventTypeCase.EVENTRAISED, -1, new EventRaised("ping", null)),
        kind(HistoryEvent.EventTypeCase.CONTINUEASNEW, -1, new ContinueAsNew("next")),
        kind(HistoryEvent.EventTypeCase.EXECUTIONSUSPENDED, -1, new ExecutionSuspended("why")),
        kind(HistoryEvent.EventTypeCase.EXECUTIONRESUMED, -1, new ExecutionResumed(null)));
  }

  private static Arguments kind(HistoryEvent.EventTypeCase kind, int eventId, Object body) {
    return Arguments.of(kind, new io.durabletask.kafka.avro.HistoryEvent(eventId, T0, body));
  }

  @Test
  void shouldFillExecutionStartedForTheWorker() {
    // given
    io.durabletask.kafka.avro.HistoryEvent event =
        new io.durabletask.kafka.avro.HistoryEvent(-1, T0, executionStarted());

    // when
    ExecutionStartedEvent proto = ProtoMapping.toProtoHistoryEvent(event).getExecutionStarted();

    // then
    assertThat(proto.getOrchestrationInstance().getInstanceId()).isEqualTo("abc");
    assertThat(proto.getOrchestrationInstance().getExecutionId().getValue()).isEqualTo("e1");
    assertThat(proto.getParentInstance().getTaskScheduledId()).isEqualTo(5);
    assertThat(proto.getParentInstance().getOrchestrationInstance().getInstanceId())
        .isEqualTo("parent");
    assertThat(ProtoMapping.toEpochMillis(proto.getScheduledStartTimestamp())).isEqualTo(T0 + 1);
    assertThat(proto.getParentTraceContext().getTraceParent()).startsWith("00-");
    assertThat(proto.getTagsMap()).containsEntry("env", "test");
  }

  @Test
  void shouldLeaveOptionalFieldsUnsetWhenAvroValuesAreNull() {
    // given
    ExecutionStarted minimal =
        ExecutionStarted.newBuilder()
            .setName("Orch")
            .setInstanceId("i")
            .setExecutionId("e")
            .build();
    io.durabletask.kafka.avro.HistoryEvent event =
        new io.durabletask.kafka.avro.HistoryEvent(-1, T0, minimal);

    // when
    HistoryEvent proto = ProtoMapping.toProtoHistoryEvent(event);

    // then
    ExecutionStartedEvent started = proto.getExecutionStarted();
    assertThat(started.hasVersion()).isFalse();
    assertThat(started.hasInput()).isFalse();
    assertThat(started.hasParentInstance()).isFalse();
    assertThat(started.hasScheduledStartTimestamp()).isFalse();
    assertThat(started.hasParentTraceContext()).isFalse();
    assertThat(ProtoMapping.toAvroHistoryEvent(proto)).isEqualTo(event);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unsupportedHistoryEvents")
  void shouldRejectHistoryEventKindsWeDoNotStore(String kind, HistoryEvent event) {
    // given an event of a kind our Avro history has no record for

    // when / then
    assertThatThrownBy(() -> ProtoMapping.toAvroHistoryEvent(event))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(kind)
        .hasMessageContaining("eventId 9");
  }

  static Stream<Arguments> unsupportedHistoryEvents() {
    HistoryEvent.Builder base = HistoryEvent.newBuilder().setEventId(9);
    return Stream.of(
        Arguments.of(
            "genericEvent",
            base.clone().setGenericEvent(GenericEvent.getDefaultInstance()).build()),
        Arguments.of(
            "entityLockGranted",
            base.clone().setEntityLockGranted(EntityLockGrantedEvent.getDefaultInstance()).build()),
        Arguments.of("<not set>", base.clone().build()));
  }

  // ---- orchestrator actions ----

  @ParameterizedTest(name = "{0}")
  @MethodSource("everyActionKind")
  void shouldConvertEveryActionKind(
      String kind,
      OrchestratorAction action,
      io.durabletask.kafka.avro.OrchestratorAction expected) {
    // given an action as a worker sends it

    // when
    io.durabletask.kafka.avro.OrchestratorAction avro = ProtoMapping.toAvroAction(action);

    // then
    assertThat(avro).isEqualTo(expected);
  }

  static Stream<Arguments> everyActionKind() {
    return Stream.of(
        action(
            "scheduleTask",
            OrchestratorAction.newBuilder()
                .setId(0)
                .setScheduleTask(
                    ScheduleTaskAction.newBuilder()
                        .setName("Say")
                        .setVersion(StringValue.of("1"))
                        .setInput(StringValue.of("\"hi\""))
                        .putTags("t", "v")),
            new io.durabletask.kafka.avro.ScheduleTaskAction(
                "Say", "1", "\"hi\"", Map.of("t", "v"))),
        action(
            "createSubOrchestration",
            OrchestratorAction.newBuilder()
                .setId(1)
                .setCreateSubOrchestration(
                    CreateSubOrchestrationAction.newBuilder()
                        .setInstanceId("child")
                        .setName("Child")
                        .setInput(StringValue.of("42"))),
            new io.durabletask.kafka.avro.CreateSubOrchestrationAction(
                "child", "Child", null, "42", Map.of())),
        action(
            "createTimer",
            OrchestratorAction.newBuilder()
                .setId(2)
                .setCreateTimer(
                    CreateTimerAction.newBuilder().setFireAt(ProtoMapping.toTimestamp(T0))),
            new io.durabletask.kafka.avro.CreateTimerAction(T0)),
        action(
            "sendEvent",
            OrchestratorAction.newBuilder()
                .setId(3)
                .setSendEvent(
                    SendEventAction.newBuilder()
                        .setInstance(OrchestrationInstance.newBuilder().setInstanceId("other"))
                        .setName("ping")
                        .setData(StringValue.of("1"))),
            new io.durabletask.kafka.avro.SendEventAction("other", "ping", "1")),
        action(
            "completeOrchestration",
            OrchestratorAction.newBuilder().setId(4).setCompleteOrchestration(continueAsNew()),
            new io.durabletask.kafka.avro.CompleteOrchestrationAction(
                RuntimeStatus.CONTINUED_AS_NEW,
                "next",
                "details",
                "2.0",
                List.of(
                    new io.durabletask.kafka.avro.HistoryEvent(
                        -1, T0, new EventRaised("ping", "1"))),
                ProtoMapping.toAvroFailureDetails(taskFailureDetails()),
                Map.of("t", "v"))),
        action(
            "terminateOrchestration",
            OrchestratorAction.newBuilder()
                .setId(5)
                .setTerminateOrchestration(
                    TerminateOrchestrationAction.newBuilder()
                        .setInstanceId("child")
                        .setReason(StringValue.of("stop"))
                        .setRecurse(true)),
            new io.durabletask.kafka.avro.TerminateOrchestrationAction("child", "stop", true)));
  }

  private static Arguments action(String kind, OrchestratorAction.Builder action, Object body) {
    int id = action.getId();
    return Arguments.of(
        kind, action.build(), new io.durabletask.kafka.avro.OrchestratorAction(id, body));
  }

  private static CompleteOrchestrationAction continueAsNew() {
    HistoryEvent carryover =
        HistoryEvent.newBuilder()
            .setEventId(-1)
            .setTimestamp(ProtoMapping.toTimestamp(T0))
            .setEventRaised(
                EventRaisedEvent.newBuilder().setName("ping").setInput(StringValue.of("1")))
            .build();
    return CompleteOrchestrationAction.newBuilder()
        .setOrchestrationStatus(OrchestrationStatus.ORCHESTRATION_STATUS_CONTINUED_AS_NEW)
        .setResult(StringValue.of("next"))
        .setDetails(StringValue.of("details"))
        .setNewVersion(StringValue.of("2.0"))
        .addCarryoverEvents(carryover)
        .setFailureDetails(taskFailureDetails())
        .putTags("t", "v")
        .build();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unsupportedActions")
  void shouldRejectUnsupportedActionKindsNamingKindAndId(String kind, OrchestratorAction action) {
    // given an action kind we do not support

    // when / then
    assertThatThrownBy(() -> ProtoMapping.toAvroAction(action))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(kind)
        .hasMessageContaining("action id 8");
  }

  static Stream<Arguments> unsupportedActions() {
    OrchestratorAction.Builder base = OrchestratorAction.newBuilder().setId(8);
    SendEntityMessageAction signal =
        SendEntityMessageAction.newBuilder()
            .setEntityOperationSignaled(
                EntityOperationSignaledEvent.newBuilder().setOperation("add"))
            .build();
    return Stream.of(
        Arguments.of("sendEntityMessage", base.clone().setSendEntityMessage(signal).build()),
        Arguments.of(
            "rewindOrchestration",
            base.clone()
                .setRewindOrchestration(RewindOrchestrationAction.getDefaultInstance())
                .build()),
        Arguments.of("<not set>", base.clone().build()));
  }

  @Test
  void shouldRejectContinueAsNewWithUnsupportedCarryoverEvent() {
    // given
    OrchestratorAction action =
        OrchestratorAction.newBuilder()
            .setId(1)
            .setCompleteOrchestration(
                CompleteOrchestrationAction.newBuilder()
                    .addCarryoverEvents(
                        HistoryEvent.newBuilder()
                            .setGenericEvent(GenericEvent.getDefaultInstance())))
            .build();

    // when / then
    assertThatThrownBy(() -> ProtoMapping.toAvroAction(action))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("genericEvent");
  }

  // ---- instances and work items ----

  @Test
  void shouldMapInstanceSnapshotWithInputsAndOutputs() {
    // given
    InstanceSnapshot snapshot = snapshot();

    // when
    OrchestrationState state = ProtoMapping.toOrchestrationState(snapshot, true);

    // then
    assertThat(state.getInstanceId()).isEqualTo("abc");
    assertThat(state.getName()).isEqualTo("Orch");
    assertThat(state.getVersion().getValue()).isEqualTo("1");
    assertThat(state.getOrchestrationStatus())
        .isEqualTo(OrchestrationStatus.ORCHESTRATION_STATUS_FAILED);
    assertThat(ProtoMapping.toEpochMillis(state.getScheduledStartTimestamp())).isEqualTo(T0);
    assertThat(ProtoMapping.toEpochMillis(state.getCreatedTimestamp())).isEqualTo(T0 + 1);
    assertThat(ProtoMapping.toEpochMillis(state.getLastUpdatedTimestamp())).isEqualTo(T0 + 2);
    assertThat(ProtoMapping.toEpochMillis(state.getCompletedTimestamp())).isEqualTo(T0 + 3);
    assertThat(state.getInput().getValue()).isEqualTo("in");
    assertThat(state.getOutput().getValue()).isEqualTo("out");
    assertThat(state.getCustomStatus().getValue()).isEqualTo("busy");
    assertThat(state.getFailureDetails()).isEqualTo(taskFailureDetails());
    assertThat(state.getExecutionId().getValue()).isEqualTo("e1");
    assertThat(state.getParentInstanceId().getValue()).isEqualTo("parent");
    assertThat(state.getTagsMap()).containsExactly(Map.entry("env", "test"));
  }

  @Test
  void shouldLeaveOutInputsAndOutputsUnlessAsked() {
    // given
    InstanceSnapshot snapshot = snapshot();

    // when
    OrchestrationState state = ProtoMapping.toOrchestrationState(snapshot, false);

    // then
    assertThat(state.hasInput()).isFalse();
    assertThat(state.hasOutput()).isFalse();
    assertThat(state.hasCustomStatus()).isTrue();
  }

  @Test
  void shouldLeaveUnknownTimesUnsetInOrchestrationState() {
    // given
    InstanceSnapshot running =
        snapshotBuilder()
            .setStatus(RuntimeStatus.RUNNING)
            .setCompletedTime(null)
            .setScheduledStartTime(null)
            .setFailureDetails(null)
            .build();

    // when
    OrchestrationState state = ProtoMapping.toOrchestrationState(running, true);

    // then
    assertThat(state.hasCompletedTimestamp()).isFalse();
    assertThat(state.hasScheduledStartTimestamp()).isFalse();
    assertThat(state.hasFailureDetails()).isFalse();
  }

  @Test
  void shouldBuildActivityRequestForTheSchedulingInstance() {
    // given
    ActivityTask task = new ActivityTask(3, "Say", "1", "\"hi\"", Map.of("t", "v"));

    // when
    ActivityRequest request = ProtoMapping.toActivityRequest(task, "abc", "e1");

    // then
    assertThat(request.getName()).isEqualTo("Say");
    assertThat(request.getVersion().getValue()).isEqualTo("1");
    assertThat(request.getInput().getValue()).isEqualTo("\"hi\"");
    assertThat(request.getOrchestrationInstance().getInstanceId()).isEqualTo("abc");
    assertThat(request.getOrchestrationInstance().getExecutionId().getValue()).isEqualTo("e1");
    assertThat(request.getTaskId()).isEqualTo(3);
    assertThat(request.getTagsMap()).containsExactly(Map.entry("t", "v"));
  }

  // ---- fixtures ----

  private static ExecutionStarted executionStarted() {
    return ExecutionStarted.newBuilder()
        .setName("Orch")
        .setVersion("1")
        .setInput("{\"n\":1}")
        .setInstanceId("abc")
        .setExecutionId("e1")
        .setParentInstance(new ParentInstance(5, "Parent", "0.9", "parent", "pe"))
        .setScheduledStartTime(T0 + 1)
        .setTags(Map.of("env", "test"))
        .setTraceParent("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
        .setTraceState("k=v")
        .build();
  }

  private static TaskScheduled taskScheduled() {
    return new TaskScheduled("Say", "1", "\"hi\"", Map.of("t", "v"));
  }

  private static FailureDetails failureDetails() {
    return ProtoMapping.toAvroFailureDetails(taskFailureDetails());
  }

  private static TaskFailureDetails taskFailureDetails() {
    return TaskFailureDetails.newBuilder()
        .setErrorType("java.lang.RuntimeException")
        .setErrorMessage("outer")
        .setStackTrace(StringValue.of("trace"))
        .setInnerFailure(
            TaskFailureDetails.newBuilder().setErrorType("Inner").setErrorMessage("inner"))
        .putProperties("code", Value.newBuilder().setNumberValue(7).build())
        .build();
  }

  private static InstanceSnapshot snapshot() {
    return snapshotBuilder().build();
  }

  private static InstanceSnapshot.Builder snapshotBuilder() {
    return InstanceSnapshot.newBuilder()
        .setInstanceId("abc")
        .setName("Orch")
        .setVersion("1")
        .setStatus(RuntimeStatus.FAILED)
        .setScheduledStartTime(T0)
        .setCreatedTime(T0 + 1)
        .setLastUpdatedTime(T0 + 2)
        .setCompletedTime(T0 + 3)
        .setInput("in")
        .setOutput("out")
        .setCustomStatus("busy")
        .setFailureDetails(failureDetails())
        .setExecutionId("e1")
        .setParentInstanceId("parent")
        .setTags(Map.of("env", "test"));
  }
}
