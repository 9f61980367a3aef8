package io.durabletask.kafka.engine.partition;

import io.durabletask.kafka.avro.ActivityCompleted;
import io.durabletask.kafka.avro.ActivityTask;
import io.durabletask.kafka.avro.ClientOrigin;
import io.durabletask.kafka.avro.CompleteOrchestrationAction;
import io.durabletask.kafka.avro.CreateInstanceRequest;
import io.durabletask.kafka.avro.CreateInstanceResponse;
import io.durabletask.kafka.avro.CreateOutcome;
import io.durabletask.kafka.avro.CreateSubOrchestrationAction;
import io.durabletask.kafka.avro.CreateTimerAction;
import io.durabletask.kafka.avro.EpisodeCompleted;
import io.durabletask.kafka.avro.EventRaised;
import io.durabletask.kafka.avro.EventSent;
import io.durabletask.kafka.avro.ExecutionCompleted;
import io.durabletask.kafka.avro.ExecutionResumed;
import io.durabletask.kafka.avro.ExecutionStarted;
import io.durabletask.kafka.avro.ExecutionSuspended;
import io.durabletask.kafka.avro.ExecutionTerminated;
import io.durabletask.kafka.avro.HistoryEvent;
import io.durabletask.kafka.avro.InstanceMessage;
import io.durabletask.kafka.avro.InstanceQuery;
import io.durabletask.kafka.avro.InstanceQueryResponse;
import io.durabletask.kafka.avro.InstanceRecord;
import io.durabletask.kafka.avro.InstanceSnapshot;
import io.durabletask.kafka.avro.MessagesReceived;
import io.durabletask.kafka.avro.OrchestratorAction;
import io.durabletask.kafka.avro.OutboxConfirmed;
import io.durabletask.kafka.avro.ParentInstance;
import io.durabletask.kafka.avro.PartitionEvent;
import io.durabletask.kafka.avro.PartitionMessage;
import io.durabletask.kafka.avro.PartitionOrigin;
import io.durabletask.kafka.avro.PendingTimer;
import io.durabletask.kafka.avro.RuntimeStatus;
import io.durabletask.kafka.avro.ScheduleTaskAction;
import io.durabletask.kafka.avro.SendEventAction;
import io.durabletask.kafka.avro.SubOrchestrationInstanceCompleted;
import io.durabletask.kafka.avro.SubOrchestrationInstanceCreated;
import io.durabletask.kafka.avro.SubOrchestrationInstanceFailed;
import io.durabletask.kafka.avro.TaskCompleted;
import io.durabletask.kafka.avro.TaskFailed;
import io.durabletask.kafka.avro.TaskScheduled;
import io.durabletask.kafka.avro.TerminateOrchestrationAction;
import io.durabletask.kafka.avro.TimerCreated;
import io.durabletask.kafka.avro.TimerFired;
import io.durabletask.kafka.avro.TimerKey;
import io.durabletask.kafka.avro.TimersFired;
import io.durabletask.kafka.avro.WaitCondition;
import io.durabletask.kafka.avro.Waiter;
import io.durabletask.kafka.engine.PartitionHash;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies update events to a partition's state. Applying is deterministic: it reads no clock and no
 * randomness beyond what the event carries, so replaying the log from a checkpoint gives the same
 * state.
 *
 * <p>Instance lifecycle: PENDING (created, ExecutionStarted queued) -> RUNNING (first episode
 * committed) <-> SUSPENDED, -> COMPLETED | FAILED | TERMINATED (terminal: late messages are
 * recorded in the log and dropped, never dispatched).
 */
final class StateMachine {
  private static final Logger log = LoggerFactory.getLogger(StateMachine.class);

  /** Timer id of an instance's scheduled start. Action ids are never negative. */
  static final int SCHEDULED_START_TIMER = -1;

  private final PartitionState state;
  private final StateMachineListener listener;
  private final int partitionCount;
  private long now;

  StateMachine(PartitionState state, StateMachineListener listener, int partitionCount) {
    this.state = state;
    this.listener = listener;
    this.partitionCount = partitionCount;
  }

  void apply(PartitionEvent event) {
    now = event.getTimestamp();
    Object body = event.getEvent();
    if (body instanceof MessagesReceived received) {
      applyMessagesReceived(received);
    } else if (body instanceof EpisodeCompleted completed) {
      applyEpisodeCompleted(completed);
    } else if (body instanceof ActivityCompleted completed) {
      applyActivityCompleted(completed);
    } else if (body instanceof TimersFired fired) {
      applyTimersFired(fired);
    } else if (body instanceof OutboxConfirmed confirmed) {
      state.confirmOutbox(confirmed.getConfirmedSequence());
    } else {
      throw new IllegalStateException("Expected a known update event, but got " + body);
    }
    state.setPosition(event.getPosition());
  }

  // ---- messages from the partition's input ----

  private void applyMessagesReceived(MessagesReceived received) {
    for (PartitionMessage message : received.getMessages()) {
      if (isFresh(message)) {
        applyMessage(message);
      }
    }
    state.addSkippedRecords(received.getSkippedRecords());
    state.setNextInputOffset(received.getNextInputOffset());
  }

  private boolean isFresh(PartitionMessage message) {
    if (message.getOrigin() instanceof PartitionOrigin origin) {
      PartitionState.MessageOrder order =
          state.tryAcceptSequence(origin.getPartition(), origin.getSequence());
      if (order == PartitionState.MessageOrder.GAP) {
        log.debug(
            "[partition {}] dropped message {} from partition {} after a gap; it is sent again",
            state.partition(),
            origin.getSequence(),
            origin.getPartition());
      }
      return order == PartitionState.MessageOrder.NEXT;
    }
    // TODO(#3): drop a client request delivered twice, by its request id.
    return true;
  }

  private void applyMessage(PartitionMessage message) {
    Object body = message.getBody();
    if (body instanceof CreateInstanceRequest request) {
      applyCreateInstance(request, clientOf(message));
    } else if (body instanceof InstanceMessage instanceMessage) {
      applyInstanceMessage(instanceMessage);
    } else if (body instanceof InstanceQuery query) {
      applyInstanceQuery(query, clientOf(message));
    }
  }

  private static ClientOrigin clientOf(PartitionMessage message) {
    return message.getOrigin() instanceof ClientOrigin client ? client : null;
  }

  private void applyCreateInstance(CreateInstanceRequest request, ClientOrigin client) {
    InstanceState existing = state.instance(request.getInstanceId());
    if (existing != null && !isReplaceable(existing.status(), request)) {
      respondCreate(client, request, CreateOutcome.ALREADY_EXISTS, existing.status());
      return;
    }
    List<Waiter> waiters = existing == null ? new ArrayList<>() : existing.record.getWaiters();
    if (existing != null) {
      state.removeInstance(existing);
    }
    InstanceState instance = InstanceState.created(newInstanceRecord(request, waiters));
    state.putInstance(instance);
    respondCreate(client, request, CreateOutcome.CREATED, null);
    scheduleStart(instance);
  }

  private static boolean isReplaceable(RuntimeStatus status, CreateInstanceRequest request) {
    List<RuntimeStatus> replaceable = request.getReplaceableStatuses();
    return replaceable == null ? InstanceState.isTerminal(status) : replaceable.contains(status);
  }

  private InstanceRecord newInstanceRecord(CreateInstanceRequest request, List<Waiter> waiters) {
    ExecutionStarted started =
        ExecutionStarted.newBuilder()
            .setName(request.getName())
            .setVersion(request.getVersion())
            .setInput(request.getInput())
            .setInstanceId(request.getInstanceId())
            .setExecutionId(request.getExecutionId())
            .setParentInstance(request.getParentInstance())
            .setScheduledStartTime(request.getScheduledStartTime())
            .setTags(request.getTags())
            .build();
    List<HistoryEvent> pending = new ArrayList<>();
    pending.add(HistoryEvents.of(now, started));
    return InstanceRecord.newBuilder()
        .setInstanceId(request.getInstanceId())
        .setExecutionId(request.getExecutionId())
        .setName(request.getName())
        .setVersion(request.getVersion())
        .setStatus(RuntimeStatus.PENDING)
        .setInput(request.getInput())
        .setCreatedTime(now)
        .setLastUpdatedTime(now)
        .setScheduledStartTime(request.getScheduledStartTime())
        .setParentInstance(request.getParentInstance())
        .setTags(request.getTags())
        .setPendingMessages(pending)
        .setActivities(new ArrayList<>())
        .setTimers(new ArrayList<>())
        .setWaiters(waiters)
        .build();
  }

  private void scheduleStart(InstanceState instance) {
    Long start = instance.record.getScheduledStartTime();
    if (start != null && start > now) {
      instance.record.getTimers().add(new PendingTimer(SCHEDULED_START_TIMER, start));
      listener.onTimerSet(instance, SCHEDULED_START_TIMER, start);
    } else {
      listener.onRunnable(instance);
    }
  }

  private void respondCreate(
      ClientOrigin client,
      CreateInstanceRequest request,
      CreateOutcome outcome,
      RuntimeStatus existingStatus) {
    if (client != null) {
      listener.onResponse(
          client.getClientId(),
          client.getRequestId(),
          new CreateInstanceResponse(outcome, request.getInstanceId(), existingStatus));
    } else if (outcome == CreateOutcome.ALREADY_EXISTS && request.getParentInstance() != null) {
      // TODO(#3): report a sub-orchestration whose id is taken to its parent as a failure.
      log.warn(
          "[partition {}] sub-orchestration {} not created: the id is in use",
          state.partition(),
          request.getInstanceId());
    }
  }

  private void applyInstanceMessage(InstanceMessage message) {
    InstanceState instance = state.instance(message.getInstanceId());
    if (instance == null || instance.isTerminal() || isOtherExecution(instance, message)) {
      log.debug(
          "[partition {}] [{}] dropped a message for a missing, ended or other execution",
          state.partition(),
          message.getInstanceId());
      return;
    }
    enqueue(instance, message.getEvent());
  }

  private static boolean isOtherExecution(InstanceState instance, InstanceMessage message) {
    String executionId = message.getExecutionId();
    return executionId != null && !executionId.equals(instance.executionId());
  }

  private void enqueue(InstanceState instance, HistoryEvent event) {
    instance.record.getPendingMessages().add(event);
    state.markDirty(instance);
    if (!instance.isWaitingForScheduledStart()) {
      listener.onRunnable(instance);
    }
  }

  private void applyInstanceQuery(InstanceQuery query, ClientOrigin client) {
    if (client == null) {
      return;
    }
    InstanceState instance = state.instance(query.getInstanceId());
    if (instance == null || isSatisfied(instance, query.getWaitFor())) {
      listener.onResponse(
          client.getClientId(),
          client.getRequestId(),
          queryResponse(instance, query.getIncludeInputsAndOutputs()));
      return;
    }
    instance.record.getWaiters().add(waiter(query, client));
    state.markDirty(instance);
  }

  private static Waiter waiter(InstanceQuery query, ClientOrigin client) {
    return new Waiter(
        client.getClientId(),
        client.getRequestId(),
        query.getWaitFor(),
        query.getIncludeInputsAndOutputs());
  }

  private static boolean isSatisfied(InstanceState instance, WaitCondition condition) {
    return switch (condition) {
      case NONE -> true;
      case STARTED -> instance.status() != RuntimeStatus.PENDING;
      case COMPLETED -> instance.isTerminal();
    };
  }

  private void answerWaiters(InstanceState instance) {
    Iterator<Waiter> waiters = instance.record.getWaiters().iterator();
    while (waiters.hasNext()) {
      Waiter waiter = waiters.next();
      if (isSatisfied(instance, waiter.getCondition())) {
        listener.onResponse(
            waiter.getClientId(),
            waiter.getRequestId(),
            queryResponse(instance, waiter.getIncludeInputsAndOutputs()));
        waiters.remove();
      }
    }
  }

  static InstanceQueryResponse queryResponse(InstanceState instance, boolean includeIo) {
    if (instance == null) {
      return new InstanceQueryResponse(false, null);
    }
    InstanceRecord r = instance.record;
    InstanceSnapshot snapshot =
        InstanceSnapshot.newBuilder()
            .setInstanceId(r.getInstanceId())
            .setName(r.getName())
            .setVersion(r.getVersion())
            .setStatus(r.getStatus())
            .setCreatedTime(r.getCreatedTime())
            .setLastUpdatedTime(r.getLastUpdatedTime())
            .setCompletedTime(r.getCompletedTime())
            .setScheduledStartTime(r.getScheduledStartTime())
            .setInput(includeIo ? r.getInput() : null)
            .setOutput(includeIo ? r.getOutput() : null)
            .setCustomStatus(r.getCustomStatus())
            .setFailureDetails(r.getFailureDetails())
            .setExecutionId(r.getExecutionId())
            .setParentInstanceId(
                r.getParentInstance() == null ? null : r.getParentInstance().getInstanceId())
            .setTags(r.getTags())
            .build();
    return new InstanceQueryResponse(true, snapshot);
  }

  // ---- episodes ----

  private void applyEpisodeCompleted(EpisodeCompleted episode) {
    InstanceState instance = state.instance(episode.getInstanceId());
    if (instance == null || !instance.executionId().equals(episode.getExecutionId())) {
      throw new IllegalStateException(
          "Expected instance " + episode.getInstanceId() + " to have an open episode, but not");
    }
    instance.openEpisode = null;
    appendNewEvents(instance, episode);
    applyActions(instance, episode.getActions());
    finishEpisode(instance, episode);
  }

  private void appendNewEvents(InstanceState instance, EpisodeCompleted episode) {
    instance.history.add(HistoryEvents.orchestratorStarted(episode.getOrchestratorStartedTime()));
    instance.record.setLastOrchestratorStartedTime(episode.getOrchestratorStartedTime());
    List<HistoryEvent> pending = instance.record.getPendingMessages();
    List<HistoryEvent> consumed =
        new ArrayList<>(pending.subList(0, episode.getConsumedMessages()));
    pending.subList(0, episode.getConsumedMessages()).clear();
    for (HistoryEvent event : consumed) {
      instance.history.add(event);
      applyStatusChange(instance, event);
    }
  }

  private static void applyStatusChange(InstanceState instance, HistoryEvent event) {
    Object body = event.getEvent();
    if (body instanceof ExecutionSuspended) {
      instance.record.setStatus(RuntimeStatus.SUSPENDED);
    } else if (body instanceof ExecutionResumed || body instanceof ExecutionStarted) {
      instance.record.setStatus(RuntimeStatus.RUNNING);
    }
  }

  private void applyActions(InstanceState instance, List<OrchestratorAction> actions) {
    for (OrchestratorAction action : actions) {
      if (instance.isTerminal()) {
        return;
      }
      applyAction(instance, action);
    }
  }

  private void applyAction(InstanceState instance, OrchestratorAction action) {
    int id = action.getId();
    Object body = action.getAction();
    if (body instanceof ScheduleTaskAction task) {
      applyScheduleTask(instance, id, task);
    } else if (body instanceof CreateTimerAction timer) {
      applyCreateTimer(instance, id, timer);
    } else if (body instanceof CreateSubOrchestrationAction sub) {
      applyCreateSubOrchestration(instance, id, sub);
    } else if (body instanceof SendEventAction send) {
      applySendEvent(instance, id, send);
    } else if (body instanceof TerminateOrchestrationAction terminate) {
      applyTerminateOrchestration(instance, terminate);
    } else if (body instanceof CompleteOrchestrationAction complete) {
      applyCompleteOrchestration(instance, id, complete);
    }
  }

  private void applyScheduleTask(InstanceState instance, int id, ScheduleTaskAction task) {
    instance.history.add(
        HistoryEvents.ofAction(
            id,
            now,
            new TaskScheduled(task.getName(), task.getVersion(), task.getInput(), task.getTags())));
    ActivityTask activity =
        new ActivityTask(id, task.getName(), task.getVersion(), task.getInput(), task.getTags());
    instance.record.getActivities().add(activity);
    listener.onActivityScheduled(instance, activity);
  }

  private void applyCreateTimer(InstanceState instance, int id, CreateTimerAction timer) {
    instance.history.add(HistoryEvents.ofAction(id, now, new TimerCreated(timer.getFireAt())));
    instance.record.getTimers().add(new PendingTimer(id, timer.getFireAt()));
    listener.onTimerSet(instance, id, timer.getFireAt());
  }

  private void applyCreateSubOrchestration(
      InstanceState instance, int id, CreateSubOrchestrationAction sub) {
    String childId = sub.getInstanceId().isEmpty() ? childIdOf(instance, id) : sub.getInstanceId();
    instance.history.add(
        HistoryEvents.ofAction(
            id,
            now,
            new SubOrchestrationInstanceCreated(
                childId, sub.getName(), sub.getVersion(), sub.getInput(), sub.getTags())));
    CreateInstanceRequest request =
        CreateInstanceRequest.newBuilder()
            .setInstanceId(childId)
            .setName(sub.getName())
            .setVersion(sub.getVersion())
            .setInput(sub.getInput())
            .setExecutionId(deterministicId(instance, id))
            .setTags(sub.getTags())
            .setParentInstance(
                new ParentInstance(
                    id,
                    instance.record.getName(),
                    instance.record.getVersion(),
                    instance.id(),
                    instance.executionId()))
            .setRequestTime(now)
            .build();
    send(childId, request);
  }

  private static String childIdOf(InstanceState parent, int actionId) {
    return parent.id() + ":" + String.format("%04x", actionId);
  }

  /** An id that replay reproduces: derived from the parent's execution and the action id. */
  private static String deterministicId(InstanceState instance, int actionId) {
    String seed = instance.executionId() + "/" + actionId;
    return UUID.nameUUIDFromBytes(seed.getBytes(java.nio.charset.StandardCharsets.UTF_8))
        .toString();
  }

  private void applySendEvent(InstanceState instance, int id, SendEventAction send) {
    if (hasEventSent(instance, id)) {
      return;
    }
    instance.history.add(
        HistoryEvents.ofAction(
            id, now, new EventSent(send.getInstanceId(), send.getName(), send.getData())));
    HistoryEvent raised = HistoryEvents.of(now, new EventRaised(send.getName(), send.getData()));
    send(send.getInstanceId(), new InstanceMessage(send.getInstanceId(), null, raised));
  }

  /** The Java SDK re-emits a SendEvent action in every episode; it is applied once. */
  private static boolean hasEventSent(InstanceState instance, int id) {
    for (HistoryEvent event : instance.history) {
      if (event.getEventId() == id && event.getEvent() instanceof EventSent) {
        return true;
      }
    }
    return false;
  }

  private void applyTerminateOrchestration(
      InstanceState instance, TerminateOrchestrationAction terminate) {
    HistoryEvent event =
        HistoryEvents.of(
            now, new ExecutionTerminated(terminate.getReason(), terminate.getRecurse()));
    send(terminate.getInstanceId(), new InstanceMessage(terminate.getInstanceId(), null, event));
  }

  private void applyCompleteOrchestration(
      InstanceState instance, int id, CompleteOrchestrationAction complete) {
    if (complete.getStatus() == RuntimeStatus.CONTINUED_AS_NEW) {
      applyContinueAsNew(instance, complete);
      return;
    }
    instance.history.add(
        HistoryEvents.ofAction(
            id,
            now,
            new ExecutionCompleted(
                complete.getStatus(), complete.getResult(), complete.getFailureDetails())));
    InstanceRecord r = instance.record;
    r.setStatus(complete.getStatus());
    r.setOutput(complete.getResult());
    r.setFailureDetails(complete.getFailureDetails());
    r.setCompletedTime(now);
    r.getPendingMessages().clear();
    r.getActivities().clear();
    r.getTimers().clear();
    notifyParent(instance, complete);
  }

  private void applyContinueAsNew(InstanceState instance, CompleteOrchestrationAction complete) {
    InstanceRecord r = instance.record;
    List<HistoryEvent> laterMessages = instanceLevelMessages(r.getPendingMessages());
    String executionId = deterministicId(instance, -2 - instance.history.size());
    String version = complete.getNewVersion() != null ? complete.getNewVersion() : r.getVersion();
    ExecutionStarted started =
        ExecutionStarted.newBuilder()
            .setName(r.getName())
            .setVersion(version)
            .setInput(complete.getResult())
            .setInstanceId(r.getInstanceId())
            .setExecutionId(executionId)
            .setParentInstance(r.getParentInstance())
            .setTags(r.getTags())
            .build();
    List<HistoryEvent> pending = new ArrayList<>();
    pending.add(HistoryEvents.of(now, started));
    pending.addAll(complete.getCarryoverEvents());
    pending.addAll(laterMessages);
    r.setExecutionId(executionId);
    r.setVersion(version);
    r.setInput(complete.getResult());
    r.setPendingMessages(pending);
    r.getActivities().clear();
    r.getTimers().clear();
    instance.resetHistory();
    state.markDirty(instance);
    listener.onRunnable(instance);
  }

  /**
   * The queued messages a new execution inherits: those addressed to the instance, such as raised
   * events or a terminate. Results of the old execution's activities, timers and sub-orchestrations
   * are dropped.
   */
  private static List<HistoryEvent> instanceLevelMessages(List<HistoryEvent> pending) {
    List<HistoryEvent> kept = new ArrayList<>(pending.size());
    for (HistoryEvent event : pending) {
      Object body = event.getEvent();
      if (body instanceof EventRaised
          || body instanceof ExecutionTerminated
          || body instanceof ExecutionSuspended
          || body instanceof ExecutionResumed) {
        kept.add(event);
      }
    }
    return kept;
  }

  private void notifyParent(InstanceState instance, CompleteOrchestrationAction complete) {
    ParentInstance parent = instance.record.getParentInstance();
    if (parent == null) {
      return;
    }
    Object result =
        complete.getStatus() == RuntimeStatus.COMPLETED
            ? new SubOrchestrationInstanceCompleted(
                parent.getTaskScheduledId(), complete.getResult())
            : new SubOrchestrationInstanceFailed(
                parent.getTaskScheduledId(), complete.getFailureDetails());
    HistoryEvent event = HistoryEvents.of(now, result);
    send(
        parent.getInstanceId(),
        new InstanceMessage(parent.getInstanceId(), parent.getExecutionId(), event));
  }

  private void finishEpisode(InstanceState instance, EpisodeCompleted episode) {
    InstanceRecord r = instance.record;
    if (!instance.history.isEmpty()) {
      // After continue-as-new the history is empty: the new execution has no episode yet.
      instance.history.add(HistoryEvents.orchestratorCompleted(now));
    }
    String customStatus = episode.getCustomStatus();
    r.setCustomStatus(customStatus == null || customStatus.isEmpty() ? null : customStatus);
    r.setLastUpdatedTime(now);
    state.markDirty(instance);
    answerWaiters(instance);
    if (!instance.isTerminal() && !r.getPendingMessages().isEmpty()) {
      listener.onRunnable(instance);
    }
  }

  // ---- activities and timers ----

  private void applyActivityCompleted(ActivityCompleted completed) {
    InstanceState instance = state.instance(completed.getInstanceId());
    if (instance == null
        || instance.isTerminal()
        || !instance.executionId().equals(completed.getExecutionId())
        || !removeActivity(instance, completed.getTaskId())) {
      return;
    }
    Object result =
        completed.getFailureDetails() == null
            ? new TaskCompleted(completed.getTaskId(), completed.getResult())
            : new TaskFailed(completed.getTaskId(), completed.getFailureDetails());
    enqueue(instance, HistoryEvents.of(now, result));
  }

  private static boolean removeActivity(InstanceState instance, int taskId) {
    return instance.record.getActivities().removeIf(task -> task.getTaskId() == taskId);
  }

  private void applyTimersFired(TimersFired fired) {
    for (TimerKey key : fired.getTimers()) {
      InstanceState instance = state.instance(key.getInstanceId());
      if (instance == null
          || instance.isTerminal()
          || !instance.executionId().equals(key.getExecutionId())) {
        continue;
      }
      PendingTimer timer = removeTimer(instance, key.getTimerId());
      if (timer != null) {
        fireTimer(instance, timer);
      }
    }
  }

  private static PendingTimer removeTimer(InstanceState instance, int timerId) {
    Iterator<PendingTimer> timers = instance.record.getTimers().iterator();
    while (timers.hasNext()) {
      PendingTimer timer = timers.next();
      if (timer.getTimerId() == timerId) {
        timers.remove();
        return timer;
      }
    }
    return null;
  }

  private void fireTimer(InstanceState instance, PendingTimer timer) {
    state.markDirty(instance);
    if (timer.getTimerId() == SCHEDULED_START_TIMER) {
      listener.onRunnable(instance);
      return;
    }
    enqueue(instance, HistoryEvents.of(now, new TimerFired(timer.getFireAt(), timer.getTimerId())));
  }

  // ---- messages to other partitions ----

  private void send(String instanceId, Object body) {
    state.addToOutbox(PartitionHash.partitionOf(instanceId, partitionCount), body);
  }
}
