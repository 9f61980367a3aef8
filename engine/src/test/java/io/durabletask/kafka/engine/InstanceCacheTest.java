package io.durabletask.kafka.engine;

import static io.durabletask.kafka.engine.Actions.complete;
import static io.durabletask.kafka.engine.Actions.scheduleTask;
import static org.assertj.core.api.Assertions.assertThat;

import io.durabletask.kafka.avro.CreateOutcome;
import io.durabletask.kafka.avro.DeliveryOutcome;
import io.durabletask.kafka.avro.HistoryPage;
import io.durabletask.kafka.avro.InstanceFilter;
import io.durabletask.kafka.avro.InstanceSnapshot;
import io.durabletask.kafka.avro.RuntimeStatus;
import io.durabletask.kafka.engine.workitem.ActivityWorkItem;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The partitions keep no more terminal instances in memory than their budget allows, here none, and
 * read them back from the state store whenever they are needed.
 */
class InstanceCacheTest {
  private static final int PARTITIONS = 2;
  private static final int INSTANCES = 20;
  private static final String PAYLOAD = "\"" + "x".repeat(10_000) + "\"";

  private EngineHarness harness;
  private final List<String> completed = new ArrayList<>();

  @BeforeEach
  void startEngineWithoutRoomForEndedInstances() {
    harness =
        EngineHarness.start(
            EngineConfig.of(EngineHarness.HUB, PARTITIONS).withInstanceCacheBytes(0));
    for (int i = 0; i < INSTANCES; i++) {
      String id = "ended-" + i;
      harness.startInstance(id, "Echo", PAYLOAD);
      harness.runEpisode(id, scheduleTask(0, "Echo", PAYLOAD));
      ActivityWorkItem activity = harness.nextActivityWorkItem(id);
      harness.completeActivity(activity, PAYLOAD);
      harness.runEpisode(id, complete(1, PAYLOAD));
      harness.awaitCompletion(id);
      completed.add(id);
    }
  }

  @AfterEach
  void stopEngine() {
    harness.close();
  }

  @Test
  void shouldKeepOnlyInstancesThatAreNotTerminalInMemory() {
    // given
    String running = "running";
    harness.startInstance(running, "Echo", PAYLOAD);
    harness.runEpisode(running, scheduleTask(0, "Echo", PAYLOAD));

    // when
    harness.startInstance("nudge-0", "Echo", null);
    harness.startInstance("nudge-1", "Echo", null);

    // then
    assertThat(harness.engine().cachedInstances()).isLessThanOrEqualTo(3);
    assertThat(harness.engine().cachedInstanceBytes()).isLessThan(5 * PAYLOAD.length());
    assertThat(harness.query(running).getStatus()).isEqualTo(RuntimeStatus.RUNNING);
  }

  @Test
  void shouldReadEndedInstancesBackForQueriesListingsAndHistory() {
    // when
    InstanceSnapshot one = harness.query("ended-3");
    List<List<String>> pages =
        harness.queryAllPages(
            InstanceFilter.newBuilder().setStatuses(List.of(RuntimeStatus.COMPLETED)).build(), 7);
    List<String> ids = harness.listInstanceIds(List.of(), null, null, 100, null).items();
    HistoryPage history = harness.readHistory("ended-5", null, 0);

    // then
    assertThat(one.getOutput()).isEqualTo(PAYLOAD);
    assertThat(one.getInput()).isEqualTo(PAYLOAD);
    assertThat(pages.stream().flatMap(List::stream).toList())
        .containsExactlyInAnyOrderElementsOf(completed);
    assertThat(ids).containsExactlyInAnyOrderElementsOf(completed);
    assertThat(EngineHarness.typesOf(history.getEvents()))
        .contains("ExecutionStarted", "TaskScheduled", "TaskCompleted", "ExecutionCompleted");
  }

  @Test
  void shouldDropLateEventsAndReplaceAndPurgeEndedInstances() {
    // when
    DeliveryOutcome late = harness.raiseEvent("ended-1", "Late", null);
    CreateOutcome replaced = harness.startInstance("ended-2", "Echo", "\"again\"").getOutcome();
    int purgedById = harness.purge(List.of("ended-4"), false);
    int purgedByFilter =
        harness.purge(InstanceFilter.newBuilder().setInstanceIdPrefix("ended-1").build(), false);

    // then
    assertThat(late).isEqualTo(DeliveryOutcome.DROPPED);
    assertThat(replaced).isEqualTo(CreateOutcome.CREATED);
    assertThat(harness.query("ended-2").getStatus()).isEqualTo(RuntimeStatus.PENDING);
    assertThat(harness.query("ended-2").getInput()).isEqualTo("\"again\"");
    assertThat(purgedById).isEqualTo(1);
    assertThat(purgedByFilter).isEqualTo(11);
    assertThat(harness.query("ended-4")).isNull();
    assertThat(harness.query("ended-13")).isNull();
    assertThat(harness.query("ended-0").getStatus()).isEqualTo(RuntimeStatus.COMPLETED);
  }

  @Test
  void shouldRecoverEndedInstancesWithoutLoadingThemIntoMemory() {
    // when
    harness.restart(harness.store()::dropCaches);

    // then
    assertThat(harness.engine().cachedInstances()).isZero();
    assertThat(harness.query("ended-7").getOutput()).isEqualTo(PAYLOAD);
    assertThat(harness.wipeTaskHub()).isEqualTo(INSTANCES);
    assertThat(harness.query("ended-7")).isNull();
  }
}
