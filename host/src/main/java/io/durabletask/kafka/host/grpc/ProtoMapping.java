package io.durabletask.kafka.host.grpc;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
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
import io.durabletask.kafka.protocol.ContinueAsNewEvent;
import io.durabletask.kafka.protocol.CreateSubOrchestrationAction;
import io.durabletask.kafka.protocol.CreateTimerAction;
import io.durabletask.kafka.protocol.EventRaisedEvent;
import io.durabletask.kafka.protocol.EventSentEvent;
import io.durabletask.kafka.protocol.ExecutionCompletedEvent;
import io.durabletask.kafka.protocol.ExecutionResumedEvent;
import io.durabletask.kafka.protocol.ExecutionStartedEvent;
import io.durabletask.kafka.protocol.ExecutionSuspendedEvent;
import io.durabletask.kafka.protocol.ExecutionTerminatedEvent;
import io.durabletask.kafka.protocol.HistoryEvent;
import io.durabletask.kafka.protocol.OrchestrationInstance;
import io.durabletask.kafka.protocol.OrchestrationState;
import io.durabletask.kafka.protocol.OrchestrationStatus;
import io.durabletask.kafka.protocol.OrchestratorAction;
import io.durabletask.kafka.protocol.OrchestratorCompletedEvent;
import io.durabletask.kafka.protocol.OrchestratorStartedEvent;
import io.durabletask.kafka.protocol.ParentInstanceInfo;
import io.durabletask.kafka.protocol.ScheduleTaskAction;
import io.durabletask.kafka.protocol.SendEventAction;
import io.durabletask.kafka.protocol.SubOrchestrationInstanceCompletedEvent;
import io.durabletask.kafka.protocol.SubOrchestrationInstanceCreatedEvent;
import io.durabletask.kafka.protocol.SubOrchestrationInstanceFailedEvent;
import io.durabletask.kafka.protocol.TaskCompletedEvent;
import io.durabletask.kafka.protocol.TaskFailedEvent;
import io.durabletask.kafka.protocol.TaskFailureDetails;
import io.durabletask.kafka.protocol.TaskScheduledEvent;
import io.durabletask.kafka.protocol.TerminateOrchestrationAction;
import io.durabletask.kafka.protocol.TimerCreatedEvent;
import io.durabletask.kafka.protocol.TimerFiredEvent;
import io.durabletask.kafka.protocol.TraceContext;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Converts between our Avro records and the generated sidecar protocol classes. No other class
 * converts between the two.
 *
 * <p>Avro keeps times as epoch milliseconds and optional strings as nulls; the protocol uses {@link
 * Timestamp} and {@link StringValue}, where an absent field means "no value". Where the Avro and
 * protocol classes share a name (history events, actions), the Avro class is written with its
 * package.
 */
public final class ProtoMapping {

  private static final int MILLIS_PER_SECOND = 1_000;
  private static final int NANOS_PER_MILLI = 1_000_000;

  private ProtoMapping() {}

  // ---- scalars ----

  /** Converts epoch milliseconds to a protocol timestamp. */
  public static Timestamp toTimestamp(long epochMillis) {
    return Timestamp.newBuilder()
        .setSeconds(Math.floorDiv(epochMillis, MILLIS_PER_SECOND))
        .setNanos((int) Math.floorMod(epochMillis, MILLIS_PER_SECOND) * NANOS_PER_MILLI)
        .build();
  }

  /** Converts a protocol timestamp to epoch milliseconds; an unset timestamp gives 0. */
  public static long toEpochMillis(Timestamp timestamp) {
    return timestamp.getSeconds() * MILLIS_PER_SECOND + timestamp.getNanos() / NANOS_PER_MILLI;
  }

  /**
   * Converts a protocol timestamp to epoch milliseconds for a nullable Avro field: an unset
   * timestamp, or epoch 0 (which the JS SDK sends for "now"), gives null.
   */
  public static Long toNullableEpochMillis(Timestamp timestamp) {
    long epochMillis = toEpochMillis(timestamp);
    return epochMillis == 0 ? null : epochMillis;
  }

  /**
   * A protocol string holding {@code value} already encoded as UTF-8, so that sending the message,
   * possibly many times (histories go out with every episode), copies bytes instead of encoding the
   * string again.
   */
  public static StringValue toStringValue(String value) {
    return StringValue.newBuilder().setValueBytes(ByteString.copyFromUtf8(value)).build();
  }

  /** The value of an optional protocol string, or null when the field is absent. */
  public static String toNullableString(boolean present, StringValue value) {
    return present ? value.getValue() : null;
  }

  public static OrchestrationStatus toProtoStatus(RuntimeStatus status) {
    return OrchestrationStatus.forNumber(status.ordinal());
  }

  public static RuntimeStatus toAvroStatus(OrchestrationStatus status) {
    RuntimeStatus[] statuses = RuntimeStatus.values();
    if (status == OrchestrationStatus.UNRECOGNIZED || status.getNumber() >= statuses.length) {
      throw new IllegalArgumentException("Unknown orchestration status " + status);
    }
    return statuses[status.getNumber()];
  }

  // ---- failure details ----

  public static TaskFailureDetails toProtoFailureDetails(FailureDetails details) {
    TaskFailureDetails.Builder builder =
        TaskFailureDetails.newBuilder()
            .setErrorType(details.getErrorType())
            .setErrorMessage(details.getErrorMessage())
            .setIsNonRetriable(details.getIsNonRetriable())
            .putAllProperties(decodeProperties(details.getProperties()));
    setIfPresent(details.getStackTrace(), builder::setStackTrace);
    if (details.getInnerFailure() != null) {
      builder.setInnerFailure(toProtoFailureDetails(details.getInnerFailure()));
    }
    return builder.build();
  }

  public static FailureDetails toAvroFailureDetails(TaskFailureDetails details) {
    return FailureDetails.newBuilder()
        .setErrorType(details.getErrorType())
        .setErrorMessage(details.getErrorMessage())
        .setStackTrace(toNullableString(details.hasStackTrace(), details.getStackTrace()))
        .setInnerFailure(
            details.hasInnerFailure() ? toAvroFailureDetails(details.getInnerFailure()) : null)
        .setIsNonRetriable(details.getIsNonRetriable())
        .setProperties(encodeProperties(details.getPropertiesMap()))
        .build();
  }

  /** Encodes the properties map as a serialized {@link Struct}; null when the map is empty. */
  static ByteBuffer encodeProperties(Map<String, Value> properties) {
    if (properties.isEmpty()) {
      return null;
    }
    return ByteBuffer.wrap(Struct.newBuilder().putAllFields(properties).build().toByteArray());
  }

  /** Decodes what {@link #encodeProperties} wrote; null gives an empty map. */
  static Map<String, Value> decodeProperties(ByteBuffer encoded) {
    if (encoded == null) {
      return Map.of();
    }
    try {
      return Struct.parseFrom(encoded.duplicate()).getFieldsMap();
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("Failure details properties are not a valid Struct", e);
    }
  }

  // ---- history events: Avro to protocol ----

  public static HistoryEvent toProtoHistoryEvent(io.durabletask.kafka.avro.HistoryEvent event) {
    HistoryEvent.Builder builder =
        HistoryEvent.newBuilder()
            .setEventId(event.getEventId())
            .setTimestamp(toTimestamp(event.getTimestamp()));
    setEventType(builder, event.getEvent());
    return builder.build();
  }

  private static void setEventType(HistoryEvent.Builder builder, Object event) {
    if (event instanceof ExecutionStarted e) {
      builder.setExecutionStarted(toProto(e));
    } else if (event instanceof ExecutionCompleted e) {
      builder.setExecutionCompleted(toProto(e));
    } else if (event instanceof ExecutionTerminated e) {
      builder.setExecutionTerminated(toProto(e));
    } else if (event instanceof TaskScheduled e) {
      builder.setTaskScheduled(toProto(e));
    } else if (event instanceof TaskCompleted e) {
      builder.setTaskCompleted(toProto(e));
    } else if (event instanceof TaskFailed e) {
      builder.setTaskFailed(toProto(e));
    } else if (event instanceof SubOrchestrationInstanceCreated e) {
      builder.setSubOrchestrationInstanceCreated(toProto(e));
    } else if (event instanceof SubOrchestrationInstanceCompleted e) {
      builder.setSubOrchestrationInstanceCompleted(toProto(e));
    } else if (event instanceof SubOrchestrationInstanceFailed e) {
      builder.setSubOrchestrationInstanceFailed(toProto(e));
    } else if (event instanceof TimerCreated e) {
      builder.setTimerCreated(TimerCreatedEvent.newBuilder().setFireAt(toTimestamp(e.getFireAt())));
    } else if (event instanceof TimerFired e) {
      builder.setTimerFired(toProto(e));
    } else if (event instanceof OrchestratorStarted) {
      builder.setOrchestratorStarted(OrchestratorStartedEvent.getDefaultInstance());
    } else if (event instanceof OrchestratorCompleted) {
      builder.setOrchestratorCompleted(OrchestratorCompletedEvent.getDefaultInstance());
    } else if (event instanceof EventSent e) {
      builder.setEventSent(toProto(e));
    } else if (event instanceof EventRaised e) {
      builder.setEventRaised(toProto(e));
    } else if (event instanceof ContinueAsNew e) {
      builder.setContinueAsNew(toProto(e));
    } else if (event instanceof ExecutionSuspended e) {
      builder.setExecutionSuspended(toProto(e));
    } else if (event instanceof ExecutionResumed e) {
      builder.setExecutionResumed(toProto(e));
    } else {
      throw new IllegalArgumentException("Unknown history event record " + describe(event));
    }
  }

  private static ExecutionStartedEvent toProto(ExecutionStarted event) {
    ExecutionStartedEvent.Builder builder =
        ExecutionStartedEvent.newBuilder()
            .setName(event.getName())
            .setOrchestrationInstance(
                toOrchestrationInstance(event.getInstanceId(), event.getExecutionId()))
            .putAllTags(event.getTags());
    setIfPresent(event.getVersion(), builder::setVersion);
    setIfPresent(event.getInput(), builder::setInput);
    if (event.getParentInstance() != null) {
      builder.setParentInstance(toProto(event.getParentInstance()));
    }
    if (event.getScheduledStartTime() != null) {
      builder.setScheduledStartTimestamp(toTimestamp(event.getScheduledStartTime()));
    }
    if (event.getTraceParent() != null) {
      builder.setParentTraceContext(toTraceContext(event.getTraceParent(), event.getTraceState()));
    }
    return builder.build();
  }

  private static ParentInstanceInfo toProto(ParentInstance parent) {
    ParentInstanceInfo.Builder builder =
        ParentInstanceInfo.newBuilder()
            .setTaskScheduledId(parent.getTaskScheduledId())
            .setOrchestrationInstance(
                toOrchestrationInstance(parent.getInstanceId(), parent.getExecutionId()));
    setIfPresent(parent.getName(), builder::setName);
    setIfPresent(parent.getVersion(), builder::setVersion);
    return builder.build();
  }

  private static TraceContext toTraceContext(String traceParent, String traceState) {
    TraceContext.Builder builder = TraceContext.newBuilder().setTraceParent(traceParent);
    setIfPresent(traceState, builder::setTraceState);
    return builder.build();
  }

  private static ExecutionCompletedEvent toProto(ExecutionCompleted event) {
    ExecutionCompletedEvent.Builder builder =
        ExecutionCompletedEvent.newBuilder()
            .setOrchestrationStatus(toProtoStatus(event.getStatus()));
    setIfPresent(event.getResult(), builder::setResult);
    if (event.getFailureDetails() != null) {
      builder.setFailureDetails(toProtoFailureDetails(event.getFailureDetails()));
    }
    return builder.build();
  }

  private static ExecutionTerminatedEvent toProto(ExecutionTerminated event) {
    ExecutionTerminatedEvent.Builder builder =
        ExecutionTerminatedEvent.newBuilder().setRecurse(event.getRecurse());
    setIfPresent(event.getInput(), builder::setInput);
    return builder.build();
  }

  private static TaskScheduledEvent toProto(TaskScheduled event) {
    TaskScheduledEvent.Builder builder =
        TaskScheduledEvent.newBuilder().setName(event.getName()).putAllTags(event.getTags());
    setIfPresent(event.getVersion(), builder::setVersion);
    setIfPresent(event.getInput(), builder::setInput);
    return builder.build();
  }

  private static TaskCompletedEvent toProto(TaskCompleted event) {
    TaskCompletedEvent.Builder builder =
        TaskCompletedEvent.newBuilder().setTaskScheduledId(event.getTaskScheduledId());
    setIfPresent(event.getResult(), builder::setResult);
    return builder.build();
  }

  private static TaskFailedEvent toProto(TaskFailed event) {
    TaskFailedEvent.Builder builder =
        TaskFailedEvent.newBuilder().setTaskScheduledId(event.getTaskScheduledId());
    if (event.getFailureDetails() != null) {
      builder.setFailureDetails(toProtoFailureDetails(event.getFailureDetails()));
    }
    return builder.build();
  }

  private static SubOrchestrationInstanceCreatedEvent toProto(
      SubOrchestrationInstanceCreated event) {
    SubOrchestrationInstanceCreatedEvent.Builder builder =
        SubOrchestrationInstanceCreatedEvent.newBuilder()
            .setInstanceId(event.getInstanceId())
            .setName(event.getName())
            .putAllTags(event.getTags());
    setIfPresent(event.getVersion(), builder::setVersion);
    setIfPresent(event.getInput(), builder::setInput);
    return builder.build();
  }

  private static SubOrchestrationInstanceCompletedEvent toProto(
      SubOrchestrationInstanceCompleted event) {
    SubOrchestrationInstanceCompletedEvent.Builder builder =
        SubOrchestrationInstanceCompletedEvent.newBuilder()
            .setTaskScheduledId(event.getTaskScheduledId());
    setIfPresent(event.getResult(), builder::setResult);
    return builder.build();
  }

  private static SubOrchestrationInstanceFailedEvent toProto(SubOrchestrationInstanceFailed event) {
    SubOrchestrationInstanceFailedEvent.Builder builder =
        SubOrchestrationInstanceFailedEvent.newBuilder()
            .setTaskScheduledId(event.getTaskScheduledId());
    if (event.getFailureDetails() != null) {
      builder.setFailureDetails(toProtoFailureDetails(event.getFailureDetails()));
    }
    return builder.build();
  }

  private static TimerFiredEvent toProto(TimerFired event) {
    return TimerFiredEvent.newBuilder()
        .setFireAt(toTimestamp(event.getFireAt()))
        .setTimerId(event.getTimerId())
        .build();
  }

  private static EventSentEvent toProto(EventSent event) {
    EventSentEvent.Builder builder =
        EventSentEvent.newBuilder().setInstanceId(event.getInstanceId()).setName(event.getName());
    setIfPresent(event.getInput(), builder::setInput);
    return builder.build();
  }

  private static EventRaisedEvent toProto(EventRaised event) {
    EventRaisedEvent.Builder builder = EventRaisedEvent.newBuilder().setName(event.getName());
    setIfPresent(event.getInput(), builder::setInput);
    return builder.build();
  }

  private static ContinueAsNewEvent toProto(ContinueAsNew event) {
    ContinueAsNewEvent.Builder builder = ContinueAsNewEvent.newBuilder();
    setIfPresent(event.getInput(), builder::setInput);
    return builder.build();
  }

  private static ExecutionSuspendedEvent toProto(ExecutionSuspended event) {
    ExecutionSuspendedEvent.Builder builder = ExecutionSuspendedEvent.newBuilder();
    setIfPresent(event.getInput(), builder::setInput);
    return builder.build();
  }

  private static ExecutionResumedEvent toProto(ExecutionResumed event) {
    ExecutionResumedEvent.Builder builder = ExecutionResumedEvent.newBuilder();
    setIfPresent(event.getInput(), builder::setInput);
    return builder.build();
  }

  // ---- history events: protocol to Avro ----

  /**
   * Converts a protocol history event, such as a carryover event of continue-as-new.
   *
   * @throws IllegalArgumentException for kinds our history does not store (entity events, generic,
   *     history state, rewound) and for an event without a kind
   */
  public static io.durabletask.kafka.avro.HistoryEvent toAvroHistoryEvent(HistoryEvent event) {
    return io.durabletask.kafka.avro.HistoryEvent.newBuilder()
        .setEventId(event.getEventId())
        .setTimestamp(toEpochMillis(event.getTimestamp()))
        .setEvent(toAvroEventBody(event))
        .build();
  }

  private static Object toAvroEventBody(HistoryEvent event) {
    return switch (event.getEventTypeCase()) {
      case EXECUTIONSTARTED -> toAvro(event.getExecutionStarted());
      case EXECUTIONCOMPLETED -> toAvro(event.getExecutionCompleted());
      case EXECUTIONTERMINATED -> toAvro(event.getExecutionTerminated());
      case TASKSCHEDULED -> toAvro(event.getTaskScheduled());
      case TASKCOMPLETED -> toAvro(event.getTaskCompleted());
      case TASKFAILED -> toAvro(event.getTaskFailed());
      case SUBORCHESTRATIONINSTANCECREATED -> toAvro(event.getSubOrchestrationInstanceCreated());
      case SUBORCHESTRATIONINSTANCECOMPLETED ->
          toAvro(event.getSubOrchestrationInstanceCompleted());
      case SUBORCHESTRATIONINSTANCEFAILED -> toAvro(event.getSubOrchestrationInstanceFailed());
      case TIMERCREATED -> new TimerCreated(toEpochMillis(event.getTimerCreated().getFireAt()));
      case TIMERFIRED -> toAvro(event.getTimerFired());
      case ORCHESTRATORSTARTED -> new OrchestratorStarted();
      case ORCHESTRATORCOMPLETED -> new OrchestratorCompleted();
      case EVENTSENT -> toAvro(event.getEventSent());
      case EVENTRAISED -> toAvro(event.getEventRaised());
      case CONTINUEASNEW -> new ContinueAsNew(nullableInput(event.getContinueAsNew()));
      case EXECUTIONSUSPENDED ->
          new ExecutionSuspended(nullableInput(event.getExecutionSuspended()));
      case EXECUTIONRESUMED -> new ExecutionResumed(nullableInput(event.getExecutionResumed()));
      default -> throw unsupportedEvent(event);
    };
  }

  private static IllegalArgumentException unsupportedEvent(HistoryEvent event) {
    String kind =
        oneofMemberName(HistoryEvent.getDescriptor(), event.getEventTypeCase().getNumber());
    return new IllegalArgumentException(
        String.format("Unsupported history event kind %s (eventId %d)", kind, event.getEventId()));
  }

  private static ExecutionStarted toAvro(ExecutionStartedEvent event) {
    OrchestrationInstance instance = event.getOrchestrationInstance();
    TraceContext trace = event.getParentTraceContext();
    return ExecutionStarted.newBuilder()
        .setName(event.getName())
        .setVersion(toNullableString(event.hasVersion(), event.getVersion()))
        .setInput(toNullableString(event.hasInput(), event.getInput()))
        .setInstanceId(instance.getInstanceId())
        .setExecutionId(instance.getExecutionId().getValue())
        .setParentInstance(event.hasParentInstance() ? toAvro(event.getParentInstance()) : null)
        .setScheduledStartTime(toNullableEpochMillis(event.getScheduledStartTimestamp()))
        .setTags(new HashMap<>(event.getTagsMap()))
        .setTraceParent(event.hasParentTraceContext() ? trace.getTraceParent() : null)
        .setTraceState(toNullableString(trace.hasTraceState(), trace.getTraceState()))
        .build();
  }

  private static ParentInstance toAvro(ParentInstanceInfo parent) {
    OrchestrationInstance instance = parent.getOrchestrationInstance();
    return ParentInstance.newBuilder()
        .setTaskScheduledId(parent.getTaskScheduledId())
        .setName(toNullableString(parent.hasName(), parent.getName()))
        .setVersion(toNullableString(parent.hasVersion(), parent.getVersion()))
        .setInstanceId(instance.getInstanceId())
        .setExecutionId(toNullableString(instance.hasExecutionId(), instance.getExecutionId()))
        .build();
  }

  private static ExecutionCompleted toAvro(ExecutionCompletedEvent event) {
    return ExecutionCompleted.newBuilder()
        .setStatus(toAvroStatus(event.getOrchestrationStatus()))
        .setResult(toNullableString(event.hasResult(), event.getResult()))
        .setFailureDetails(
            event.hasFailureDetails() ? toAvroFailureDetails(event.getFailureDetails()) : null)
        .build();
  }

  private static ExecutionTerminated toAvro(ExecutionTerminatedEvent event) {
    return new ExecutionTerminated(
        toNullableString(event.hasInput(), event.getInput()), event.getRecurse());
  }

  private static TaskScheduled toAvro(TaskScheduledEvent event) {
    return TaskScheduled.newBuilder()
        .setName(event.getName())
        .setVersion(toNullableString(event.hasVersion(), event.getVersion()))
        .setInput(toNullableString(event.hasInput(), event.getInput()))
        .setTags(new HashMap<>(event.getTagsMap()))
        .build();
  }

  private static TaskCompleted toAvro(TaskCompletedEvent event) {
    return new TaskCompleted(
        event.getTaskScheduledId(), toNullableString(event.hasResult(), event.getResult()));
  }

  private static TaskFailed toAvro(TaskFailedEvent event) {
    return new TaskFailed(
        event.getTaskScheduledId(),
        event.hasFailureDetails() ? toAvroFailureDetails(event.getFailureDetails()) : null);
  }

  private static SubOrchestrationInstanceCreated toAvro(
      SubOrchestrationInstanceCreatedEvent event) {
    return SubOrchestrationInstanceCreated.newBuilder()
        .setInstanceId(event.getInstanceId())
        .setName(event.getName())
        .setVersion(toNullableString(event.hasVersion(), event.getVersion()))
        .setInput(toNullableString(event.hasInput(), event.getInput()))
        .setTags(new HashMap<>(event.getTagsMap()))
        .build();
  }

  private static SubOrchestrationInstanceCompleted toAvro(
      SubOrchestrationInstanceCompletedEvent event) {
    return new SubOrchestrationInstanceCompleted(
        event.getTaskScheduledId(), toNullableString(event.hasResult(), event.getResult()));
  }

  private static SubOrchestrationInstanceFailed toAvro(SubOrchestrationInstanceFailedEvent event) {
    return new SubOrchestrationInstanceFailed(
        event.getTaskScheduledId(),
        event.hasFailureDetails() ? toAvroFailureDetails(event.getFailureDetails()) : null);
  }

  private static TimerFired toAvro(TimerFiredEvent event) {
    return new TimerFired(toEpochMillis(event.getFireAt()), event.getTimerId());
  }

  private static EventSent toAvro(EventSentEvent event) {
    return new EventSent(
        event.getInstanceId(),
        event.getName(),
        toNullableString(event.hasInput(), event.getInput()));
  }

  private static EventRaised toAvro(EventRaisedEvent event) {
    return new EventRaised(event.getName(), toNullableString(event.hasInput(), event.getInput()));
  }

  private static String nullableInput(ContinueAsNewEvent event) {
    return toNullableString(event.hasInput(), event.getInput());
  }

  private static String nullableInput(ExecutionSuspendedEvent event) {
    return toNullableString(event.hasInput(), event.getInput());
  }

  private static String nullableInput(ExecutionResumedEvent event) {
    return toNullableString(event.hasInput(), event.getInput());
  }

  // ---- orchestrator actions: protocol to Avro ----

  /**
   * Converts an action a worker sent in an orchestrator response.
   *
   * @throws IllegalArgumentException for an action kind we do not support (sendEntityMessage,
   *     rewindOrchestration), an action without a kind, or an unsupported carryover event
   */
  public static io.durabletask.kafka.avro.OrchestratorAction toAvroAction(
      OrchestratorAction action) {
    return new io.durabletask.kafka.avro.OrchestratorAction(
        action.getId(), toAvroActionBody(action));
  }

  private static Object toAvroActionBody(OrchestratorAction action) {
    return switch (action.getOrchestratorActionTypeCase()) {
      case SCHEDULETASK -> toAvro(action.getScheduleTask());
      case CREATESUBORCHESTRATION -> toAvro(action.getCreateSubOrchestration());
      case CREATETIMER -> toAvro(action.getCreateTimer());
      case SENDEVENT -> toAvro(action.getSendEvent());
      case COMPLETEORCHESTRATION -> toAvro(action.getCompleteOrchestration());
      case TERMINATEORCHESTRATION -> toAvro(action.getTerminateOrchestration());
      default -> throw unsupportedAction(action);
    };
  }

  private static IllegalArgumentException unsupportedAction(OrchestratorAction action) {
    String kind =
        oneofMemberName(
            OrchestratorAction.getDescriptor(), action.getOrchestratorActionTypeCase().getNumber());
    return new IllegalArgumentException(
        String.format(
            "Unsupported orchestrator action kind %s (action id %d)", kind, action.getId()));
  }

  private static io.durabletask.kafka.avro.ScheduleTaskAction toAvro(ScheduleTaskAction action) {
    return io.durabletask.kafka.avro.ScheduleTaskAction.newBuilder()
        .setName(action.getName())
        .setVersion(toNullableString(action.hasVersion(), action.getVersion()))
        .setInput(toNullableString(action.hasInput(), action.getInput()))
        .setTags(new HashMap<>(action.getTagsMap()))
        .build();
  }

  private static io.durabletask.kafka.avro.CreateSubOrchestrationAction toAvro(
      CreateSubOrchestrationAction action) {
    return io.durabletask.kafka.avro.CreateSubOrchestrationAction.newBuilder()
        .setInstanceId(action.getInstanceId())
        .setName(action.getName())
        .setVersion(toNullableString(action.hasVersion(), action.getVersion()))
        .setInput(toNullableString(action.hasInput(), action.getInput()))
        .setTags(new HashMap<>(action.getTagsMap()))
        .build();
  }

  private static io.durabletask.kafka.avro.CreateTimerAction toAvro(CreateTimerAction action) {
    return new io.durabletask.kafka.avro.CreateTimerAction(toEpochMillis(action.getFireAt()));
  }

  private static io.durabletask.kafka.avro.SendEventAction toAvro(SendEventAction action) {
    return io.durabletask.kafka.avro.SendEventAction.newBuilder()
        .setInstanceId(action.getInstance().getInstanceId())
        .setName(action.getName())
        .setData(toNullableString(action.hasData(), action.getData()))
        .build();
  }

  private static io.durabletask.kafka.avro.CompleteOrchestrationAction toAvro(
      CompleteOrchestrationAction action) {
    return io.durabletask.kafka.avro.CompleteOrchestrationAction.newBuilder()
        .setStatus(toAvroStatus(action.getOrchestrationStatus()))
        .setResult(toNullableString(action.hasResult(), action.getResult()))
        .setDetails(toNullableString(action.hasDetails(), action.getDetails()))
        .setNewVersion(toNullableString(action.hasNewVersion(), action.getNewVersion()))
        .setCarryoverEvents(toAvroHistoryEvents(action.getCarryoverEventsList()))
        .setFailureDetails(
            action.hasFailureDetails() ? toAvroFailureDetails(action.getFailureDetails()) : null)
        .setTags(new HashMap<>(action.getTagsMap()))
        .build();
  }

  private static List<io.durabletask.kafka.avro.HistoryEvent> toAvroHistoryEvents(
      List<HistoryEvent> events) {
    List<io.durabletask.kafka.avro.HistoryEvent> converted = new ArrayList<>(events.size());
    for (HistoryEvent event : events) {
      converted.add(toAvroHistoryEvent(event));
    }
    return converted;
  }

  private static io.durabletask.kafka.avro.TerminateOrchestrationAction toAvro(
      TerminateOrchestrationAction action) {
    return new io.durabletask.kafka.avro.TerminateOrchestrationAction(
        action.getInstanceId(),
        toNullableString(action.hasReason(), action.getReason()),
        action.getRecurse());
  }

  // ---- instances and work items ----

  /**
   * Converts a stored instance to the protocol's state; input and output are included only when the
   * caller asked for them.
   */
  public static OrchestrationState toOrchestrationState(
      InstanceSnapshot instance, boolean includeInputsAndOutputs) {
    OrchestrationState.Builder builder =
        OrchestrationState.newBuilder()
            .setInstanceId(instance.getInstanceId())
            .setName(instance.getName())
            .setOrchestrationStatus(toProtoStatus(instance.getStatus()))
            .setCreatedTimestamp(toTimestamp(instance.getCreatedTime()))
            .setLastUpdatedTimestamp(toTimestamp(instance.getLastUpdatedTime()))
            .setExecutionId(toStringValue(instance.getExecutionId()))
            .putAllTags(instance.getTags());
    setIfPresent(instance.getVersion(), builder::setVersion);
    setIfPresent(instance.getCustomStatus(), builder::setCustomStatus);
    setIfPresent(instance.getParentInstanceId(), builder::setParentInstanceId);
    if (instance.getScheduledStartTime() != null) {
      builder.setScheduledStartTimestamp(toTimestamp(instance.getScheduledStartTime()));
    }
    if (instance.getCompletedTime() != null) {
      builder.setCompletedTimestamp(toTimestamp(instance.getCompletedTime()));
    }
    if (instance.getFailureDetails() != null) {
      builder.setFailureDetails(toProtoFailureDetails(instance.getFailureDetails()));
    }
    if (includeInputsAndOutputs) {
      setIfPresent(instance.getInput(), builder::setInput);
      setIfPresent(instance.getOutput(), builder::setOutput);
    }
    return builder.build();
  }

  /** Builds the work item payload for an activity scheduled by the given execution. */
  public static ActivityRequest toActivityRequest(
      ActivityTask task, String instanceId, String executionId) {
    ActivityRequest.Builder builder =
        ActivityRequest.newBuilder()
            .setName(task.getName())
            .setOrchestrationInstance(toOrchestrationInstance(instanceId, executionId))
            .setTaskId(task.getTaskId())
            .putAllTags(task.getTags());
    setIfPresent(task.getVersion(), builder::setVersion);
    setIfPresent(task.getInput(), builder::setInput);
    return builder.build();
  }

  // ---- helpers ----

  private static OrchestrationInstance toOrchestrationInstance(
      String instanceId, String executionId) {
    OrchestrationInstance.Builder builder =
        OrchestrationInstance.newBuilder().setInstanceId(instanceId);
    setIfPresent(executionId, builder::setExecutionId);
    return builder.build();
  }

  private static void setIfPresent(String value, Consumer<StringValue> setter) {
    if (value != null) {
      setter.accept(toStringValue(value));
    }
  }

  /** The name of the oneof member with this field number, for error messages. */
  private static String oneofMemberName(Descriptor message, int fieldNumber) {
    FieldDescriptor field = message.findFieldByNumber(fieldNumber);
    return field == null ? "<not set>" : field.getName();
  }

  private static String describe(Object event) {
    return event == null ? "null" : event.getClass().getName();
  }
}
