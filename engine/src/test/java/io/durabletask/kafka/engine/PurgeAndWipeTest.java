package io.durabletask.kafka.engine;

import static io.durabletask.kafka.engine.Actions.complete;
import static io.durabletask.kafka.engine.Actions.createSubOrchestration;
import static io.durabletask.kafka.engine.Actions.createTimer;
import static io.durabletask.kafka.engine.Actions.scheduleTask;
import static io.durabletask.kafka.engine.Actions.terminated;
import static io.durabletask.kafka.engine.EngineHarness.newInstance;
import static org.assertj.core.api.Assertions.assertThat;

import io.durabletask.kafka.avro.CreateInstanceRequest;
import io.durabletask.kafka.avro.InstanceFilter;
import io.durabletask.kafka.avro.InstanceQueryResponse;
import io.durabletask.kafka.avro.PartitionMessage;
import io.durabletask.kafka.avro.PartitionOrigin;
import io.durabletask.kafka.avro.RuntimeStatus;
import io.durabletask.kafka.avro.WaitCondition;
import io.durabletask.kafka.codec.Codecs;
import io.durabletask.kafka.engine.partition.CheckpointPolicy;
import io.durabletask.kafka.engine.storage.Bytes;
import io.durabletask.kafka.engine.workitem.ActivityWorkItem;
import io.durabletask.kafka.engine.workitem.CompletionOutcome;
import io.durabletask.kafka.engine.workitem.OrchestratorWorkItem;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PurgeAndWipeTest {
  private static final int PARTITIONS = 4;
  private static final long T0 = 1_700_000_000_000L;

  private final AtomicLong clock = new AtomicLong(T0);
  private EngineHarness harness;

  @BeforeEach
  void startEngine() {
    harness =
        EngineHarness.start(
            new EngineConfig(EngineHarness.HUB, PARTITIONS, CheckpointPolicy.DEFAULT, clock::get));
  }

  @AfterEach
  void stopEngine() {
    harness.close();
  }

  @Test
  void shouldPurgeACompletedInstanceWithItsHistory() {
    // given
    String instanceId = harness.idOnPartition("purged", 1);
    harness.startInstance(instanceId, "Orchestration", null);
    harness.runEpisode(instanceId, complete(0, "\"done\""));
    assertThat(storedKeysOf(1, instanceId)).isNotEmpty();

    // when
    int purged = harness.purge(List.of(instanceId), false);
    int again = harness.purge(List.of(instanceId), false);

    // then
    assertThat(purged).isEqualTo(1);
    assertThat(again).isZero();
    assertThat(harness.query(instanceId)).isNull();
    assertThat(storedKeysOf(1, instanceId)).isEmpty();
  }

  @Test
  void shouldNeverPurgeAnInstanceThatIsNotTerminal() {
    // given
    harness.startInstance("pending", "Orchestration", null);
    harness.startInstance("running", "Orchestration", null);
    harness.runEpisode("running", createTimer(0, T0 + 60_000));

    // when
    int byId = harness.purge(List.of("pending", "running", "unknown"), false);
    int byFilter = harness.purge(InstanceFilter.newBuilder().build(), false);

    // then
    assertThat(byId).isZero();
    assertThat(byFilter).isZero();
    assertThat(harness.query("pending").getStatus()).isEqualTo(RuntimeStatus.PENDING);
    assertThat(harness.query("running").getStatus()).isEqualTo(RuntimeStatus.RUNNING);
  }

  @Test
  void shouldPurgeByFilterOnEveryPartition() {
    // given
    for (int i = 0; i < 8; i++) {
      clock.set(T0 + i * 1000);
      String instanceId = "filtered-" + i;
      harness.startInstance(instanceId, "Orchestration", null);
      harness.runEpisode(instanceId, i % 2 == 0 ? complete(0, null) : terminated(0, "\"stopped\""));
    }
    clock.set(T0 + 9000);
    harness.startInstance("filtered-running", "Orchestration", null);
    InstanceFilter completedFromTwo =
        InstanceFilter.newBuilder()
            .setCreatedTimeFrom(T0 + 2000)
            .setStatuses(List.of(RuntimeStatus.COMPLETED))
            .build();

    // when
    int completed = harness.purge(completedFromTwo, false);
    int rest =
        harness.purge(InstanceFilter.newBuilder().setCreatedTimeTo(T0 + 20_000).build(), false);

    // then
    assertThat(completed).isEqualTo(3);
    assertThat(rest).isEqualTo(5);
    assertThat(harness.queryAllPages(InstanceFilter.newBuilder().build(), 100))
        .containsExactly(List.of("filtered-running"));
  }

  @Test
  void shouldPurgeSubOrchestrationsOnOtherPartitionsWhenRecursive() {
    // given a parent, its child and grandchild on three partitions, all completed
    String parent = harness.idOnPartition("tree-parent", 0);
    String child = harness.idOnPartition("tree-child", 1);
    String grandchild = harness.idOnPartition("tree-grandchild", 2);
    runTree(parent, child, grandchild);
    String otherParent = harness.idOnPartition("flat-parent", 0);
    String otherChild = harness.idOnPartition("flat-child", 3);
    String otherGrandchild = harness.idOnPartition("flat-grandchild", 2);
    runTree(otherParent, otherChild, otherGrandchild);

    // when
    int recursive = harness.purge(List.of(parent), true);
    int flat = harness.purge(List.of(otherParent), false);

    // then
    assertThat(recursive).isEqualTo(3);
    assertThat(List.of(parent, child, grandchild))
        .allSatisfy(id -> assertThat(harness.query(id)).isNull());
    assertThat(flat).isEqualTo(1);
    assertThat(harness.query(otherChild)).isNotNull();
    assertThat(harness.query(otherGrandchild)).isNotNull();
  }

  @Test
  void shouldWipeEveryInstanceAndRefuseLateCompletions() {
    // given a pending instance with a waiter, one running an activity, one waiting for a timer,
    // and a completed one
    harness.startInstance("w-pending", "Orchestration", null);
    CompletableFuture<InstanceQueryResponse> waiting =
        harness.engine().client().queryInstance("w-pending", false, WaitCondition.COMPLETED);
    harness.startInstance("w-activity", "Orchestration", null);
    harness.runEpisode("w-activity", scheduleTask(0, "Work", null));
    ActivityWorkItem activity = harness.nextActivityWorkItem("w-activity");
    harness.startInstance("w-timer", "Orchestration", null);
    harness.runEpisode("w-timer", createTimer(0, T0 + 500));
    harness.startInstance("w-done", "Orchestration", null);
    harness.runEpisode("w-done", complete(0, null));
    harness.startInstance("w-episode", "Orchestration", null);
    OrchestratorWorkItem openEpisode = harness.nextOrchestratorWorkItem("w-episode");
    OrchestratorWorkItem pendingEpisode = harness.nextOrchestratorWorkItem("w-pending");

    // when
    int removed = harness.wipeTaskHub();
    clock.set(T0 + 1000);

    // then
    assertThat(removed).isEqualTo(5);
    assertThat(EngineHarness.await(waiting, "the waiter's answer").getExists()).isFalse();
    assertThat(harness.completeActivity(activity, "\"late\""))
        .isEqualTo(CompletionOutcome.NOT_FOUND);
    assertThat(harness.completeEpisode(openEpisode, complete(0, null)))
        .isEqualTo(CompletionOutcome.NOT_FOUND);
    assertThat(harness.completeEpisode(pendingEpisode, complete(0, null)))
        .isEqualTo(CompletionOutcome.NOT_FOUND);
    assertThat(harness.pollOrchestratorWorkItem(any -> true, Duration.ofMillis(300))).isNull();
    assertThat(harness.queryAllPages(InstanceFilter.newBuilder().build(), 100))
        .containsExactly(List.of());
    for (int p = 0; p < PARTITIONS; p++) {
      assertThat(storedInstanceKeys(p)).isEmpty();
    }
  }

  @Test
  void shouldDropMessagesFromOtherPartitionsThatPredateTheWipe() {
    // given
    harness.wipeTaskHub();
    String before = harness.idOnPartition("from-before", 0);
    String after = harness.idOnPartition("from-after", 0);

    // when
    harness.transport().inject(0, fromPartition(2, 1, 0L, before));
    harness.transport().inject(0, fromPartition(2, 2, Long.MAX_VALUE, after));

    // then
    harness.nextOrchestratorWorkItem(after);
    assertThat(harness.query(after)).isNotNull();
    assertThat(harness.query(before)).isNull();
  }

  private void runTree(String parent, String child, String grandchild) {
    harness.startInstance(parent, "Parent", null);
    harness.runEpisode(parent, createSubOrchestration(0, child, "Child", null));
    harness.runEpisode(child, createSubOrchestration(0, grandchild, "Grandchild", null));
    harness.runEpisode(grandchild, complete(0, null));
    harness.runEpisode(child, complete(1, null));
    harness.runEpisode(parent, complete(1, null));
    harness.awaitCompletion(parent);
  }

  /** A sub-orchestration creation as partition {@code from} sends it, before or after a wipe. */
  private static byte[] fromPartition(int from, long sequence, long wipedAt, String instanceId) {
    CreateInstanceRequest create = newInstance(instanceId, "Child").build();
    PartitionMessage message =
        new PartitionMessage(new PartitionOrigin(from, sequence, wipedAt), create);
    return Codecs.PARTITION_MESSAGE.encode(message);
  }

  /** The state-store keys of the instance: its record ("i/" + id) and history ("h/" + ...). */
  private List<Bytes> storedKeysOf(int partition, String instanceId) {
    byte[] id = instanceId.getBytes(StandardCharsets.UTF_8);
    return harness.store().cacheContents(partition).keySet().stream()
        .filter(key -> contains(key.get(), id))
        .toList();
  }

  private List<Bytes> storedInstanceKeys(int partition) {
    return harness.store().cacheContents(partition).keySet().stream()
        .filter(key -> key.get()[0] == 'i' || key.get()[0] == 'h')
        .toList();
  }

  private static boolean contains(byte[] key, byte[] part) {
    outer:
    for (int i = 0; i + part.length <= key.length; i++) {
      for (int j = 0; j < part.length; j++) {
        if (key[i + j] != part[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
