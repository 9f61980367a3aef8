package io.durabletask.kafka.host;

import static io.durabletask.kafka.host.ScriptedWorker.complete;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.StringValue;
import com.google.protobuf.Timestamp;
import io.durabletask.kafka.protocol.CreateInstanceRequest;
import io.durabletask.kafka.protocol.CreateSubOrchestrationAction;
import io.durabletask.kafka.protocol.GetInstanceRequest;
import io.durabletask.kafka.protocol.GetInstanceResponse;
import io.durabletask.kafka.protocol.HistoryChunk;
import io.durabletask.kafka.protocol.HistoryEvent;
import io.durabletask.kafka.protocol.InstanceBatch;
import io.durabletask.kafka.protocol.InstanceQuery;
import io.durabletask.kafka.protocol.ListInstanceIdsRequest;
import io.durabletask.kafka.protocol.ListInstanceIdsResponse;
import io.durabletask.kafka.protocol.OrchestrationState;
import io.durabletask.kafka.protocol.OrchestrationStatus;
import io.durabletask.kafka.protocol.OrchestratorAction;
import io.durabletask.kafka.protocol.PurgeInstanceFilter;
import io.durabletask.kafka.protocol.PurgeInstancesRequest;
import io.durabletask.kafka.protocol.PurgeInstancesResponse;
import io.durabletask.kafka.protocol.QueryInstancesRequest;
import io.durabletask.kafka.protocol.QueryInstancesResponse;
import io.durabletask.kafka.protocol.RaiseEventRequest;
import io.durabletask.kafka.protocol.RestartInstanceRequest;
import io.durabletask.kafka.protocol.ResumeRequest;
import io.durabletask.kafka.protocol.RewindInstanceRequest;
import io.durabletask.kafka.protocol.ScheduleTaskAction;
import io.durabletask.kafka.protocol.StreamInstanceHistoryRequest;
import io.durabletask.kafka.protocol.SuspendRequest;
import io.durabletask.kafka.protocol.TaskHubSidecarServiceGrpc;
import io.durabletask.kafka.protocol.TaskHubSidecarServiceGrpc.TaskHubSidecarServiceBlockingStub;
import io.durabletask.kafka.protocol.TerminateRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The instance-management RPCs through a host on the real path (embedded broker, local page files),
 * called with our own stubs, with a scripted worker running the orchestrations. Each test uses its
 * own instance ids; tests that count by time see only the instances they made, since they run one
 * after the other.
 */
class InstanceManagementHostTest {
  private static final long DEADLINE_SECONDS = 30;

  @TempDir static Path dataDir;

  private static Host host;
  private static ManagedChannel channel;
  private static TaskHubSidecarServiceBlockingStub client;
  private static ScriptedWorker worker;

  @BeforeAll
  static void startHost() {
    host = Host.start(HostConfig.defaults(dataDir).withPort(0).withPartitionCount(4));
    channel =
        ManagedChannelBuilder.forAddress(HostConfig.DEFAULT_ADDRESS, host.port())
            .usePlaintext()
            .build();
    client = TaskHubSidecarServiceGrpc.newBlockingStub(channel);
    worker =
        ScriptedWorker.connect(channel)
            .orchestration("Echo", e -> List.of(complete(0, e.input())))
            .orchestration("Wait", InstanceManagementHostTest::waitForEvent)
            .orchestration("Parent", InstanceManagementHostTest::parent)
            .orchestration("Activities", InstanceManagementHostTest::activities)
            .activity("Say", input -> "\"said " + input.replace("\"", "") + "\"");
  }

  @AfterAll
  static void stopHost() throws InterruptedException {
    worker.close();
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    host.close();
  }

  // ---- QueryInstances and ListInstanceIds ----

  @Test
  void shouldPageThroughQueryInstancesForEveryPageSize() {
    // given five completed and five running instances
    List<String> completed = IntStream.range(0, 5).mapToObj(i -> "query-done-" + i).toList();
    List<String> running = IntStream.range(0, 5).mapToObj(i -> "query-wait-" + i).toList();
    completed.forEach(id -> start("Echo", id, "\"" + id + "\""));
    completed.forEach(InstanceManagementHostTest::awaitCompletion);
    running.forEach(id -> start("Wait", id, null));
    running.forEach(InstanceManagementHostTest::awaitStart);
    Set<String> all = new HashSet<>(completed);
    all.addAll(running);
    long firstCreated = createdMillisOf(completed.get(0));

    // when / then
    assertThat(queryIds(prefixed("query-"))).containsExactlyInAnyOrderElementsOf(all);
    assertThat(queryIds(prefixed("query-").addRuntimeStatus(status("COMPLETED"))))
        .containsExactlyInAnyOrderElementsOf(completed);
    assertThat(queryIds(prefixed("query-").addRuntimeStatus(status("RUNNING"))))
        .containsExactlyInAnyOrderElementsOf(running);
    assertThat(queryIds(prefixed("query-").setCreatedTimeTo(timestamp(firstCreated - 1))))
        .isEmpty();
    assertThat(queryIds(prefixed("query-").setCreatedTimeFrom(timestamp(firstCreated))))
        .hasSize(10);
    assertThat(queryIds(prefixed("nothing-"))).isEmpty();
    for (int pageSize = 1; pageSize <= 10; pageSize++) {
      assertPagesOf(pageSize, prefixed("query-"), all);
    }
  }

  @Test
  void shouldIncludeInputsOnlyWhenAskedAndReadAnEmptyTokenAsTheFirstPage() {
    // given
    start("Echo", "io-query", "\"the input\"");
    awaitCompletion("io-query");

    // when
    QueryInstancesResponse with =
        query(
            prefixed("io-query")
                .setFetchInputsAndOutputs(true)
                .setContinuationToken(StringValue.of("")));
    QueryInstancesResponse without = query(prefixed("io-query"));

    // then
    assertThat(with.getOrchestrationStateList())
        .singleElement()
        .satisfies(
            state -> {
              assertThat(state.getInput().getValue()).isEqualTo("\"the input\"");
              assertThat(state.getOutput().getValue()).isEqualTo("\"the input\"");
            });
    assertThat(with.hasContinuationToken()).isFalse();
    assertThat(without.getOrchestrationState(0).hasInput()).isFalse();
    assertThat(without.getOrchestrationState(0).hasOutput()).isFalse();
  }

  @Test
  void shouldListTheIdsOfEndedInstancesByCompletedTime() {
    // given
    List<String> ids = List.of("list-a", "list-b", "list-c");
    List<Long> completedAt = new ArrayList<>();
    for (String id : ids) {
      start("Echo", id, null);
      completedAt.add(millisOf(awaitCompletion(id).getCompletedTimestamp()));
    }
    ListInstanceIdsRequest.Builder window =
        ListInstanceIdsRequest.newBuilder()
            .setCompletedTimeFrom(timestamp(completedAt.get(0)))
            .setCompletedTimeTo(timestamp(completedAt.get(2)))
            .setPageSize(2);

    // when
    ListInstanceIdsResponse first = client.listInstanceIds(window.build());
    ListInstanceIdsResponse second =
        client.listInstanceIds(window.setLastInstanceKey(first.getLastInstanceKey()).build());

    // then
    assertThat(first.getInstanceIdsList()).containsExactly("list-a", "list-b");
    assertThat(first.hasLastInstanceKey()).isTrue();
    assertThat(second.getInstanceIdsList()).containsExactly("list-c");
    assertThat(second.hasLastInstanceKey()).isFalse();
  }

  // ---- purge ----

  @Test
  void shouldPurgeByIdAndBatchButNeverARunningInstance() {
    // given
    for (String id : List.of("purge-one", "purge-two", "purge-three")) {
      start("Echo", id, null);
      awaitCompletion(id);
    }
    start("Wait", "purge-running", null);
    awaitStart("purge-running");

    // when
    int one = purge(PurgeInstancesRequest.newBuilder().setInstanceId("purge-one"));
    int again = purge(PurgeInstancesRequest.newBuilder().setInstanceId("purge-one"));
    int running = purge(PurgeInstancesRequest.newBuilder().setInstanceId("purge-running"));
    int batch =
        purge(
            PurgeInstancesRequest.newBuilder()
                .setInstanceBatch(
                    InstanceBatch.newBuilder()
                        .addInstanceIds("purge-two")
                        .addInstanceIds("purge-three")
                        .addInstanceIds("purge-unknown")));

    // then
    assertThat(one).isEqualTo(1);
    assertThat(again).isZero();
    assertThat(running).isZero();
    assertThat(batch).isEqualTo(2);
    assertThat(get("purge-one").getExists()).isFalse();
    assertThat(get("purge-three").getExists()).isFalse();
    assertThat(get("purge-running").getOrchestrationState().getOrchestrationStatus())
        .isEqualTo(status("RUNNING"));
  }

  @Test
  void shouldPurgeByFilterOnEveryPartition() {
    // given
    List<String> ids = IntStream.range(0, 6).mapToObj(i -> "filter-purge-" + i).toList();
    ids.forEach(id -> start("Echo", id, null));
    ids.forEach(InstanceManagementHostTest::awaitCompletion);
    start("Wait", "filter-purge-running", null);
    awaitStart("filter-purge-running");
    long from = createdMillisOf(ids.get(0));

    // when
    int failed =
        purge(
            PurgeInstancesRequest.newBuilder()
                .setPurgeInstanceFilter(
                    PurgeInstanceFilter.newBuilder()
                        .setCreatedTimeFrom(timestamp(from))
                        .addRuntimeStatus(status("FAILED"))));
    int all =
        purge(
            PurgeInstancesRequest.newBuilder()
                .setPurgeInstanceFilter(
                    PurgeInstanceFilter.newBuilder().setCreatedTimeFrom(timestamp(from))));

    // then
    assertThat(failed).isZero();
    assertThat(all).isEqualTo(6);
    assertThat(queryIds(prefixed("filter-purge-"))).containsExactly("filter-purge-running");
  }

  @Test
  void shouldPurgeSubOrchestrationsWhenRecursive() {
    // given
    start("Parent", "tree-purge", "\"Echo\"");
    awaitCompletion("tree-purge");
    awaitCompletion("tree-purge-child");

    // when
    int purged =
        purge(PurgeInstancesRequest.newBuilder().setInstanceId("tree-purge").setRecursive(true));

    // then
    assertThat(purged).isEqualTo(2);
    assertThat(get("tree-purge-child").getExists()).isFalse();
  }

  // ---- terminate, signals to unknown instances, restart, rewind, history ----

  @Test
  void shouldTerminateSubOrchestrationsWhenTheTerminateIsRecursive() {
    // given
    start("Parent", "tree-stop", "\"Wait\"");
    awaitStart("tree-stop-child");

    // when
    client.terminateInstance(
        TerminateRequest.newBuilder()
            .setInstanceId("tree-stop")
            .setOutput(StringValue.of("\"enough\""))
            .setRecursive(true)
            .build());

    // then
    assertThat(awaitCompletion("tree-stop").getOrchestrationStatus())
        .isEqualTo(status("TERMINATED"));
    OrchestrationState child = awaitCompletion("tree-stop-child");
    assertThat(child.getOrchestrationStatus()).isEqualTo(status("TERMINATED"));
    assertThat(child.getOutput().getValue()).isEqualTo("\"enough\"");
  }

  @Test
  void shouldAnswerNotFoundForMessagesToAnUnknownInstance() {
    // given
    start("Echo", "signal-ended", null);
    awaitCompletion("signal-ended");

    // when / then
    assertStatus(
        () ->
            client.raiseEvent(
                RaiseEventRequest.newBuilder().setInstanceId("nobody").setName("E").build()),
        Status.Code.NOT_FOUND,
        "'nobody'");
    assertStatus(
        () ->
            client.terminateInstance(TerminateRequest.newBuilder().setInstanceId("nobody").build()),
        Status.Code.NOT_FOUND,
        "'nobody'");
    assertStatus(
        () -> client.suspendInstance(SuspendRequest.newBuilder().setInstanceId("nobody").build()),
        Status.Code.NOT_FOUND,
        "'nobody'");
    assertStatus(
        () -> client.resumeInstance(ResumeRequest.newBuilder().setInstanceId("nobody").build()),
        Status.Code.NOT_FOUND,
        "'nobody'");
    client.raiseEvent(
        RaiseEventRequest.newBuilder().setInstanceId("signal-ended").setName("E").build());
    assertThat(get("nobody").getExists()).isFalse();
  }

  @Test
  void shouldRestartAnEndedInstanceUnderItsIdOrANewOne() {
    // given
    start("Echo", "restart-me", "\"again\"");
    OrchestrationState first = awaitCompletion("restart-me");
    start("Wait", "restart-running", null);
    awaitStart("restart-running");

    // when
    String sameId = restart("restart-me", false);
    OrchestrationState second = awaitCompletion("restart-me");
    String newId = restart("restart-me", true);
    OrchestrationState copy = awaitCompletion(newId);

    // then
    assertThat(sameId).isEqualTo("restart-me");
    assertThat(second.getExecutionId()).isNotEqualTo(first.getExecutionId());
    assertThat(second.getOutput().getValue()).isEqualTo("\"again\"");
    assertThat(newId).isNotEqualTo("restart-me");
    assertThat(copy.getName()).isEqualTo("Echo");
    assertThat(copy.getOutput().getValue()).isEqualTo("\"again\"");
    assertStatus(
        () -> restart("restart-running", false), Status.Code.FAILED_PRECONDITION, "RUNNING");
    assertStatus(() -> restart("restart-nobody", true), Status.Code.NOT_FOUND, "restart-nobody");
  }

  @Test
  void shouldRefuseToRewind() {
    assertStatus(
        () ->
            client.rewindInstance(RewindInstanceRequest.newBuilder().setInstanceId("any").build()),
        Status.Code.FAILED_PRECONDITION,
        "rewind is not supported");
  }

  @Test
  void shouldStreamTheHistoryOfAnInstance() {
    // given
    start("Activities", "history-host", "\"hello\"");
    awaitCompletion("history-host");

    // when
    List<HistoryEvent> events = new ArrayList<>();
    Iterator<HistoryChunk> chunks =
        client.streamInstanceHistory(
            StreamInstanceHistoryRequest.newBuilder().setInstanceId("history-host").build());
    chunks.forEachRemaining(chunk -> events.addAll(chunk.getEventsList()));

    // then
    assertThat(events).anySatisfy(e -> assertThat(e.hasExecutionStarted()).isTrue());
    assertThat(events).anySatisfy(e -> assertThat(e.hasTaskScheduled()).isTrue());
    assertThat(events)
        .anySatisfy(
            e ->
                assertThat(e.getTaskCompleted().getResult().getValue())
                    .isEqualTo("\"said hello\""));
    assertThat(events).anySatisfy(e -> assertThat(e.hasExecutionCompleted()).isTrue());
    assertStatus(
        () ->
            client
                .streamInstanceHistory(
                    StreamInstanceHistoryRequest.newBuilder()
                        .setInstanceId("history-nobody")
                        .build())
                .hasNext(),
        Status.Code.NOT_FOUND,
        "history-nobody");
  }

  // ---- waits and bad input ----

  @Test
  void shouldEndAWaitAtTheClientsDeadlineAndForgetIt() {
    // given
    start("Wait", "wait-deadline", null);
    awaitStart("wait-deadline");
    GetInstanceRequest wait =
        GetInstanceRequest.newBuilder().setInstanceId("wait-deadline").build();

    // when
    long begin = System.nanoTime();
    assertStatus(
        () -> client.withDeadlineAfter(300, TimeUnit.MILLISECONDS).waitForInstanceCompletion(wait),
        Status.Code.DEADLINE_EXCEEDED,
        "");
    long waitedMillis = (System.nanoTime() - begin) / 1_000_000;

    // then
    assertThat(waitedMillis).isLessThan(5_000);
    awaitNoPendingRequests();
  }

  @Test
  void shouldRefuseBadRequestsWithPreciseStatuses() {
    assertStatus(
        () -> query(prefixed("x").setContinuationToken(StringValue.of("garbage"))),
        Status.Code.INVALID_ARGUMENT,
        "Expected a continuation token");
    assertStatus(
        () -> client.purgeInstances(PurgeInstancesRequest.getDefaultInstance()),
        Status.Code.INVALID_ARGUMENT,
        "to purge");
    InstanceBatch.Builder tooMany = InstanceBatch.newBuilder();
    IntStream.range(0, 501).forEach(i -> tooMany.addInstanceIds("id-" + i));
    assertStatus(
        () ->
            client.purgeInstances(
                PurgeInstancesRequest.newBuilder().setInstanceBatch(tooMany).build()),
        Status.Code.INVALID_ARGUMENT,
        "at most 500");
    assertStatus(
        () -> client.restartInstance(RestartInstanceRequest.getDefaultInstance()),
        Status.Code.INVALID_ARGUMENT,
        "instance id");
    assertStatus(
        () ->
            client.listInstanceIds(
                ListInstanceIdsRequest.newBuilder()
                    .setLastInstanceKey(StringValue.of("k1.@@"))
                    .build()),
        Status.Code.INVALID_ARGUMENT,
        "continuation token");
  }

  // ---- scripts ----

  private static List<OrchestratorAction> waitForEvent(ScriptedWorker.Episode episode) {
    return episode.newEvents().stream()
        .filter(HistoryEvent::hasEventRaised)
        .findFirst()
        .map(e -> List.of(complete(1, e.getEventRaised().getInput().getValue())))
        .orElse(List.of());
  }

  /** Starts the child named by its input, then completes with the child's result. */
  private static List<OrchestratorAction> parent(ScriptedWorker.Episode episode) {
    if (episode.isFirst()) {
      CreateSubOrchestrationAction child =
          CreateSubOrchestrationAction.newBuilder()
              .setInstanceId(episode.instanceId() + "-child")
              .setName(episode.input().replace("\"", ""))
              .setInput(StringValue.of("\"child\""))
              .build();
      return List.of(
          OrchestratorAction.newBuilder().setId(0).setCreateSubOrchestration(child).build());
    }
    return episode.newEvents().stream()
        .filter(HistoryEvent::hasSubOrchestrationInstanceCompleted)
        .findFirst()
        .map(
            e ->
                List.of(
                    complete(1, e.getSubOrchestrationInstanceCompleted().getResult().getValue())))
        .orElse(List.of());
  }

  private static List<OrchestratorAction> activities(ScriptedWorker.Episode episode) {
    if (episode.isFirst()) {
      ScheduleTaskAction say =
          ScheduleTaskAction.newBuilder()
              .setName("Say")
              .setInput(StringValue.of(episode.input()))
              .build();
      return List.of(OrchestratorAction.newBuilder().setId(0).setScheduleTask(say).build());
    }
    return episode.newEvents().stream()
        .filter(HistoryEvent::hasTaskCompleted)
        .findFirst()
        .map(e -> List.of(complete(1, e.getTaskCompleted().getResult().getValue())))
        .orElse(List.of());
  }

  // ---- calls ----

  static void start(String name, String instanceId, String input) {
    CreateInstanceRequest.Builder request =
        CreateInstanceRequest.newBuilder().setInstanceId(instanceId).setName(name);
    if (input != null) {
      request.setInput(StringValue.of(input));
    }
    client.startInstance(request.build());
  }

  static GetInstanceResponse get(String instanceId) {
    return client.getInstance(
        GetInstanceRequest.newBuilder()
            .setInstanceId(instanceId)
            .setGetInputsAndOutputs(true)
            .build());
  }

  static OrchestrationState awaitCompletion(String instanceId) {
    return client
        .withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS)
        .waitForInstanceCompletion(
            GetInstanceRequest.newBuilder()
                .setInstanceId(instanceId)
                .setGetInputsAndOutputs(true)
                .build())
        .getOrchestrationState();
  }

  static void awaitStart(String instanceId) {
    long deadline = System.currentTimeMillis() + DEADLINE_SECONDS * 1000;
    while (!client
        .withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS)
        .waitForInstanceStart(GetInstanceRequest.newBuilder().setInstanceId(instanceId).build())
        .getExists()) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("Expected " + instanceId + " to start, but it did not");
      }
      sleep(20);
    }
  }

  private static String restart(String instanceId, boolean newId) {
    return client
        .restartInstance(
            RestartInstanceRequest.newBuilder()
                .setInstanceId(instanceId)
                .setRestartWithNewInstanceId(newId)
                .build())
        .getInstanceId();
  }

  private static int purge(PurgeInstancesRequest.Builder request) {
    PurgeInstancesResponse response = client.purgeInstances(request.build());
    assertThat(response.getIsComplete().getValue()).isTrue();
    return response.getDeletedInstanceCount();
  }

  private static InstanceQuery.Builder prefixed(String prefix) {
    return InstanceQuery.newBuilder().setInstanceIdPrefix(StringValue.of(prefix));
  }

  private static QueryInstancesResponse query(InstanceQuery.Builder query) {
    return client.queryInstances(QueryInstancesRequest.newBuilder().setQuery(query).build());
  }

  private static List<String> queryIds(InstanceQuery.Builder query) {
    return query(query).getOrchestrationStateList().stream()
        .map(OrchestrationState::getInstanceId)
        .toList();
  }

  /** Pages through the query as the Java SDK's scenario does: every page full but the last. */
  private static void assertPagesOf(
      int pageSize, InstanceQuery.Builder query, Set<String> expected) {
    Set<String> seen = new HashSet<>();
    query.setMaxInstanceCount(pageSize).clearContinuationToken();
    while (true) {
      QueryInstancesResponse page = query(query);
      assertThat(page.getOrchestrationStateCount()).isBetween(1, pageSize);
      page.getOrchestrationStateList()
          .forEach(s -> assertThat(seen.add(s.getInstanceId())).isTrue());
      if (!page.hasContinuationToken()) {
        break;
      }
      assertThat(page.getOrchestrationStateCount()).isEqualTo(pageSize);
      query.setContinuationToken(page.getContinuationToken());
    }
    assertThat(seen).isEqualTo(expected);
  }

  private static void assertStatus(ThrowingCallable call, Status.Code code, String message) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(code))
        .hasMessageContaining(message);
  }

  private static void awaitNoPendingRequests() {
    long deadline = System.currentTimeMillis() + 5_000;
    while (host.engine().client().pendingRequests() > 0) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError(
            "Expected the client to forget the wait, but "
                + host.engine().client().pendingRequests()
                + " requests are pending");
      }
      sleep(10);
    }
  }

  private static OrchestrationStatus status(String name) {
    return OrchestrationStatus.valueOf("ORCHESTRATION_STATUS_" + name);
  }

  private static long createdMillisOf(String instanceId) {
    return millisOf(get(instanceId).getOrchestrationState().getCreatedTimestamp());
  }

  private static long millisOf(Timestamp timestamp) {
    return timestamp.getSeconds() * 1000 + timestamp.getNanos() / 1_000_000;
  }

  private static Timestamp timestamp(long millis) {
    return Timestamp.newBuilder()
        .setSeconds(Math.floorDiv(millis, 1000))
        .setNanos((int) Math.floorMod(millis, 1000) * 1_000_000)
        .build();
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("Expected to wait, but was interrupted", e);
    }
  }
}
