package io.durabletask.kafka.engine;

import static io.durabletask.kafka.engine.Actions.complete;
import static io.durabletask.kafka.engine.Actions.scheduleTask;
import static io.durabletask.kafka.engine.EngineHarness.eventsOf;
import static io.durabletask.kafka.engine.EngineHarness.typesOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.durabletask.kafka.avro.RuntimeStatus;
import io.durabletask.kafka.avro.TaskCompleted;
import io.durabletask.kafka.engine.workitem.ActivityCompletion;
import io.durabletask.kafka.engine.workitem.ActivityWorkItem;
import io.durabletask.kafka.engine.workitem.CompletionOutcome;
import io.durabletask.kafka.engine.workitem.OrchestratorCompletion;
import io.durabletask.kafka.engine.workitem.OrchestratorWorkItem;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CompletionRefusalTest {
  private static final Duration QUIET = Duration.ofMillis(300);

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
  void shouldRefuseAnEpisodeCompletionWithAStaleDispatchId() {
    // given
    harness.startInstance("stale", "Orchestration", null);
    OrchestratorWorkItem item = harness.nextOrchestratorWorkItem("stale");
    long appendsBefore = appendsOf("stale");

    // when
    CompletionOutcome outcome =
        harness.complete(
            new OrchestratorCompletion(
                "stale", item.dispatchId() + 1, List.of(complete(0, "\"stale\"")), null));

    // then
    assertThat(outcome).isEqualTo(CompletionOutcome.NOT_FOUND);
    assertThat(appendsOf("stale")).isEqualTo(appendsBefore);
    assertThat(harness.query("stale").getStatus()).isEqualTo(RuntimeStatus.PENDING);
    assertThat(harness.completeEpisode(item, complete(0, "\"real\"")))
        .isEqualTo(CompletionOutcome.ACCEPTED);
    assertThat(harness.awaitCompletion("stale").getOutput()).isEqualTo("\"real\"");
  }

  @Test
  void shouldRefuseCompletionsForAnUnknownInstance() {
    // given
    long appendsBefore = appendsOf("nobody");

    // when
    CompletionOutcome episode =
        harness.complete(new OrchestratorCompletion("nobody", 1, List.of(complete(0, "x")), null));
    CompletionOutcome activity =
        harness.complete(new ActivityCompletion("nobody", "no-execution", 0, "x", null));

    // then
    assertThat(episode).isEqualTo(CompletionOutcome.NOT_FOUND);
    assertThat(activity).isEqualTo(CompletionOutcome.NOT_FOUND);
    assertThat(appendsOf("nobody")).isEqualTo(appendsBefore);
    assertThat(harness.query("nobody")).isNull();
  }

  @Test
  void shouldRefuseASecondCompletionOfTheSameEpisode() {
    // given
    harness.startInstance("twice", "Orchestration", null);
    OrchestratorWorkItem item = harness.nextOrchestratorWorkItem("twice");
    harness.completeEpisode(item, scheduleTask(0, "Work", null));
    ActivityWorkItem activity = harness.nextActivityWorkItem("twice");

    // when
    CompletionOutcome again = harness.completeEpisode(item, complete(0, "\"again\""));

    // then
    assertThat(again).isEqualTo(CompletionOutcome.NOT_FOUND);
    assertThat(harness.query("twice").getStatus()).isEqualTo(RuntimeStatus.RUNNING);
    assertThat(harness.pollActivityWorkItem(any -> true, QUIET)).isNull();
    harness.completeActivity(activity, "1");
    OrchestratorWorkItem next = harness.nextOrchestratorWorkItem("twice");
    assertThat(typesOf(next.pastEvents()))
        .containsExactly(
            "OrchestratorStarted", "ExecutionStarted", "TaskScheduled", "OrchestratorCompleted");
  }

  @Test
  void shouldApplyADuplicatedActivityCompletionOnce() {
    // given
    harness.startInstance("dup-activity", "Orchestration", null);
    harness.runEpisode("dup-activity", scheduleTask(0, "Work", null));
    ActivityWorkItem activity = harness.nextActivityWorkItem("dup-activity");

    // when
    CompletionOutcome first = harness.completeActivity(activity, "\"first\"");
    CompletionOutcome second = harness.completeActivity(activity, "\"second\"");
    OrchestratorWorkItem next = harness.nextOrchestratorWorkItem("dup-activity");

    // then
    assertThat(first).isEqualTo(CompletionOutcome.ACCEPTED);
    assertThat(second).isEqualTo(CompletionOutcome.NOT_FOUND);
    List<TaskCompleted> results = eventsOf(next.newEvents(), TaskCompleted.class);
    assertThat(results).singleElement().extracting(TaskCompleted::getResult).isEqualTo("\"first\"");
    harness.completeEpisode(next);
    assertThat(harness.pollOrchestratorWorkItem(any -> true, QUIET)).isNull();
  }

  @Test
  void shouldRefuseAnActivityCompletionForAnotherExecution() {
    // given
    harness.startInstance("other-execution", "Orchestration", null);
    harness.runEpisode("other-execution", scheduleTask(0, "Work", null));
    ActivityWorkItem activity = harness.nextActivityWorkItem("other-execution");

    // when
    CompletionOutcome outcome =
        harness.complete(
            new ActivityCompletion("other-execution", "another-execution", 0, "1", null));

    // then
    assertThat(outcome).isEqualTo(CompletionOutcome.NOT_FOUND);
    assertThat(harness.completeActivity(activity, "1")).isEqualTo(CompletionOutcome.ACCEPTED);
  }

  @Test
  void shouldRefuseACompletionOfAnEpisodeDispatchedBeforeARestart() {
    // given
    harness.startInstance("restarted", "Orchestration", null);
    OrchestratorWorkItem beforeRestart = harness.nextOrchestratorWorkItem("restarted");
    harness.restart();
    OrchestratorWorkItem afterRestart = harness.nextOrchestratorWorkItem("restarted");

    // when
    CompletionOutcome stale = harness.completeEpisode(beforeRestart, complete(0, "\"stale\""));

    // then
    assertThat(stale).isEqualTo(CompletionOutcome.NOT_FOUND);
    assertThat(harness.query("restarted").getStatus()).isEqualTo(RuntimeStatus.PENDING);
    harness.completeEpisode(afterRestart, complete(0, "\"fresh\""));
    assertThat(harness.awaitCompletion("restarted").getOutput()).isEqualTo("\"fresh\"");
  }

  private long appendsOf(String instanceId) {
    return harness.store().appendCount(harness.partitionOf(instanceId));
  }
}
