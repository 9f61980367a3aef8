package io.durabletask.kafka.samples;

import static io.durabletask.kafka.samples.ScenarioSupport.WAIT;
import static io.durabletask.kafka.samples.ScenarioSupport.orchestration;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.durabletask.DurableTaskClient;
import com.microsoft.durabletask.DurableTaskGrpcClientBuilder;
import com.microsoft.durabletask.DurableTaskGrpcWorkerBuilder;
import com.microsoft.durabletask.NewOrchestrationInstanceOptions;
import com.microsoft.durabletask.OrchestrationMetadata;
import com.microsoft.durabletask.OrchestrationRuntimeStatus;
import com.microsoft.durabletask.OrchestrationStatusQuery;
import com.microsoft.durabletask.OrchestrationStatusQueryResult;
import com.microsoft.durabletask.PurgeInstanceCriteria;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Group A, queries and purges through the unchanged Java SDK: filters and paging over instances
 * spread across all partitions, purging by id and by filter. Windows on the created time keep the
 * tests of this class apart; the task hub wipe runs last.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class QueryScenariosTest {
  private static final String DONE = "QueryDone";
  private static final String WAITING = "QueryWaiting";
  private static final String FAILING = "QueryFailing";

  @TempDir static Path dataRoot;
  private static HostProcess host;
  private static ScenarioSupport.Worker worker;
  private static DurableTaskClient client;

  static {
    ScenarioSupport.useSdkGeneratedProtobufClasses();
  }

  @BeforeAll
  static void startHostAndWorker() {
    host = HostProcess.start(dataRoot.resolve("data"));
    worker =
        ScenarioSupport.startWorker(
            host,
            new DurableTaskGrpcWorkerBuilder()
                .addOrchestration(
                    orchestration(DONE, ctx -> ctx.complete(ctx.getInput(String.class))))
                .addOrchestration(
                    orchestration(
                        WAITING, ctx -> ctx.complete(ctx.waitForExternalEvent("go").await())))
                .addOrchestration(
                    orchestration(
                        FAILING,
                        ctx -> {
                          throw new IllegalStateException("failing on purpose");
                        })));
    client = new DurableTaskGrpcClientBuilder().port(host.port()).build();
  }

  @AfterAll
  static void stopHost() {
    if (client != null) {
      client.close();
    }
    if (worker != null) {
      worker.close();
    }
    if (host != null) {
      host.close();
    }
  }

  @Test
  @Order(1)
  void shouldFilterAndPageQueriesExactlyAcrossPartitions() throws Exception {
    // given six completed instances, then four running ones and three with another prefix
    String prefix = "qp-" + UUID.randomUUID() + "-";
    Instant from = Instant.now();
    List<String> completed = startAll(DONE, prefix + "done-", 6);
    waitForCompletion(completed);
    Instant middle = afterTheClockTicks();
    List<String> running = startAll(WAITING, prefix + "running-", 4);
    List<String> others = startAll(DONE, "qo-" + UUID.randomUUID() + "-", 3);
    waitForStart(running);
    waitForCompletion(others);
    Instant to = afterTheClockTicks();

    // then each filter finds exactly its instances
    assertThat(idsOf(query().setInstanceIdPrefix(prefix).setRuntimeStatusList(completedOnly())))
        .containsExactlyInAnyOrderElementsOf(completed);
    assertThat(
            idsOf(
                query()
                    .setInstanceIdPrefix(prefix)
                    .setRuntimeStatusList(List.of(OrchestrationRuntimeStatus.RUNNING))))
        .containsExactlyInAnyOrderElementsOf(running);
    assertThat(idsOf(query().setCreatedTimeFrom(from).setCreatedTimeTo(to)))
        .containsExactlyInAnyOrderElementsOf(concat(completed, running, others));
    assertThat(idsOf(query().setCreatedTimeFrom(middle).setCreatedTimeTo(to)))
        .containsExactlyInAnyOrderElementsOf(concat(running, others));
    assertThat(
            idsOf(
                query()
                    .setCreatedTimeFrom(middle)
                    .setCreatedTimeTo(to)
                    .setRuntimeStatusList(completedOnly())))
        .containsExactlyInAnyOrderElementsOf(others);
    assertThat(idsOf(query().setCreatedTimeFrom(to))).isEmpty();

    // and every page size from 1 to 10 pages through the ten instances exactly once
    List<String> all = concat(completed, running);
    for (int pageSize = 1; pageSize <= 10; pageSize++) {
      assertPagesExactly(query().setInstanceIdPrefix(prefix).setMaxInstanceCount(pageSize), all);
    }

    // and inputs and outputs come only when asked for
    OrchestrationMetadata withIo =
        client
            .queryInstances(
                query().setInstanceIdPrefix(completed.get(0)).setFetchInputsAndOutputs(true))
            .getOrchestrationState()
            .get(0);
    assertThat(withIo.readInputAs(String.class)).isEqualTo(completed.get(0));
    assertThat(withIo.readOutputAs(String.class)).isEqualTo(completed.get(0));
    OrchestrationMetadata withoutIo =
        client
            .queryInstances(query().setInstanceIdPrefix(completed.get(0)))
            .getOrchestrationState()
            .get(0);
    assertThat(withoutIo.getSerializedInput()).isNullOrEmpty();
    assertThat(withoutIo.getSerializedOutput()).isNullOrEmpty();
    raiseGo(running);
  }

  @Test
  @Order(2)
  void shouldPurgeACompletedInstanceByIdButNeverARunningOne() throws TimeoutException {
    // given
    String completed = startAll(DONE, "purge-done-", 1).get(0);
    String running = startAll(WAITING, "purge-running-", 1).get(0);
    waitForCompletion(List.of(completed));
    waitForStart(List.of(running));

    // when
    int purged = client.purgeInstance(completed).getDeletedInstanceCount();
    int purgedAgain = client.purgeInstance(completed).getDeletedInstanceCount();
    int purgedRunning = purgeRefusingRunning(running);

    // then
    assertThat(purged).isOne();
    assertThat(purgedAgain).isZero();
    assertThat(client.getInstanceMetadata(completed, false).isInstanceFound()).isFalse();
    assertThat(purgedRunning).isZero();
    assertThat(client.getInstanceMetadata(running, false).getRuntimeStatus())
        .isEqualTo(OrchestrationRuntimeStatus.RUNNING);

    // and once it completes, it can go
    raiseGo(List.of(running));
    waitForCompletion(List.of(running));
    assertThat(client.purgeInstance(running).getDeletedInstanceCount()).isOne();
  }

  @Test
  @Order(3)
  void shouldPurgeTerminalInstancesByFilterButNeverRunningOnes() throws Exception {
    // given three completed, one failed, one terminated and two running instances
    Instant from = afterTheClockTicks();
    List<String> completed = startAll(DONE, "pf-done-", 3);
    List<String> failed = startAll(FAILING, "pf-failed-", 1);
    List<String> terminated = startAll(WAITING, "pf-terminated-", 1);
    List<String> running = startAll(WAITING, "pf-running-", 2);
    waitForStart(concat(terminated, running));
    client.terminate(terminated.get(0), "enough");
    waitForCompletion(concat(completed, failed, terminated));
    Instant to = afterTheClockTicks();

    // when
    int failedPurged =
        client
            .purgeInstances(
                window(from, to).setRuntimeStatusList(List.of(OrchestrationRuntimeStatus.FAILED)))
            .getDeletedInstanceCount();
    int restPurged = client.purgeInstances(window(from, to)).getDeletedInstanceCount();

    // then
    assertThat(failedPurged).isOne();
    assertThat(restPurged).isEqualTo(4);
    for (String id : concat(completed, failed, terminated)) {
      assertThat(client.getInstanceMetadata(id, false).isInstanceFound()).as(id).isFalse();
    }
    for (String id : running) {
      assertThat(client.getInstanceMetadata(id, false).getRuntimeStatus())
          .as(id)
          .isEqualTo(OrchestrationRuntimeStatus.RUNNING);
    }
    assertThat(idsOf(query().setCreatedTimeFrom(from).setCreatedTimeTo(to)))
        .containsExactlyInAnyOrderElementsOf(running);

    // and once the running ones complete, they can go too
    raiseGo(running);
    waitForCompletion(running);
    assertThat(client.purgeInstances(window(from, to)).getDeletedInstanceCount()).isEqualTo(2);
  }

  @Test
  @Order(4)
  void shouldCountExactlyAfterTheTaskHubIsRecreated() throws TimeoutException {
    // given instances from the tests before, and a recreated task hub
    client.createTaskHub(true);
    assertThat(idsOf(query())).isEmpty();

    // when
    List<String> fresh = startAll(DONE, "fresh-", 5);
    waitForCompletion(fresh);

    // then
    assertThat(idsOf(query())).containsExactlyInAnyOrderElementsOf(fresh);
  }

  private static OrchestrationStatusQuery query() {
    return new OrchestrationStatusQuery();
  }

  private static List<OrchestrationRuntimeStatus> completedOnly() {
    return List.of(OrchestrationRuntimeStatus.COMPLETED);
  }

  private static PurgeInstanceCriteria window(Instant from, Instant to) {
    return new PurgeInstanceCriteria().setCreatedTimeFrom(from).setCreatedTimeTo(to);
  }

  /** Every page of a query, followed by its continuation tokens. */
  private static List<List<String>> pagesOf(OrchestrationStatusQuery query) {
    List<List<String>> pages = new ArrayList<>();
    String token = null;
    do {
      OrchestrationStatusQueryResult page =
          client.queryInstances(query.setContinuationToken(token));
      pages.add(
          page.getOrchestrationState().stream().map(OrchestrationMetadata::getInstanceId).toList());
      token = page.getContinuationToken();
      assertThat(pages).as("pages so far").hasSizeLessThan(1000);
    } while (token != null && !token.isEmpty());
    return pages;
  }

  private static List<String> idsOf(OrchestrationStatusQuery query) {
    return pagesOf(query).stream().flatMap(List::stream).toList();
  }

  private static void assertPagesExactly(OrchestrationStatusQuery query, List<String> expected) {
    int pageSize = query.getMaxInstanceCount();
    List<List<String>> pages = pagesOf(query);
    assertThat(pages)
        .as("pages of %d", pageSize)
        .hasSize((expected.size() + pageSize - 1) / pageSize);
    for (List<String> page : pages) {
      assertThat(page).as("a page of %d", pageSize).isNotEmpty().hasSizeLessThanOrEqualTo(pageSize);
    }
    List<String> ids = pages.stream().flatMap(List::stream).toList();
    assertThat(ids).as("ids in pages of %d", pageSize).doesNotHaveDuplicates();
    assertThat(ids)
        .as("ids in pages of %d", pageSize)
        .containsExactlyInAnyOrderElementsOf(expected);
  }

  /**
   * Purges a running instance, which must not happen: the host may answer with a count of 0 or
   * refuse with FAILED_PRECONDITION.
   */
  private static int purgeRefusingRunning(String id) {
    try {
      return client.purgeInstance(id).getDeletedInstanceCount();
    } catch (StatusRuntimeException e) {
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
      return 0;
    }
  }

  /** Starts instances with the given id prefix and their own id as input. */
  private static List<String> startAll(String name, String idPrefix, int count) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String id = idPrefix + i + "-" + UUID.randomUUID();
      client.scheduleNewOrchestrationInstance(
          name, new NewOrchestrationInstanceOptions().setInstanceId(id).setInput(id));
      ids.add(id);
    }
    return ids;
  }

  private static void waitForStart(List<String> ids) throws TimeoutException {
    for (String id : ids) {
      client.waitForInstanceStart(id, WAIT);
    }
  }

  private static void waitForCompletion(List<String> ids) throws TimeoutException {
    for (String id : ids) {
      client.waitForInstanceCompletion(id, WAIT, false);
    }
  }

  private static void raiseGo(List<String> ids) {
    for (String id : ids) {
      client.raiseEvent(id, "go");
    }
  }

  /**
   * A time strictly after every creation so far and before any later one: created times have
   * millisecond resolution, so the clock moves on by a few milliseconds around it.
   */
  private static Instant afterTheClockTicks() throws InterruptedException {
    Thread.sleep(5);
    Instant now = Instant.now();
    Thread.sleep(5);
    return now;
  }

  @SafeVarargs
  private static List<String> concat(List<String>... lists) {
    List<String> all = new ArrayList<>();
    for (List<String> list : lists) {
      all.addAll(list);
    }
    Set<String> unique = new HashSet<>(all);
    assertThat(unique).hasSameSizeAs(all);
    return all;
  }
}
