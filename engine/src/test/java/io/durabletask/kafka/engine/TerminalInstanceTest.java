package io.durabletask.kafka.engine;

import static io.durabletask.kafka.engine.Actions.complete;
import static io.durabletask.kafka.engine.Actions.createTimer;
import static org.assertj.core.api.Assertions.assertThat;

import io.durabletask.kafka.avro.InstanceSnapshot;
import io.durabletask.kafka.avro.RuntimeStatus;
import io.durabletask.kafka.avro.TimerFired;
import io.durabletask.kafka.engine.partition.HistoryEvents;
import io.durabletask.kafka.engine.workitem.OrchestratorWorkItem;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TerminalInstanceTest {
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
  void shouldDropATimerThatComesDueAfterTheInstanceCompleted() {
    // given
    long fireAt = System.currentTimeMillis() + 500;
    harness.startInstance("early-exit", "Orchestration", null);
    harness.runEpisode("early-exit", createTimer(0, fireAt));
    harness.raiseEvent("early-exit", "Stop", null);
    harness.runEpisode("early-exit", complete(1, "\"stopped\""));
    InstanceSnapshot completed = harness.awaitCompletion("early-exit");

    // when
    OrchestratorWorkItem late = harness.pollOrchestratorWorkItem(any -> true, untilAfter(fireAt));

    // then
    assertThat(late).isNull();
    assertUnchanged("early-exit", completed);
  }

  @Test
  void shouldDropEventsSentToACompletedInstance() {
    // given
    String instanceId = harness.idOnPartition("done", 0);
    harness.startInstance(instanceId, "Orchestration", null);
    harness.runEpisode(instanceId, complete(0, "\"done\""));
    InstanceSnapshot completed = harness.awaitCompletion(instanceId);

    // when
    harness.raiseEvent(instanceId, "Late", "1");
    harness.sendToInstance(
        instanceId, HistoryEvents.of(System.currentTimeMillis(), new TimerFired(0L, 0)));
    String nextId = harness.idOnPartition("next", 0);
    harness.startInstance(nextId, "Orchestration", null);

    // then
    OrchestratorWorkItem next = harness.nextOrchestratorWorkItem();
    assertThat(next.instanceId()).isEqualTo(nextId);
    assertThat(harness.pollOrchestratorWorkItem(any -> true, Duration.ofMillis(200))).isNull();
    assertUnchanged(instanceId, completed);
  }

  private void assertUnchanged(String instanceId, InstanceSnapshot completed) {
    InstanceSnapshot now = harness.query(instanceId);
    assertThat(now.getStatus()).isEqualTo(RuntimeStatus.COMPLETED);
    assertThat(now.getOutput()).isEqualTo(completed.getOutput());
    assertThat(now.getLastUpdatedTime()).isEqualTo(completed.getLastUpdatedTime());
  }

  private static Duration untilAfter(long fireAt) {
    return Duration.ofMillis(fireAt - System.currentTimeMillis() + 300);
  }
}
