package io.durabletask.kafka.engine;

import static io.durabletask.kafka.engine.Actions.complete;
import static io.durabletask.kafka.engine.Actions.createTimer;
import static io.durabletask.kafka.engine.Actions.scheduleTask;
import static io.durabletask.kafka.engine.EngineHarness.eventsOf;
import static io.durabletask.kafka.engine.EngineHarness.typesOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.durabletask.kafka.avro.CreateOutcome;
import io.durabletask.kafka.avro.ExecutionStarted;
import io.durabletask.kafka.avro.HistoryEvent;
import io.durabletask.kafka.avro.InstanceSnapshot;
import io.durabletask.kafka.avro.RuntimeStatus;
import io.durabletask.kafka.avro.TaskCompleted;
import io.durabletask.kafka.avro.TaskScheduled;
import io.durabletask.kafka.avro.TimerFired;
import io.durabletask.kafka.engine.workitem.ActivityWorkItem;
import io.durabletask.kafka.engine.workitem.CompletionOutcome;
import io.durabletask.kafka.engine.workitem.OrchestratorWorkItem;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OrchestrationEpisodeTest {
  private EngineHarness harness;

  @BeforeEach
  void startEngine() {
    harness = EngineHarness.start(4);
  }

  @AfterEach
  void stopEngine() {
    harness.close();
  }

  @Test
  void shouldDispatchTheFirstEpisodeWithExecutionStartedAndNoPastEvents() {
    // given
    CreateOutcome outcome = harness.startInstance("first", "Greeter", "\"world\"").getOutcome();

    // when
    OrchestratorWorkItem item = harness.nextOrchestratorWorkItem("first");

    // then
    assertThat(outcome).isEqualTo(CreateOutcome.CREATED);
    assertThat(item.pastEvents()).isEmpty();
    assertThat(typesOf(item.newEvents()))
        .containsExactly("OrchestratorStarted", "ExecutionStarted");
    ExecutionStarted started = eventsOf(item.newEvents(), ExecutionStarted.class).get(0);
    assertThat(started.getName()).isEqualTo("Greeter");
    assertThat(started.getInput()).isEqualTo("\"world\"");
    assertThat(item.partition()).isEqualTo(harness.partitionOf("first"));
  }

  @Test
  void shouldRunOneActivityRoundTripToCompletion() {
    // given
    harness.startInstance("round-trip", "Greeter", "\"world\"");
    InstanceSnapshot beforeFirstEpisode = harness.query("round-trip");
    OrchestratorWorkItem first = harness.nextOrchestratorWorkItem("round-trip");

    // when
    CompletionOutcome scheduled = harness.completeEpisode(first, scheduleTask(0, "Say", "\"hi\""));
    InstanceSnapshot afterFirstEpisode = harness.query("round-trip");
    ActivityWorkItem activity = harness.nextActivityWorkItem("round-trip");
    CompletionOutcome activityDone = harness.completeActivity(activity, "\"said hi\"");
    OrchestratorWorkItem second = harness.nextOrchestratorWorkItem("round-trip");
    harness.completeEpisode(second, complete(1, "\"done\""));
    InstanceSnapshot completed = harness.awaitCompletion("round-trip");

    // then
    assertThat(beforeFirstEpisode.getStatus()).isEqualTo(RuntimeStatus.PENDING);
    assertThat(scheduled).isEqualTo(CompletionOutcome.ACCEPTED);
    assertThat(afterFirstEpisode.getStatus()).isEqualTo(RuntimeStatus.RUNNING);
    assertThat(activity.task().getTaskId()).isZero();
    assertThat(activity.task().getName()).isEqualTo("Say");
    assertThat(activity.task().getInput()).isEqualTo("\"hi\"");
    assertThat(activityDone).isEqualTo(CompletionOutcome.ACCEPTED);
    assertThat(typesOf(second.pastEvents()))
        .containsExactly(
            "OrchestratorStarted", "ExecutionStarted", "TaskScheduled", "OrchestratorCompleted");
    assertThat(second.pastEvents().get(2).getEventId()).isZero();
    assertThat(eventsOf(second.pastEvents(), TaskScheduled.class).get(0).getName())
        .isEqualTo("Say");
    assertThat(typesOf(second.newEvents())).containsExactly("OrchestratorStarted", "TaskCompleted");
    TaskCompleted taskCompleted = eventsOf(second.newEvents(), TaskCompleted.class).get(0);
    assertThat(taskCompleted.getTaskScheduledId()).isZero();
    assertThat(taskCompleted.getResult()).isEqualTo("\"said hi\"");
    assertThat(completed.getStatus()).isEqualTo(RuntimeStatus.COMPLETED);
    assertThat(completed.getOutput()).isEqualTo("\"done\"");
    assertThat(completed.getCompletedTime()).isNotNull();
  }

  @Test
  void shouldGiveEachEpisodeALaterOrchestratorStartedTime() {
    // given
    harness.startInstance("clock", "Clock", null);
    OrchestratorWorkItem first = harness.runEpisode("clock", scheduleTask(0, "Tick", null));
    harness.completeActivity(harness.nextActivityWorkItem("clock"), null);

    // when
    OrchestratorWorkItem second = harness.nextOrchestratorWorkItem("clock");

    // then
    HistoryEvent firstStarted = first.newEvents().get(0);
    HistoryEvent storedStarted = second.pastEvents().get(0);
    assertThat(storedStarted.getTimestamp()).isEqualTo(firstStarted.getTimestamp());
    assertThat(second.newEvents().get(0).getTimestamp()).isGreaterThan(firstStarted.getTimestamp());
  }

  @Test
  void shouldFireADurableTimerNoEarlierThanItsDueTime() {
    // given
    harness.startInstance("sleeper", "Sleeper", null);
    long fireAt = System.currentTimeMillis() + 400;

    // when
    harness.runEpisode("sleeper", createTimer(3, fireAt));
    OrchestratorWorkItem woken = harness.nextOrchestratorWorkItem("sleeper");
    long wokenAt = System.currentTimeMillis();

    // then
    assertThat(wokenAt).isGreaterThanOrEqualTo(fireAt);
    assertThat(woken.newEvents().get(0).getTimestamp()).isGreaterThanOrEqualTo(fireAt);
    assertThat(typesOf(woken.pastEvents()))
        .containsExactly(
            "OrchestratorStarted", "ExecutionStarted", "TimerCreated", "OrchestratorCompleted");
    assertThat(woken.pastEvents().get(2).getEventId()).isEqualTo(3);
    assertThat(typesOf(woken.newEvents())).containsExactly("OrchestratorStarted", "TimerFired");
    TimerFired fired = eventsOf(woken.newEvents(), TimerFired.class).get(0);
    assertThat(fired.getTimerId()).isEqualTo(3);
    assertThat(fired.getFireAt()).isEqualTo(fireAt);
  }

  @Test
  void shouldKeepMessagesThatArriveDuringAnEpisodeForTheNextOne() {
    // given
    harness.startInstance("busy", "Busy", null);
    OrchestratorWorkItem first = harness.nextOrchestratorWorkItem("busy");

    // when
    harness.raiseEvent("busy", "Ping", "1");
    assertThat(harness.pollOrchestratorWorkItem(item -> true, Duration.ofMillis(200))).isNull();
    harness.completeEpisode(first);
    OrchestratorWorkItem second = harness.nextOrchestratorWorkItem("busy");

    // then
    assertThat(typesOf(second.newEvents())).containsExactly("OrchestratorStarted", "EventRaised");
  }
}
