package io.durabletask.kafka.engine;

import static io.durabletask.kafka.engine.Actions.complete;
import static io.durabletask.kafka.engine.Actions.createTimer;
import static io.durabletask.kafka.engine.Actions.scheduleTask;
import static io.durabletask.kafka.engine.EngineHarness.eventsOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.durabletask.kafka.avro.InstanceSnapshot;
import io.durabletask.kafka.avro.RuntimeStatus;
import io.durabletask.kafka.avro.TaskCompleted;
import io.durabletask.kafka.avro.TimerFired;
import io.durabletask.kafka.avro.WaitCondition;
import io.durabletask.kafka.engine.partition.CheckpointPolicy;
import io.durabletask.kafka.engine.workitem.ActivityWorkItem;
import io.durabletask.kafka.engine.workitem.CompletionOutcome;
import io.durabletask.kafka.engine.workitem.OrchestratorWorkItem;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RestartTest {
  private static final int PARTITIONS = 3;
  private static final int COMPLETED_INSTANCES = 6;
  private static final CheckpointPolicy NEVER =
      new CheckpointPolicy(Long.MAX_VALUE, Long.MAX_VALUE);
  private static final CheckpointPolicy OFTEN = new CheckpointPolicy(4, Long.MAX_VALUE);

  private EngineHarness harness;

  @AfterEach
  void stopEngine() {
    harness.close();
  }

  @Test
  void shouldRecoverInstancesAfterARestart() {
    // given
    harness = EngineHarness.start(PARTITIONS, NEVER);
    Map<String, InstanceSnapshot> completed = completeSomeInstances();
    long fireAt = startSleeper();

    // when
    harness.restart();

    // then
    assertRecovered(completed, fireAt);
  }

  @Test
  void shouldRebuildTheStateFromTheLogWhenTheCacheIsGone() {
    // given
    harness = EngineHarness.start(PARTITIONS, NEVER);
    Map<String, InstanceSnapshot> completed = completeSomeInstances();
    long fireAt = startSleeper();

    // when
    harness.restart(harness.store()::dropCaches);

    // then
    assertThat(harness.store().checkpointPosition(harness.partitionOf("sleeper"))).isZero();
    assertRecovered(completed, fireAt);
  }

  @Test
  void shouldRecoverFromACheckpointAndTheLogAfterIt() {
    // given
    harness = EngineHarness.start(PARTITIONS, OFTEN);
    Map<String, InstanceSnapshot> completed = completeSomeInstances();
    long fireAt = startSleeper();
    int partition = harness.partitionOf("sleeper");

    // when
    harness.restart(harness.store()::dropCaches);

    // then
    long checkpoint = harness.store().checkpointPosition(partition);
    assertThat(checkpoint).isPositive();
    assertThat(harness.store().log(partition))
        .allSatisfy(entry -> assertThat(entry.position()).isGreaterThan(checkpoint));
    assertRecovered(completed, fireAt);
  }

  @Test
  void shouldKeepAValidCacheAcrossACheckpointedRestart() {
    // given
    harness = EngineHarness.start(PARTITIONS, OFTEN);
    Map<String, InstanceSnapshot> completed = completeSomeInstances();
    long fireAt = startSleeper();

    // when
    harness.restart();

    // then
    assertRecovered(completed, fireAt);
  }

  @Test
  void shouldDispatchAnActivityAgainAfterARestart() {
    // given
    harness = EngineHarness.start(PARTITIONS, NEVER);
    startWithActivity("in-flight");

    // when
    harness.restart();

    // then
    assertActivityCompletes("in-flight");
  }

  @Test
  void shouldDispatchAnActivityAgainAfterARestartWithoutCache() {
    // given
    harness = EngineHarness.start(PARTITIONS, NEVER);
    startWithActivity("in-flight");

    // when
    harness.restart(harness.store()::dropCaches);

    // then
    assertActivityCompletes("in-flight");
  }

  @Test
  void shouldKeepGoingWhenAClientWaitedOnAnInstanceBeforeARestart() {
    // given
    harness = EngineHarness.start(PARTITIONS, NEVER);
    start("awaited");
    harness.engine().client().queryInstance("awaited", false, WaitCondition.COMPLETED);
    assertThat(harness.query("awaited").getStatus()).isEqualTo(RuntimeStatus.PENDING);

    // when
    harness.restart();
    harness.runEpisode("awaited", complete(0, "\"finally\""));

    // then
    assertThat(harness.awaitCompletion("awaited").getOutput()).isEqualTo("\"finally\"");
  }

  private void startWithActivity(String instanceId) {
    start(instanceId);
    harness.runEpisode(instanceId, scheduleTask(0, "Slow", "\"x\""));
    harness.nextActivityWorkItem(instanceId);
  }

  private void assertActivityCompletes(String instanceId) {
    ActivityWorkItem again = harness.nextActivityWorkItem(instanceId);
    assertThat(harness.completeActivity(again, "\"again\"")).isEqualTo(CompletionOutcome.ACCEPTED);
    OrchestratorWorkItem next = harness.nextOrchestratorWorkItem(instanceId);
    assertThat(eventsOf(next.newEvents(), TaskCompleted.class))
        .singleElement()
        .extracting(TaskCompleted::getResult)
        .isEqualTo("\"again\"");
  }

  private Map<String, InstanceSnapshot> completeSomeInstances() {
    Map<String, InstanceSnapshot> completed = new LinkedHashMap<>();
    IntStream.range(0, COMPLETED_INSTANCES).mapToObj(i -> "done-" + i).forEach(this::start);
    for (int i = 0; i < COMPLETED_INSTANCES; i++) {
      String id = "done-" + i;
      harness.runEpisode(id, scheduleTask(0, "Work", String.valueOf(i)));
      harness.completeActivity(harness.nextActivityWorkItem(id), "\"worked " + i + "\"");
      harness.runEpisode(id, complete(1, "\"output " + i + "\""));
      completed.put(id, harness.awaitCompletion(id));
    }
    return completed;
  }

  private void start(String instanceId) {
    harness.startInstance(instanceId, "Orchestration", null);
  }

  /** Starts an instance that waits on a timer, and returns when the timer is due. */
  private long startSleeper() {
    long fireAt = System.currentTimeMillis() + 700;
    start("sleeper");
    harness.runEpisode("sleeper", createTimer(0, fireAt));
    assertThat(harness.query("sleeper").getStatus()).isEqualTo(RuntimeStatus.RUNNING);
    return fireAt;
  }

  private void assertRecovered(Map<String, InstanceSnapshot> completed, long fireAt) {
    completed.forEach(
        (id, before) -> {
          InstanceSnapshot after = harness.query(id);
          assertThat(after.getStatus()).isEqualTo(RuntimeStatus.COMPLETED);
          assertThat(after.getOutput()).isEqualTo(before.getOutput());
          assertThat(after.getExecutionId()).isEqualTo(before.getExecutionId());
          assertThat(after.getCompletedTime()).isEqualTo(before.getCompletedTime());
        });
    OrchestratorWorkItem woken = harness.nextOrchestratorWorkItem("sleeper");
    assertThat(System.currentTimeMillis()).isGreaterThanOrEqualTo(fireAt);
    assertThat(eventsOf(woken.newEvents(), TimerFired.class))
        .singleElement()
        .extracting(TimerFired::getTimerId)
        .isEqualTo(0);
    harness.completeEpisode(woken, complete(1, "\"rested\""));
    assertThat(harness.awaitCompletion("sleeper").getOutput()).isEqualTo("\"rested\"");
  }
}
