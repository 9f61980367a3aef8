package io.durabletask.kafka.engine.partition;

import static io.durabletask.kafka.engine.Actions.complete;
import static io.durabletask.kafka.engine.Actions.continueAsNew;
import static io.durabletask.kafka.engine.Actions.createSubOrchestration;
import static io.durabletask.kafka.engine.Actions.createTimer;
import static io.durabletask.kafka.engine.Actions.fail;
import static io.durabletask.kafka.engine.Actions.failure;
import static io.durabletask.kafka.engine.Actions.scheduleTask;
import static io.durabletask.kafka.engine.Actions.sendEvent;
import static io.durabletask.kafka.engine.Actions.terminate;
import static io.durabletask.kafka.engine.Actions.terminated;
import static io.durabletask.kafka.engine.EngineHarness.newInstance;
import static org.assertj.core.api.Assertions.assertThat;

import io.durabletask.kafka.avro.ActivityCompleted;
import io.durabletask.kafka.avro.ActivityTask;
import io.durabletask.kafka.avro.CreateInstanceRequest;
import io.durabletask.kafka.avro.EpisodeCompleted;
import io.durabletask.kafka.avro.EventRaised;
import io.durabletask.kafka.avro.ExecutionTerminated;
import io.durabletask.kafka.avro.ForgetWaiter;
import io.durabletask.kafka.avro.HistoryEvent;
import io.durabletask.kafka.avro.HistoryQuery;
import io.durabletask.kafka.avro.InstanceFilter;
import io.durabletask.kafka.avro.InstanceIdsQuery;
import io.durabletask.kafka.avro.InstanceMessage;
import io.durabletask.kafka.avro.InstanceQuery;
import io.durabletask.kafka.avro.InstancesQuery;
import io.durabletask.kafka.avro.MessagesReceived;
import io.durabletask.kafka.avro.OutboxConfirmed;
import io.durabletask.kafka.avro.PartitionEvent;
import io.durabletask.kafka.avro.PurgeInstances;
import io.durabletask.kafka.avro.RequestsReceived;
import io.durabletask.kafka.avro.RuntimeStatus;
import io.durabletask.kafka.avro.SubOrchestrationInstanceCompleted;
import io.durabletask.kafka.avro.TaskCompleted;
import io.durabletask.kafka.avro.TaskFailed;
import io.durabletask.kafka.avro.TimerFired;
import io.durabletask.kafka.avro.TimersFired;
import io.durabletask.kafka.avro.WaitCondition;
import io.durabletask.kafka.avro.WipeTaskHub;
import io.durabletask.kafka.codec.Codecs;
import io.durabletask.kafka.engine.EngineConfig;
import io.durabletask.kafka.engine.EngineHarness;
import io.durabletask.kafka.engine.partition.PartitionState.StateWrites;
import io.durabletask.kafka.engine.storage.Bytes;
import io.durabletask.kafka.engine.storage.LogEntry;
import io.durabletask.kafka.engine.storage.PartitionStore;
import io.durabletask.kafka.engine.storage.Recovery;
import io.durabletask.kafka.engine.storage.memory.InMemoryTaskHubStore;
import io.durabletask.kafka.engine.workitem.ActivityWorkItem;
import io.durabletask.kafka.engine.workitem.OrchestratorWorkItem;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Replays each partition's whole log into an empty state store and compares the result with the
 * state store the running partition wrote batch by batch: they must be equal byte for byte.
 */
class ReplayDeterminismTest {
  private static final int PARTITIONS = 3;
  private static final CheckpointPolicy NEVER =
      new CheckpointPolicy(Long.MAX_VALUE, Long.MAX_VALUE);
  private static final StateMachineListener IGNORING = new IgnoringListener();

  @Test
  void shouldRebuildTheSameStateFromTheLogAlone() {
    shouldRebuildTheSameState(EngineHarness.start(PARTITIONS, NEVER));
  }

  @Test
  void shouldRebuildTheSameStateWhenEndedInstancesLeaveTheCache() {
    EngineConfig withoutCache =
        new EngineConfig(EngineHarness.HUB, PARTITIONS, NEVER, System::currentTimeMillis)
            .withInstanceCacheBytes(0);
    shouldRebuildTheSameState(EngineHarness.start(withoutCache));
  }

  private void shouldRebuildTheSameState(EngineHarness harness) {
    // given
    new Workload(harness).run();
    harness.close();
    InMemoryTaskHubStore store = harness.store();
    Map<Integer, SortedMap<String, String>> live = new TreeMap<>();
    for (int p = 0; p < PARTITIONS; p++) {
      live.put(p, readable(store.cacheContents(p)));
    }

    // when
    store.dropCaches();
    Map<Integer, SortedMap<String, String>> replayed = new TreeMap<>();
    for (int p = 0; p < PARTITIONS; p++) {
      replayed.put(p, readable(replayLog(store, p)));
    }

    // then
    assertThat(updateEventTypes(store))
        .contains(
            MessagesReceived.class,
            EpisodeCompleted.class,
            ActivityCompleted.class,
            TimersFired.class,
            OutboxConfirmed.class,
            RequestsReceived.class);
    assertThat(messageTypes(store))
        .contains(
            CreateInstanceRequest.class,
            InstanceMessage.class,
            InstanceQuery.class,
            InstancesQuery.class,
            InstanceIdsQuery.class,
            HistoryQuery.class,
            PurgeInstances.class,
            WipeTaskHub.class,
            ForgetWaiter.class);
    assertThat(replayed).isEqualTo(live);
  }

  private static SortedMap<Bytes, byte[]> replayLog(InMemoryTaskHubStore store, int partition) {
    PartitionStore partitionStore = store.partition(partition);
    Recovery recovery = partitionStore.open();
    assertThat(recovery.statePosition()).isZero();
    PartitionState state = PartitionState.load(recovery.state(), partition);
    StateMachine machine = new StateMachine(state, IGNORING, PARTITIONS);
    long position = 0;
    for (Iterator<LogEntry> entries = recovery.replay(); entries.hasNext(); ) {
      PartitionEvent event = Codecs.PARTITION_EVENT.decode(entries.next().payload());
      machine.apply(event);
      position = event.getPosition();
    }
    StateWrites writes = state.takeWrites();
    recovery.state().write(writes.puts, writes.deletePrefixes, position);
    partitionStore.close();
    return store.cacheContents(partition);
  }

  private static Set<Class<?>> updateEventTypes(InMemoryTaskHubStore store) {
    Set<Class<?>> types = new HashSet<>();
    for (int p = 0; p < PARTITIONS; p++) {
      for (LogEntry entry : store.log(p)) {
        types.add(Codecs.PARTITION_EVENT.decode(entry.payload()).getEvent().getClass());
      }
    }
    return types;
  }

  private static Set<Class<?>> messageTypes(InMemoryTaskHubStore store) {
    Set<Class<?>> types = new HashSet<>();
    for (int p = 0; p < PARTITIONS; p++) {
      for (LogEntry entry : store.log(p)) {
        Object event = Codecs.PARTITION_EVENT.decode(entry.payload()).getEvent();
        if (event instanceof MessagesReceived received) {
          received.getMessages().forEach(message -> types.add(message.getBody().getClass()));
        } else if (event instanceof RequestsReceived received) {
          received.getMessages().forEach(message -> types.add(message.getBody().getClass()));
        }
      }
    }
    return types;
  }

  /** Keys as text with escapes, values in hex, so that a difference reads well. */
  private static SortedMap<String, String> readable(SortedMap<Bytes, byte[]> contents) {
    SortedMap<String, String> result = new TreeMap<>();
    contents.forEach(
        (key, value) -> result.put(keyText(key.get()), HexFormat.of().formatHex(value)));
    return result;
  }

  private static String keyText(byte[] key) {
    StringBuilder text = new StringBuilder();
    for (byte b : key) {
      text.append(b >= 0x20 && b < 0x7f ? String.valueOf((char) b) : String.format("\\x%02x", b));
    }
    return text.toString();
  }

  /** Drives every kind of update event and every orchestrator action through the engine. */
  private static final class Workload {
    private final EngineHarness harness;
    private final String parent;
    private final String child;
    private final String listener;
    private final String victim;

    Workload(EngineHarness harness) {
      this.harness = harness;
      this.parent = harness.idOnPartition("parent", 0);
      this.child = harness.idOnPartition("child", 1);
      this.listener = harness.idOnPartition("listener", 2);
      this.victim = harness.idOnPartition("victim", 1);
    }

    void run() {
      harness.transport().inject(2, new byte[] {1, 2, 3});
      wipeInstancesWithWaitersAndTimers();
      harness.viaTransport(this::startWaitingInstances);
      runActivitiesAndTimer();
      runMessagesBetweenPartitions();
      runScheduledStartThatFails();
      replaceACompletedInstance();
      terminateATreeRecursively();
      harness.viaTransport(this::listAndPurge);
      leaveAWaiterAndADroppedEvent();
    }

    private void wipeInstancesWithWaitersAndTimers() {
      String doomed = harness.idOnPartition("doomed", 0);
      harness.startInstance(doomed, "Doomed", null);
      harness.runEpisode(doomed, createTimer(0, System.currentTimeMillis() + 60_000));
      harness.engine().client().queryInstance(doomed, false, WaitCondition.COMPLETED);
      harness.startInstance(harness.idOnPartition("doomed", 1), "Doomed", null);
      harness.wipeTaskHub();
    }

    private void terminateATreeRecursively() {
      String root = harness.idOnPartition("root", 2);
      String leaf = harness.idOnPartition("leaf", 0);
      harness.startInstance(root, "Root", null);
      harness.runEpisode(root, createSubOrchestration(0, leaf, "Leaf", null));
      harness.runEpisode(leaf);
      harness.sendToInstance(
          root,
          HistoryEvents.of(
              System.currentTimeMillis(), new ExecutionTerminated("\"enough\"", true)));
      harness.runEpisode(root, terminated(1, "\"enough\""));
      harness.runEpisode(leaf, terminated(0, "\"enough\""));
      harness.awaitCompletion(leaf);
    }

    private void listAndPurge() {
      harness.queryInstances(InstanceFilter.newBuilder().build(), true, 2, null);
      harness.listInstanceIds(List.of(), null, null, 2, null);
      harness.readHistory(parent, null, 0);
      harness.raiseEvent("nobody", "Hello", null);
      harness.purge(List.of(harness.idOnPartition("reused", 0)), false);
      harness.purge(List.of(harness.idOnPartition("root", 2)), true);
      harness.purge(
          InstanceFilter.newBuilder().setStatuses(List.of(RuntimeStatus.FAILED)).build(), false);
      String waited = harness.idOnPartition("waited", 2);
      harness.startInstance(waited, "Waited", null);
      harness.engine().client().queryInstance(waited, false, WaitCondition.STARTED).cancel(false);
      harness.query(waited);
    }

    private void startWaitingInstances() {
      harness.startInstance(listener, "Listener", null);
      harness.runEpisode(listener);
      harness.startInstance(victim, "Victim", null);
      harness.runEpisode(victim);
      harness.startInstance(parent, "Parent", "\"in\"");
    }

    private void runActivitiesAndTimer() {
      OrchestratorWorkItem first = harness.nextOrchestratorWorkItem(parent);
      long fireAt = System.currentTimeMillis() + 150;
      harness.completeEpisode(
          first,
          List.of(scheduleTask(0, "Ok", "1"), scheduleTask(1, "Bad", "2"), createTimer(2, fireAt)),
          "working");
      ActivityWorkItem ok = harness.nextActivityWorkItem(parent);
      ActivityWorkItem bad = harness.nextActivityWorkItem(parent);
      harness.completeActivity(taskId(ok) == 0 ? ok : bad, "\"fine\"");
      harness.failActivity(taskId(ok) == 0 ? bad : ok, failure("Oops", "bad input"));
    }

    private void runMessagesBetweenPartitions() {
      harness.completeEpisode(
          episodeWith(parent, TaskCompleted.class, TaskFailed.class, TimerFired.class),
          createSubOrchestration(3, child, "Child", "\"c\""),
          sendEvent(4, listener, "Hello", "\"hi\""),
          terminate(5, victim, "\"enough\""));
      harness.runEpisode(child, complete(0, "\"child out\""));
      harness.runEpisode(listener, complete(1, "\"heard\""));
      harness.runEpisode(victim, terminated(1, "\"enough\""));
      HistoryEvent carried =
          HistoryEvents.of(System.currentTimeMillis(), new EventRaised("Carried", null));
      harness.completeEpisode(
          episodeWith(parent, SubOrchestrationInstanceCompleted.class),
          continueAsNew(6, "\"again\"", List.of(carried)));
      harness.runEpisode(parent, complete(0, "\"parent out\""));
      harness.awaitCompletion(parent);
    }

    private void runScheduledStartThatFails() {
      String late = harness.idOnPartition("late", 2);
      harness.createInstance(
          newInstance(late, "Late")
              .setScheduledStartTime(System.currentTimeMillis() + 100)
              .build());
      harness.runEpisode(late, fail(0, failure("Late", "too late")));
      harness.awaitCompletion(late);
    }

    private void replaceACompletedInstance() {
      String reused = harness.idOnPartition("reused", 0);
      harness.startInstance(reused, "Reused", "1");
      harness.runEpisode(reused, complete(0, "\"one\""));
      harness.awaitCompletion(reused);
      harness.startInstance(reused, "Reused", "2");
      harness.runEpisode(reused, complete(0, "\"two\""));
      harness.awaitCompletion(reused);
    }

    private void leaveAWaiterAndADroppedEvent() {
      String pending = harness.idOnPartition("pending", 1);
      harness.startInstance(pending, "Pending", null);
      harness.engine().client().queryInstance(pending, true, WaitCondition.COMPLETED);
      harness.raiseEvent(listener, "TooLate", null);
      harness.query(pending);
      harness.query(listener);
    }

    /**
     * Completes the instance's episodes without actions until it has seen events of every type;
     * returns the episode that brought the last of them, not completed.
     */
    private OrchestratorWorkItem episodeWith(String instanceId, Class<?>... types) {
      Set<Class<?>> missing = new HashSet<>(List.of(types));
      OrchestratorWorkItem item = harness.nextOrchestratorWorkItem(instanceId);
      item.newEvents().forEach(event -> missing.remove(event.getEvent().getClass()));
      while (!missing.isEmpty()) {
        harness.completeEpisode(item);
        item = harness.nextOrchestratorWorkItem(instanceId);
        item.newEvents().forEach(event -> missing.remove(event.getEvent().getClass()));
      }
      return item;
    }

    private static int taskId(ActivityWorkItem item) {
      return item.task().getTaskId();
    }
  }

  /** Replay needs no side effects. */
  private static final class IgnoringListener implements StateMachineListener {
    @Override
    public void onRunnable(InstanceState instance) {}

    @Override
    public void onActivityScheduled(InstanceState instance, ActivityTask task) {}

    @Override
    public void onTimerSet(InstanceState instance, int timerId, long fireAt) {}

    @Override
    public void onResponse(String clientId, long requestId, Object body) {}
  }
}
