package io.durabletask.kafka.engine;

import static io.durabletask.kafka.engine.Actions.continueAsNew;
import static io.durabletask.kafka.engine.Actions.createTimer;
import static io.durabletask.kafka.engine.Actions.scheduleTask;
import static io.durabletask.kafka.engine.EngineHarness.eventsOf;
import static io.durabletask.kafka.engine.EngineHarness.typesOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.durabletask.kafka.avro.EventRaised;
import io.durabletask.kafka.avro.ExecutionStarted;
import io.durabletask.kafka.avro.RuntimeStatus;
import io.durabletask.kafka.avro.TimerFired;
import io.durabletask.kafka.engine.partition.HistoryEvents;
import io.durabletask.kafka.engine.workitem.ActivityWorkItem;
import io.durabletask.kafka.engine.workitem.CompletionOutcome;
import io.durabletask.kafka.engine.workitem.OrchestratorWorkItem;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ContinueAsNewTest {
  private EngineHarness harness;

  @BeforeEach
  void startEngine() {
    harness = EngineHarness.start(2);
  }

  @AfterEach
  void stopEngine() {
    harness.close();
  }

  @Test
  void shouldStartANewExecutionWithTheResultAsInputAndTheCarryoverEvents() {
    // given
    harness.startInstance("looping", "Loop", "1");
    OrchestratorWorkItem first = harness.nextOrchestratorWorkItem("looping");
    EventRaised carried = new EventRaised("Carried", "\"kept\"");

    // when
    harness.completeEpisode(
        first,
        continueAsNew(0, "2", List.of(HistoryEvents.of(System.currentTimeMillis(), carried))));
    OrchestratorWorkItem second = harness.nextOrchestratorWorkItem("looping");

    // then
    assertThat(second.executionId()).isNotEqualTo(first.executionId());
    assertThat(second.pastEvents()).isEmpty();
    assertThat(typesOf(second.newEvents()))
        .containsExactly("OrchestratorStarted", "ExecutionStarted", "EventRaised");
    assertThat(eventsOf(second.newEvents(), ExecutionStarted.class).get(0).getInput())
        .isEqualTo("2");
    assertThat(eventsOf(second.newEvents(), EventRaised.class)).containsExactly(carried);
    assertThat(harness.query("looping").getStatus()).isEqualTo(RuntimeStatus.RUNNING);
    assertThat(harness.query("looping").getInput()).isEqualTo("2");
  }

  @Test
  void shouldDropAnActivityResultOfThePreviousExecutionThatArrivedDuringTheEpisode() {
    // given an activity in flight while the episode that continues as new is open
    harness.startInstance("restarting", "Loop", null);
    harness.runEpisode("restarting", scheduleTask(0, "Work", null));
    ActivityWorkItem activity = harness.nextActivityWorkItem("restarting");
    harness.raiseEvent("restarting", "Restart", null);
    OrchestratorWorkItem restarting = harness.nextOrchestratorWorkItem("restarting");
    assertThat(harness.completeActivity(activity, "\"late\""))
        .isEqualTo(CompletionOutcome.ACCEPTED);

    // when
    harness.completeEpisode(restarting, continueAsNew(1, "next", List.of()));
    OrchestratorWorkItem fresh = harness.nextOrchestratorWorkItem("restarting");

    // then the new execution starts clean
    assertThat(fresh.executionId()).isNotEqualTo(restarting.executionId());
    assertThat(typesOf(fresh.newEvents()))
        .containsExactly("OrchestratorStarted", "ExecutionStarted");
  }

  @Test
  void shouldNotDeliverATimerOfThePreviousExecution() {
    // given
    long fireAt = System.currentTimeMillis() + 300;
    harness.startInstance("forgetful", "Loop", null);
    harness.runEpisode("forgetful", createTimer(0, fireAt));
    harness.raiseEvent("forgetful", "Restart", null);
    harness.runEpisode("forgetful", continueAsNew(1, "next", List.of()));

    // when
    harness.runEpisode("forgetful");
    OrchestratorWorkItem late =
        harness.pollOrchestratorWorkItem(
            any -> true, Duration.ofMillis(fireAt - System.currentTimeMillis() + 300));

    // then
    assertThat(late).isNull();
  }

  @Test
  void shouldFireATimerOfTheNewExecutionDueWhenOneOfThePreviousWas() {
    // given
    long fireAt = System.currentTimeMillis() + 500;
    harness.startInstance("same-time", "Loop", null);
    harness.runEpisode("same-time", createTimer(0, fireAt));
    harness.raiseEvent("same-time", "Restart", null);
    harness.runEpisode("same-time", continueAsNew(1, "next", List.of()));

    // when
    harness.runEpisode("same-time", createTimer(0, fireAt));
    OrchestratorWorkItem woken = harness.nextOrchestratorWorkItem("same-time");

    // then
    assertThat(eventsOf(woken.newEvents(), TimerFired.class))
        .singleElement()
        .extracting(TimerFired::getTimerId)
        .isEqualTo(0);
  }
}
