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
import io.durabletask.kafka.avro.DeliveryOutcome;
import io.durabletask.kafka.avro.EpisodeCompleted;
import io.durabletask.kafka.avro.EventRaised;
import io.durabletask.kafka.avro.EventSent;
import io.durabletask.kafka.avro.ExecutionCompleted;
import io.durabletask.kafka.avro.ExecutionResumed;
import io.durabletask.kafka.avro.ExecutionStarted;
import io.durabletask.kafka.avro.ExecutionSuspended;
import io.durabletask.kafka.avro.ExecutionTerminated;
import io.durabletask.kafka.avro.FailureDetails;
import io.durabletask.kafka.avro.ForgetWaiter;
import io.durabletask.kafka.avro.HistoryEvent;
import io.durabletask.kafka.avro.HistoryQuery;
import io.durabletask.kafka.avro.InstanceFilter;
import io.durabletask.kafka.avro.InstanceIdsQuery;
import io.durabletask.kafka.avro.InstanceMessage;
import io.durabletask.kafka.avro.InstanceMessageResponse;
import io.durabletask.kafka.avro.InstanceQuery;
import io.durabletask.kafka.avro.InstanceQueryResponse;
import io.durabletask.kafka.avro.InstanceRecord;
import io.durabletask.kafka.avro.InstancesQuery;
import io.durabletask.kafka.avro.MessagesReceived;
import io.durabletask.kafka.avro.OrchestratorAction;
import io.durabletask.kafka.avro.OutboxConfirmed;
import io.durabletask.kafka.avro.ParentInstance;
import io.durabletask.kafka.avro.PartitionEvent;
import io.durabletask.kafka.avro.PartitionMessage;
import io.durabletask.kafka.avro.PartitionOrigin;
import io.durabletask.kafka.avro.PendingTimer;
import io.durabletask.kafka.avro.PurgeInstances;
import io.durabletask.kafka.avro.PurgeResult;
import io.durabletask.kafka.avro.RequestsReceived;
import io.durabletask.kafka.avro.RuntimeStatus;
import io.durabletask.kafka.avro.ScheduleTaskAction;
import io.durabletask.kafka.avro.SendEventAction;
import io.durabletask.kafka.avro.SubOrchestrationInstanceCompleted;
import io.durabletask.kafka.avro.SubOrchestrationInstanceCreated;
import io.durabletask.kafka.avro.SubOrchestrationInstanceFailed;
import io.durabletask.kafka.avro.TaskCompleted;
import io.durabletask.kafka.avro.TaskFailed;
import io.durabletask.kafka.avro.TaskHubCreated;
import io.durabletask.kafka.avro.TaskHubWiped;
import io.durabletask.kafka.avro.TaskScheduled;
import io.durabletask.kafka.avro.TerminateOrchestrationAction;
import io.durabletask.kafka.avro.TimerCreated;
import io.durabletask.kafka.avro.TimerFired;
import io.durabletask.kafka.avro.TimerKey;
import io.durabletask.kafka.avro.TimersFired;
import io.durabletask.kafka.avro.WaitCondition;
import io.durabletask.kafka.avro.Waiter;
import io.durabletask.kafka.avro.WipeTaskHub;
import io.durabletask.kafka.engine.PartitionHash;
import io.durabletask.kafka.engine.query.QueryKey;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * recorded in the log and dropped, never dispatched) -> purged (gone). A task-hub wipe removes
 * every instance, whatever its status.
 *
 * <p>Client requests are answered from the state as it is when the request is applied. A message a
 * client sends to an instance is answered with its {@link DeliveryOutcome}, so that signalling an
 * unknown instance can be refused with NOT_FOUND; messages from other partitions get no answer.
 */
final class StateMachine {
  private static final Logger log = LoggerFactory.getLogger(StateMachine.class);

  /** Timer id of an instance's scheduled start. Action ids are never negative. */
  static final int SCHEDULED_START_TIMER = -1;

  /** Error type of a sub-orchestration task that failed because its id was taken. */
  static final String SUB_ORCHESTRATION_EXISTS = "OrchestrationAlreadyExistsException";

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
    } else if (body instanceof RequestsReceived received) {
      applyRequestsReceived(received);
    } else {
      throw new IllegalStateException("Expected a known update event, but got " + body);
    }
    state.setPosition(event.getPosition());
  }

  // ---- messages from the partition's input ----

  private void applyMessagesReceived(MessagesReceived received) {
    for (PartitionMessage message : received.getMessages()) {
      if (isFresh(message) && !predatesWipe(message)) {
        applyMessage(message);
      }
    }
    state.addSkippedRecords(received.getSkippedRecords());
    state.setNextInputOffset(received.getNextInputOffset());
  }

  private void applyRequestsReceived(RequestsReceived received) {
    received.getMessages().forEach(this::applyMessage);
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

  /**
   * A message another partition produced before it applied the latest task-hub wipe this partition
   * has applied belongs to the wiped task hub: it must not bring back what the wipe removed.
   */
  private boolean predatesWipe(PartitionMessage message) {
    if (message.getOrigin() instanceof PartitionOrigin origin
        && origin.getWipedAt() < state.wipedAt()) {
      log.debug(
          "[partition {}] dropped message {} from partition {}: it predates the task-hub wipe",
          state.partition(),
          origin.getSequence(),
          origin.getPartition());
      return true;
    }
    return false;
  }

  private void applyMessage(PartitionMessage message) {
    Object body = message.getBody();
    ClientOrigin client = clientOf(message);
    if (body instanceof CreateInstanceRequest request) {
      applyCreateInstance(request, client);
    } else if (body instanceof InstanceMessage instanceMessage) {
      applyInstanceMessage(instanceMessage, client);
    } else if (body instanceof InstanceQuery query) {
      applyInstanceQuery(query, client);
    } else if (body instanceof ForgetWaiter forget) {
      applyForgetWaiter(forget, client);
    } else if (body instanceof PurgeInstances purge) {
      applyPurgeInstances(purge, client);
    } else if (body instanceof WipeTaskHub wipe) {
      applyWipeTaskHub(wipe, client);
    } else if (body instanceof TaskHubCreated) {
      log.debug("[partition {}] read the task hub's creation marker", state.partition());
    } else {
      answerRead(body, client);
    }
  }

  /** Answers a request that only reads the state. Replay skips them: nobody hears the answer. */
  private void answerRead(Object body, ClientOrigin client) {
    if (client == null || listener.discardsResponses()) {
      return;
    }
    if (body instanceof InstancesQuery query) {
      respond(client, Listings.instancePage(state, query));
    } else if (body instanceof InstanceIdsQuery query) {
      respond(client, Listings.instanceIdPage(state, query));
    } else if (body instanceof HistoryQuery query) {
      respond(client, Listings.historyPage(state, query));
    }
  }

  private void respond(ClientOrigin client, Object body) {
    if (client != null) {
      listener.onResponse(client.getClientId(), client.getRequestId(), body);
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
    InstanceState instance =
        InstanceState.created(newInstanceRecord(request, waiters), existing != null);
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
      failSubOrchestrationCreate(request, existingStatus);
    }
  }

  /**
   * A sub-orchestration whose id another instance holds is not created; its parent's task fails, as
   * a client's start of that id would be refused.
   */
  private void failSubOrchestrationCreate(
      CreateInstanceRequest request, RuntimeStatus existingStatus) {
    ParentInstance parent = request.getParentInstance();
    String message =
        "An orchestration with instance id '"
            + request.getInstanceId()
            + "' already exists and is "
            + existingStatus;
    log.warn(
        "[partition {}] [instance {}] sub-orchestration of {} not created: {}",
        state.partition(),
        request.getInstanceId(),
        parent.getInstanceId(),
        message);
    FailureDetails failure =
        FailureDetails.newBuilder()
            .setErrorType(SUB_ORCHESTRATION_EXISTS)
            .setErrorMessage(message)
            .setIsNonRetriable(true)
            .build();
    HistoryEvent event =
        HistoryEvents.of(
            now, new SubOrchestrationInstanceFailed(parent.getTaskScheduledId(), failure));
    send(
        parent.getInstanceId(),
        new InstanceMessage(parent.getInstanceId(), parent.getExecutionId(), event));
  }

  private void applyInstanceMessage(InstanceMessage message, ClientOrigin client) {
    InstanceState instance = state.instance(message.getInstanceId());
    DeliveryOutcome outcome = deliveryOutcome(instance, message);
    if (outcome == DeliveryOutcome.DELIVERED) {
      enqueue(instance, message.getEvent());
    } else {
      log.debug(
          "[partition {}] [{}] dropped a message for a missing, ended or other execution",
          state.partition(),
          message.getInstanceId());
    }
    respond(client, new InstanceMessageResponse(outcome));
  }

  private static DeliveryOutcome deliveryOutcome(InstanceState instance, InstanceMessage message) {
    if (instance == null) {
      return DeliveryOutcome.NOT_FOUND;
    }
    return instance.isTerminal() || isOtherExecution(instance, message)
        ? DeliveryOutcome.DROPPED
        : DeliveryOutcome.DELIVERED;
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
      respond(client, Listings.queryResponse(instance, query.getIncludeInputsAndOutputs()));
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
            Listings.queryResponse(instance, waiter.getIncludeInputsAndOutputs()));
        waiters.remove();
      }
    }
  }

  /** The client gave up waiting; a waiter it left is removed, so that waiters do not pile up. */
  private void applyForgetWaiter(ForgetWaiter forget, ClientOrigin client) {
    // TODO(#3): a host that stops without giving up its waits leaves waiters behind until the
    // instance ends; drop waiters of client ids that are gone.
    InstanceState instance = state.instance(forget.getInstanceId());
    if (instance == null || client == null) {
      return;
    }
    boolean removed =
        instance
            .record
            .getWaiters()
            .removeIf(
                waiter ->
                    waiter.getRequestId() == forget.getWaitRequestId()
                        && waiter.getClientId().equals(client.getClientId()));
    if (removed) {
      state.markDirty(instance);
    }
  }

  /** Answers the waiters of an instance that is going away: it no longer exists. */
  private void answerWaitersGone(InstanceState instance) {
    for (Waiter waiter : instance.record.getWaiters()) {
      listener.onResponse(
          waiter.getClientId(), waiter.getRequestId(), new InstanceQueryResponse(false, null));
    }
  }

  // ---- purge and wipe ----

  /**
   * Removes terminal instances, with their histories and everything queued for them. Instances that
   * are not terminal are never purged. With {@code recursive}, the answer names the
   * sub-orchestrations of the purged instances, which the client purges in turn wherever they live.
   */
  private void applyPurgeInstances(PurgeInstances purge, ClientOrigin client) {
    Set<InstanceState> targets = new LinkedHashSet<>();
    for (String instanceId : purge.getInstanceIds()) {
      InstanceState instance = state.instance(instanceId);
      if (instance != null) {
        targets.add(instance);
      }
    }
    if (purge.getFilter() != null) {
      targets.addAll(matching(purge.getFilter()));
    }
    // TODO(#4): bound the ids a purge of many instances reports, so the answer stays one record.
    int purged = 0;
    List<String> subOrchestrations = new ArrayList<>();
    for (InstanceState instance : targets) {
      if (instance.isTerminal()) {
        if (purge.getRecursive()) {
          subOrchestrations.addAll(subOrchestrationsOf(instance, false));
        }
        state.removeInstance(instance);
        purged++;
      }
    }
    log.debug("[partition {}] purged {} instances", state.partition(), purged);
    respond(client, new PurgeResult(purged, subOrchestrations));
  }

  private List<InstanceState> matching(InstanceFilter filter) {
    Long from = filter.getCreatedTimeFrom();
    Collection<InstanceSummary> candidates =
        state.summariesByCreatedTime(from == null ? null : QueryKey.atTime(from)).values();
    List<String> matches = new ArrayList<>();
    for (InstanceSummary summary : candidates) {
      if (Listings.matches(filter, summary, state.status(summary))) {
        matches.add(summary.instanceId());
      }
    }
    return matches.stream().map(state::instance).toList();
  }

  /**
   * The sub-orchestrations the current execution created, from its history; with {@code
   * runningOnly}, those whose result it has not received.
   */
  private static Collection<String> subOrchestrationsOf(
      InstanceState instance, boolean runningOnly) {
    // TODO(#3): continue-as-new resets the history, so children of earlier executions are not
    // seen; keep the ids of children that have not ended in the instance record.
    Map<Integer, String> children = new LinkedHashMap<>();
    for (HistoryEvent event : instance.history) {
      Object body = event.getEvent();
      if (body instanceof SubOrchestrationInstanceCreated created) {
        children.put(event.getEventId(), created.getInstanceId());
      } else if (runningOnly && body instanceof SubOrchestrationInstanceCompleted done) {
        children.remove(done.getTaskScheduledId());
      } else if (runningOnly && body instanceof SubOrchestrationInstanceFailed failed) {
        children.remove(failed.getTaskScheduledId());
      }
    }
    return new LinkedHashSet<>(children.values());
  }

  /**
   * Removes every instance of the partition, whatever its status, and answers their waiters as if
   * the instances did not exist. Messages other partitions produced before their own wipe are
   * dropped from now on (see {@link #predatesWipe}); the outbox stays, since its sequence numbers
   * must reach the receivers without gaps.
   */
  private void applyWipeTaskHub(WipeTaskHub wipe, ClientOrigin client) {
    List<String> all = state.instanceIds();
    for (String instanceId : all) {
      InstanceState instance = state.instance(instanceId);
      answerWaitersGone(instance);
      state.removeInstance(instance);
    }
    state.setWipedAt(Math.max(state.wipedAt(), wipe.getWipedAt()));
    log.debug("[partition {}] wiped {} instances", state.partition(), all.size());
    respond(client, new TaskHubWiped(all.size()));
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
    if (complete.getStatus() == RuntimeStatus.TERMINATED) {
      terminateSubOrchestrations(instance);
    }
  }

  /**
   * After a recursive terminate, terminates the sub-orchestrations that have not reported a result,
   * recursively too. Those that ended meanwhile drop the message.
   */
  private void terminateSubOrchestrations(InstanceState instance) {
    ExecutionTerminated terminated = recursiveTermination(instance);
    if (terminated == null) {
      return;
    }
    for (String childId : subOrchestrationsOf(instance, true)) {
      HistoryEvent event =
          HistoryEvents.of(now, new ExecutionTerminated(terminated.getInput(), true));
      send(childId, new InstanceMessage(childId, null, event));
    }
  }

  private static ExecutionTerminated recursiveTermination(InstanceState instance) {
    for (HistoryEvent event : instance.history) {
      if (event.getEvent() instanceof ExecutionTerminated terminated && terminated.getRecurse()) {
        return terminated;
      }
    }
    return null;
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
