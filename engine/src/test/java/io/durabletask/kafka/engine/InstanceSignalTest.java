package io.durabletask.kafka.engine;

import static io.durabletask.kafka.engine.Actions.complete;
import static io.durabletask.kafka.engine.Actions.createSubOrchestration;
import static io.durabletask.kafka.engine.Actions.terminated;
import static io.durabletask.kafka.engine.EngineHarness.eventsOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.durabletask.kafka.avro.DeliveryOutcome;
import io.durabletask.kafka.avro.EventRaised;
import io.durabletask.kafka.avro.ExecutionTerminated;
import io.durabletask.kafka.avro.InstanceQueryResponse;
import io.durabletask.kafka.avro.InstanceRecord;
import io.durabletask.kafka.avro.RuntimeStatus;
import io.durabletask.kafka.avro.WaitCondition;
import io.durabletask.kafka.codec.Codecs;
import io.durabletask.kafka.engine.partition.HistoryEvents;
import io.durabletask.kafka.engine.storage.Bytes;
import io.durabletask.kafka.engine.workitem.OrchestratorWorkItem;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Messages clients send to instances, recursive termination, and waits that are given up. */
class InstanceSignalTest {
  private EngineHarness harness;

  @BeforeEach
  void startEngine() {
    harness = EngineHarness.start(3);
  }

  @AfterEach
  void stopEngine() {
    harness.close();
  }

  @Test
  void shouldTellTheClientWhetherTheInstanceGotItsMessage() {
    // given
    harness.startInstance("listening", "Orchestration", null);
    harness.runEpisode("listening");
    harness.startInstance("ended", "Orchestration", null);
    harness.runEpisode("ended", complete(0, null));

    // when
    DeliveryOutcome unknown = harness.raiseEvent("nobody", "Hello", null);
    DeliveryOutcome ended = harness.raiseEvent("ended", "Hello", null);
    DeliveryOutcome running = harness.raiseEvent("listening", "Hello", "\"hi\"");

    // then
    assertThat(unknown).isEqualTo(DeliveryOutcome.NOT_FOUND);
    assertThat(ended).isEqualTo(DeliveryOutcome.DROPPED);
    assertThat(running).isEqualTo(DeliveryOutcome.DELIVERED);
    OrchestratorWorkItem next = harness.nextOrchestratorWorkItem("listening");
    assertThat(eventsOf(next.newEvents(), EventRaised.class))
        .singleElement()
        .satisfies(event -> assertThat(event.getInput()).isEqualTo("\"hi\""));
    assertThat(harness.query("nobody")).isNull();
  }

  @Test
  void shouldTerminateRunningSubOrchestrationsWhenTheTerminateIsRecursive() {
    // given a parent on partition 0, its child on 1 and grandchild on 2, all running
    String parent = harness.idOnPartition("parent", 0);
    String child = harness.idOnPartition("child", 1);
    String grandchild = harness.idOnPartition("grandchild", 2);
    startTree(parent, child, grandchild);

    // when
    terminate(parent, "\"stop all\"", true);
    harness.runEpisode(parent, terminated(1, "\"stop all\""));

    // then
    OrchestratorWorkItem childEpisode = harness.nextOrchestratorWorkItem(child);
    assertThat(eventsOf(childEpisode.newEvents(), ExecutionTerminated.class))
        .singleElement()
        .satisfies(
            event -> {
              assertThat(event.getInput()).isEqualTo("\"stop all\"");
              assertThat(event.getRecurse()).isTrue();
            });
    harness.completeEpisode(childEpisode, terminated(1, "\"stop all\""));
    OrchestratorWorkItem grandchildEpisode = harness.nextOrchestratorWorkItem(grandchild);
    assertThat(eventsOf(grandchildEpisode.newEvents(), ExecutionTerminated.class)).hasSize(1);
    harness.completeEpisode(grandchildEpisode, terminated(0, "\"stop all\""));
    assertThat(harness.awaitCompletion(grandchild).getStatus()).isEqualTo(RuntimeStatus.TERMINATED);
  }

  @Test
  void shouldLeaveSubOrchestrationsRunningWhenTheTerminateIsNotRecursive() {
    // given
    String parent = harness.idOnPartition("lone-parent", 0);
    String child = harness.idOnPartition("lone-child", 1);
    String grandchild = harness.idOnPartition("lone-grandchild", 2);
    startTree(parent, child, grandchild);

    // when
    terminate(parent, "\"stop me\"", false);
    harness.runEpisode(parent, terminated(1, "\"stop me\""));

    // then
    assertThat(harness.pollOrchestratorWorkItem(item -> true, Duration.ofMillis(300))).isNull();
    assertThat(harness.query(child).getStatus()).isEqualTo(RuntimeStatus.RUNNING);
  }

  @Test
  void shouldForgetTheWaiterOfAWaitThatWasGivenUp() {
    // given
    String instanceId = harness.idOnPartition("awaited", 1);
    harness.startInstance(instanceId, "Orchestration", null);
    harness.runEpisode(instanceId);
    CompletableFuture<InstanceQueryResponse> wait =
        harness.engine().client().queryInstance(instanceId, false, WaitCondition.COMPLETED);
    awaitWaiters(1, instanceId, 1);

    // when
    wait.cancel(false);

    // then
    awaitWaiters(1, instanceId, 0);
    assertThat(harness.engine().client().pendingRequests()).isZero();
    harness.raiseEvent(instanceId, "Finish", null);
    harness.runEpisode(instanceId, complete(0, null));
    assertThat(harness.awaitCompletion(instanceId).getStatus()).isEqualTo(RuntimeStatus.COMPLETED);
  }

  private void startTree(String parent, String child, String grandchild) {
    harness.startInstance(parent, "Parent", null);
    harness.runEpisode(parent, createSubOrchestration(0, child, "Child", null));
    harness.runEpisode(child, createSubOrchestration(0, grandchild, "Grandchild", null));
    harness.runEpisode(grandchild);
  }

  private void terminate(String instanceId, String reason, boolean recursive) {
    DeliveryOutcome outcome =
        harness.sendToInstance(
            instanceId,
            HistoryEvents.of(
                System.currentTimeMillis(), new ExecutionTerminated(reason, recursive)));
    assertThat(outcome).isEqualTo(DeliveryOutcome.DELIVERED);
  }

  /** Waits until the stored record of the instance has {@code count} waiters. */
  private void awaitWaiters(int partition, String instanceId, int count) {
    long deadline = System.nanoTime() + EngineHarness.TIMEOUT.toNanos();
    while (storedWaiters(partition, instanceId) != count) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "Expected "
                + count
                + " waiters on "
                + instanceId
                + ", but there are "
                + storedWaiters(partition, instanceId));
      }
      Thread.onSpinWait();
    }
  }

  /** The waiters in the instance record the partition stored under "i/" + id. */
  private int storedWaiters(int partition, String instanceId) {
    byte[] id = instanceId.getBytes(StandardCharsets.UTF_8);
    byte[] key = ByteBuffer.allocate(2 + id.length).put((byte) 'i').put((byte) '/').put(id).array();
    byte[] value = harness.store().cacheContents(partition).get(new Bytes(key));
    InstanceRecord record = Codecs.INSTANCE_RECORD.decode(value);
    return record.getWaiters().size();
  }
}
