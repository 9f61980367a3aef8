package io.durabletask.kafka.engine;

import static io.durabletask.kafka.engine.Actions.complete;
import static io.durabletask.kafka.engine.Actions.scheduleTask;
import static io.durabletask.kafka.engine.EngineHarness.newInstance;
import static io.durabletask.kafka.engine.EngineHarness.typesOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.durabletask.kafka.avro.CreateInstanceResponse;
import io.durabletask.kafka.avro.CreateOutcome;
import io.durabletask.kafka.avro.InstanceSnapshot;
import io.durabletask.kafka.avro.RuntimeStatus;
import io.durabletask.kafka.engine.workitem.CompletionOutcome;
import io.durabletask.kafka.engine.workitem.OrchestratorWorkItem;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class InstanceReuseTest {
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
  void shouldReplaceACompletedInstance() {
    // given
    harness.startInstance("reused", "Orchestration", "1");
    harness.runEpisode("reused", complete(0, "\"first run\""));
    InstanceSnapshot firstRun = harness.awaitCompletion("reused");

    // when
    CreateInstanceResponse response = harness.startInstance("reused", "Orchestration", "2");
    InstanceSnapshot secondRun = harness.query("reused");
    OrchestratorWorkItem item = harness.nextOrchestratorWorkItem("reused");

    // then
    assertThat(response.getOutcome()).isEqualTo(CreateOutcome.CREATED);
    assertThat(secondRun.getStatus()).isEqualTo(RuntimeStatus.PENDING);
    assertThat(secondRun.getInput()).isEqualTo("2");
    assertThat(secondRun.getOutput()).isNull();
    assertThat(secondRun.getExecutionId()).isNotEqualTo(firstRun.getExecutionId());
    assertThat(item.pastEvents()).isEmpty();
    assertThat(typesOf(item.newEvents()))
        .containsExactly("OrchestratorStarted", "ExecutionStarted");
    assertThat(item.executionId()).isEqualTo(secondRun.getExecutionId());
  }

  @Test
  void shouldAnswerAlreadyExistsForARunningInstance() {
    // given
    harness.startInstance("running", "Orchestration", "1");
    harness.runEpisode("running", scheduleTask(0, "Work", null));
    InstanceSnapshot before = harness.query("running");

    // when
    CreateInstanceResponse response = harness.startInstance("running", "Orchestration", "2");

    // then
    assertThat(response.getOutcome()).isEqualTo(CreateOutcome.ALREADY_EXISTS);
    assertThat(response.getExistingStatus()).isEqualTo(RuntimeStatus.RUNNING);
    InstanceSnapshot after = harness.query("running");
    assertThat(after.getExecutionId()).isEqualTo(before.getExecutionId());
    assertThat(after.getInput()).isEqualTo("1");
    assertThat(after.getStatus()).isEqualTo(RuntimeStatus.RUNNING);
  }

  @Test
  void shouldAnswerAlreadyExistsForAPendingInstanceWithoutAPolicy() {
    // given
    harness.startInstance("pending", "Orchestration", "1");

    // when
    CreateInstanceResponse response = harness.startInstance("pending", "Orchestration", "2");

    // then
    assertThat(response.getOutcome()).isEqualTo(CreateOutcome.ALREADY_EXISTS);
    assertThat(response.getExistingStatus()).isEqualTo(RuntimeStatus.PENDING);
  }

  @Test
  void shouldReplaceARunningInstanceWhenThePolicyListsRunning() {
    // given
    harness.startInstance("replaced", "Orchestration", "1");
    harness.runEpisode("replaced", scheduleTask(0, "Work", null));
    InstanceSnapshot before = harness.query("replaced");

    // when
    CreateInstanceResponse response =
        harness.createInstance(
            newInstance("replaced", "Orchestration")
                .setInput("2")
                .setReplaceableStatuses(List.of(RuntimeStatus.RUNNING))
                .build());
    OrchestratorWorkItem item = harness.nextOrchestratorWorkItem("replaced");

    // then
    assertThat(response.getOutcome()).isEqualTo(CreateOutcome.CREATED);
    assertThat(item.pastEvents()).isEmpty();
    assertThat(item.executionId()).isNotEqualTo(before.getExecutionId());
    assertThat(harness.query("replaced").getInput()).isEqualTo("2");
  }

  @Test
  void shouldRefuseTheOldExecutionsWorkAfterItWasReplaced() {
    // given
    harness.startInstance("superseded", "Orchestration", "1");
    OrchestratorWorkItem oldEpisode = harness.nextOrchestratorWorkItem("superseded");
    harness.createInstance(
        newInstance("superseded", "Orchestration")
            .setReplaceableStatuses(List.of(RuntimeStatus.PENDING, RuntimeStatus.RUNNING))
            .build());
    OrchestratorWorkItem newEpisode = harness.nextOrchestratorWorkItem("superseded");

    // when
    CompletionOutcome outcome = harness.completeEpisode(oldEpisode, complete(0, "\"old\""));

    // then
    assertThat(outcome).isEqualTo(CompletionOutcome.NOT_FOUND);
    assertThat(harness.completeEpisode(newEpisode, complete(0, "\"new\"")))
        .isEqualTo(CompletionOutcome.ACCEPTED);
    assertThat(harness.awaitCompletion("superseded").getOutput()).isEqualTo("\"new\"");
  }
}
