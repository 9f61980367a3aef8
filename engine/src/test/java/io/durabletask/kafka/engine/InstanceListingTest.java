package io.durabletask.kafka.engine;

import static io.durabletask.kafka.engine.Actions.complete;
import static io.durabletask.kafka.engine.Actions.fail;
import static io.durabletask.kafka.engine.Actions.failure;
import static io.durabletask.kafka.engine.Actions.scheduleTask;
import static io.durabletask.kafka.engine.Actions.terminated;
import static io.durabletask.kafka.engine.EngineHarness.typesOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.durabletask.kafka.avro.HistoryPage;
import io.durabletask.kafka.avro.InstanceFilter;
import io.durabletask.kafka.avro.InstanceSnapshot;
import io.durabletask.kafka.avro.RuntimeStatus;
import io.durabletask.kafka.engine.partition.CheckpointPolicy;
import io.durabletask.kafka.engine.query.QueryKey;
import io.durabletask.kafka.engine.query.QueryPage;
import io.durabletask.kafka.engine.workitem.ActivityWorkItem;
import io.durabletask.kafka.engine.workitem.OrchestratorWorkItem;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Listings across partitions: QueryInstances, ListInstanceIds, and the pages of a history. The
 * engine runs on a clock the test sets, so created and completed times are exact.
 */
class InstanceListingTest {
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
  void shouldListEveryInstanceExactlyOnceForEveryPageSize() {
    // given ten instances on all partitions, three of them created in the same millisecond
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      clock.set(T0 + Math.min(i, 7) * 1000);
      String instanceId = "page-" + i;
      harness.startInstance(instanceId, "Orchestration", null);
      expected.add(instanceId);
    }
    InstanceFilter all = InstanceFilter.newBuilder().setInstanceIdPrefix("page-").build();

    for (int pageSize = 1; pageSize <= 10; pageSize++) {
      // when
      List<List<String>> pages = harness.queryAllPages(all, pageSize);

      // then
      assertFullPagesOf(pageSize, pages);
      assertThat(pages.stream().flatMap(List::stream).toList()).isEqualTo(expected);
    }
  }

  /** Every page is full but the last, which is not empty. */
  private static void assertFullPagesOf(int pageSize, List<List<String>> pages) {
    assertThat(pages.get(pages.size() - 1)).isNotEmpty().hasSizeLessThanOrEqualTo(pageSize);
    assertThat(pages.subList(0, pages.size() - 1)).allSatisfy(p -> assertThat(p).hasSize(pageSize));
  }

  @Test
  void shouldFilterByStatusCreatedTimeAndPrefix() {
    // given
    startAt(1000, "a-1");
    startAt(2000, "a-2");
    startAt(3000, "a-3");
    startAt(4000, "b-1");
    startAt(5000, "b-2");
    harness.runEpisode("a-2", complete(0, "\"done\""));
    harness.runEpisode("b-1", scheduleTask(0, "Work", null));

    // when
    List<String> completed = ids(filter().setStatuses(List.of(RuntimeStatus.COMPLETED)));
    List<String> pendingOrRunning =
        ids(filter().setStatuses(List.of(RuntimeStatus.PENDING, RuntimeStatus.RUNNING)));
    List<String> window = ids(filter().setCreatedTimeFrom(T0 + 2000).setCreatedTimeTo(T0 + 4000));
    List<String> openStart = ids(filter().setCreatedTimeTo(T0 + 1999));
    List<String> prefixed = ids(filter().setInstanceIdPrefix("b-"));
    List<String> none = ids(filter().setInstanceIdPrefix("c-"));

    // then
    assertThat(completed).containsExactly("a-2");
    assertThat(pendingOrRunning).containsExactly("a-1", "a-3", "b-1", "b-2");
    assertThat(window).containsExactly("a-2", "a-3", "b-1");
    assertThat(openStart).containsExactly("a-1");
    assertThat(prefixed).containsExactly("b-1", "b-2");
    assertThat(none).isEmpty();
  }

  @Test
  void shouldIncludeInputsAndOutputsOnlyWhenAsked() {
    // given
    harness.startInstance("io-1", "Orchestration", "\"the input\"");
    harness.runEpisode("io-1", complete(0, "\"the output\""));
    InstanceFilter filter = filter().setInstanceIdPrefix("io-").build();

    // when
    InstanceSnapshot without = harness.queryInstances(filter, false, 10, null).items().get(0);
    InstanceSnapshot with = harness.queryInstances(filter, true, 10, null).items().get(0);

    // then
    assertThat(without.getInput()).isNull();
    assertThat(without.getOutput()).isNull();
    assertThat(with.getInput()).isEqualTo("\"the input\"");
    assertThat(with.getOutput()).isEqualTo("\"the output\"");
    assertThat(with.getStatus()).isEqualTo(RuntimeStatus.COMPLETED);
  }

  @Test
  void shouldEndPagesEarlyWhenRowsAreLargeAndStillListEveryInstanceOnce() {
    // given six instances with inputs of 300 KB: one partition answer holds only one or two
    String input = "\"" + "x".repeat(300 * 1024) + "\"";
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      clock.set(T0 + i);
      harness.startInstance("big-" + i, "Orchestration", input);
      expected.add("big-" + i);
    }
    InstanceFilter filter = filter().setInstanceIdPrefix("big-").build();

    // when
    List<String> listed = new ArrayList<>();
    int pages = 0;
    QueryKey after = null;
    do {
      QueryPage<InstanceSnapshot> page = harness.queryInstances(filter, true, 10, after);
      assertThat(page.items())
          .isNotEmpty()
          .allSatisfy(row -> assertThat(row.getInput()).isEqualTo(input));
      page.items().forEach(row -> listed.add(row.getInstanceId()));
      after = page.next();
      pages++;
    } while (after != null);

    // then
    assertThat(listed).isEqualTo(expected);
    assertThat(pages).isGreaterThan(1);
    assertThat(harness.queryInstances(filter, false, 10, null).items()).hasSize(6);
  }

  @Test
  void shouldListTerminalInstanceIdsByCompletedTime() {
    // given
    startAt(1, "done-a");
    startAt(2, "done-b");
    startAt(3, "done-c");
    startAt(4, "done-d");
    startAt(5, "running");
    clock.set(T0 + 10_000);
    harness.runEpisode("done-c", complete(0, null));
    clock.set(T0 + 20_000);
    harness.runEpisode("done-a", fail(0, failure("Oops", "broken")));
    clock.set(T0 + 30_000);
    harness.runEpisode("done-d", terminated(0, "\"stop\""));
    clock.set(T0 + 40_000);
    harness.runEpisode("done-b", complete(0, null));
    harness.runEpisode("running", scheduleTask(0, "Work", null));

    // when
    List<String> all = new ArrayList<>();
    int pages = 0;
    QueryKey after = null;
    do {
      QueryPage<String> page = harness.listInstanceIds(List.of(), null, null, 2, after);
      assertThat(page.items()).isNotEmpty().hasSizeLessThanOrEqualTo(2);
      all.addAll(page.items());
      after = page.next();
      pages++;
    } while (after != null);
    QueryPage<String> failedOrTerminated =
        harness.listInstanceIds(
            List.of(RuntimeStatus.FAILED, RuntimeStatus.TERMINATED), null, null, 10, null);
    QueryPage<String> window =
        harness.listInstanceIds(List.of(), T0 + 20_000, T0 + 30_000, 10, null);
    QueryPage<String> running =
        harness.listInstanceIds(List.of(RuntimeStatus.RUNNING), null, null, 10, null);

    // then
    assertThat(all).containsExactly("done-c", "done-a", "done-d", "done-b");
    assertThat(pages).isEqualTo(2);
    assertThat(failedOrTerminated.items()).containsExactly("done-a", "done-d");
    assertThat(failedOrTerminated.next()).isNull();
    assertThat(window.items()).containsExactly("done-a", "done-d");
    assertThat(running.items()).isEmpty();
  }

  @Test
  void shouldReadTheHistoryOfTheCurrentExecutionInPages() {
    // given a history of several megabytes: four results of 300 KB each
    harness.startInstance("history", "Orchestration", null);
    harness.runEpisode(
        "history",
        scheduleTask(0, "Big", null),
        scheduleTask(1, "Big", null),
        scheduleTask(2, "Big", null),
        scheduleTask(3, "Big", null));
    String result = "\"" + "r".repeat(300 * 1024) + "\"";
    for (int i = 0; i < 4; i++) {
      ActivityWorkItem item = harness.nextActivityWorkItem("history");
      harness.completeActivity(item, result);
    }
    completeOnceAllResultsArrived("history", 4);
    String executionId = harness.query("history").getExecutionId();

    // when
    List<String> types = new ArrayList<>();
    int pages = 0;
    HistoryPage page;
    do {
      page = harness.readHistory("history", null, types.size());
      assertThat(page.getExists()).isTrue();
      assertThat(page.getExecutionId()).isEqualTo(executionId);
      assertThat(page.getEvents()).isNotEmpty();
      types.addAll(typesOf(page.getEvents()));
      pages++;
    } while (page.getHasMore());

    // then
    assertThat(types).startsWith("OrchestratorStarted", "ExecutionStarted", "TaskScheduled");
    assertThat(types).filteredOn("TaskCompleted"::equals).hasSize(4);
    assertThat(types).endsWith("ExecutionCompleted", "OrchestratorCompleted");
    assertThat(pages).isGreaterThan(1);
    assertThat(harness.readHistory("history", "another-execution", 0).getExists()).isFalse();
    assertThat(harness.readHistory("unknown", null, 0).getExists()).isFalse();
  }

  /** Completes episodes without actions until the results have arrived, then completes. */
  private void completeOnceAllResultsArrived(String instanceId, int results) {
    int arrived = 0;
    while (true) {
      OrchestratorWorkItem item = harness.nextOrchestratorWorkItem(instanceId);
      arrived += typesOf(item.newEvents()).stream().filter("TaskCompleted"::equals).count();
      if (arrived == results) {
        harness.completeEpisode(item, complete(results, "\"done\""));
        return;
      }
      harness.completeEpisode(item);
    }
  }

  private void startAt(long offsetMillis, String instanceId) {
    clock.set(T0 + offsetMillis);
    harness.startInstance(instanceId, "Orchestration", null);
  }

  private static InstanceFilter.Builder filter() {
    return InstanceFilter.newBuilder();
  }

  private List<String> ids(InstanceFilter.Builder filter) {
    return harness.queryAllPages(filter.build(), 100).stream().flatMap(List::stream).toList();
  }
}
