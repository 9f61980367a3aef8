package io.durabletask.kafka.host.grpc;

import static io.durabletask.kafka.host.grpc.WorkerScript.answer;
import static io.durabletask.kafka.host.grpc.WorkerScript.assertRefused;
import static io.durabletask.kafka.host.grpc.WorkerScript.instanceOf;
import static io.durabletask.kafka.host.grpc.WorkerScript.scheduleTask;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.durabletask.kafka.host.Host;
import io.durabletask.kafka.host.HostConfig;
import io.durabletask.kafka.host.grpc.WorkerScript.Stream;
import io.durabletask.kafka.protocol.GetWorkItemsRequest;
import io.durabletask.kafka.protocol.OrchestrationStatus;
import io.durabletask.kafka.protocol.OrchestratorResponse;
import io.durabletask.kafka.protocol.WorkItem;
import io.grpc.Status;
import io.grpc.Status.Code;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GetWorkItems with several worker streams, on a real host (embedded broker, page files). */
class WorkerStreamsTest {
  private static final Duration QUIET = Duration.ofMillis(600);

  @TempDir static Path dataDir;
  private static Host host;
  private WorkerScript worker;

  @BeforeAll
  static void startHost() {
    host = Host.start(HostConfig.defaults(dataDir).withPort(0).withPartitionCount(4));
  }

  @AfterAll
  static void stopHost() {
    if (host != null) {
      host.close();
    }
  }

  @BeforeEach
  void connect() {
    worker = WorkerScript.connect(host.port());
  }

  @AfterEach
  void cleanUp() {
    worker.finishEverything();
    worker.close();
  }

  @Test
  void shouldCloseTheStreamAWorkerLeftAfterARefusedCompletionWhenItOpensAnother() {
    // given a stream with an episode on it, and a refused completion from the same connection
    Stream left = worker.openStream();
    String instanceId = worker.start("left-behind", null);
    WorkItem episode = left.next();
    assertRefused(
        () -> worker.complete(answer(episode).setCompletionToken("o-1-42").build()),
        Code.NOT_FOUND,
        "there is none");

    // when the worker opens another stream on that connection, as the Java SDK does then
    Stream fresh = worker.openStream();

    // then the stream it left is closed, and the episode goes out again on the new one
    WorkItem again = fresh.next();
    assertThat(instanceOf(again)).isEqualTo(instanceId);
    assertThat(again.getCompletionToken()).isEqualTo(episode.getCompletionToken());
    await().atMost(Duration.ofSeconds(10)).until(() -> left.error() != null);
    assertThat(Status.fromThrowable(left.error()).getCode()).isEqualTo(Code.ABORTED);
    worker.completeOrchestration(again, "\"picked up\"");
    assertThat(worker.awaitCompletion(instanceId).getOrchestrationStatus())
        .isEqualTo(OrchestrationStatus.ORCHESTRATION_STATUS_COMPLETED);
  }

  @Test
  void shouldSendNewItemsToOtherConnectionsWhileARefusedWorkerHasNotComeBack() {
    // given a stream on each of two connections, and a refused completion on the first
    WorkerScript other = WorkerScript.connect(host.port());
    try {
      Stream refused = worker.openStream();
      Stream healthy = other.openStream();
      sleep(300);
      assertRefused(
          () ->
              worker.complete(
                  OrchestratorResponse.newBuilder()
                      .setInstanceId("nobody")
                      .setCompletionToken("o-1-42")
                      .build()),
          Code.NOT_FOUND,
          "there is none");

      // when instances start
      Set<String> started = new HashSet<>();
      for (int i = 0; i < 6; i++) {
        started.add(worker.start("avoid-refused", null));
      }

      // then their episodes go to the other connection's stream
      Set<String> onHealthy = new HashSet<>();
      for (int i = 0; i < 6; i++) {
        WorkItem item = healthy.next();
        onHealthy.add(instanceOf(item));
        other.completeOrchestration(item, "\"elsewhere\"");
      }
      assertThat(onHealthy).isEqualTo(started);
      refused.assertNothingWithin(QUIET);
    } finally {
      other.finishEverything();
      other.close();
    }
  }

  @Test
  void shouldKeepTheStreamsOfAConnectionOpenWhenNoCompletionWasRefused() {
    // given a stream with an episode on it
    Stream first = worker.openStream();
    String instanceId = worker.start("kept-open", null);
    WorkItem episode = first.next();

    // when a second stream opens on the same connection
    Stream second = worker.openStream();
    sleep(300);

    // then both stay open and the episode stays where it is
    second.assertNothingWithin(QUIET);
    assertThat(first.error()).isNull();
    worker.completeOrchestration(episode, "\"kept\"");
    assertThat(worker.awaitCompletion(instanceId).getOrchestrationStatus())
        .isEqualTo(OrchestrationStatus.ORCHESTRATION_STATUS_COMPLETED);
  }

  @Test
  void shouldGiveEachWorkItemToExactlyOneOfTwoStreams() {
    // given two open streams
    Stream first = worker.openStream();
    Stream second = worker.openStream();
    sleep(300);

    // when ten instances start
    Set<String> started = new HashSet<>();
    for (int i = 0; i < 10; i++) {
      started.add(worker.start("share", null));
    }

    // then each episode arrives on exactly one stream, with its own completion token
    List<WorkItem> onFirst = new ArrayList<>();
    List<WorkItem> onSecond = new ArrayList<>();
    while (onFirst.size() + onSecond.size() < 10) {
      WorkItem item = first.poll(Duration.ofMillis(50));
      if (item != null) {
        onFirst.add(item);
      }
      item = second.poll(Duration.ofMillis(50));
      if (item != null) {
        onSecond.add(item);
      }
    }
    first.assertNothingWithin(QUIET);
    second.assertNothingWithin(Duration.ZERO);
    List<WorkItem> all = new ArrayList<>(onFirst);
    all.addAll(onSecond);
    assertThat(all).allMatch(WorkItem::hasOrchestratorRequest);
    assertThat(all.stream().map(WorkerScript::instanceOf))
        .containsExactlyInAnyOrderElementsOf(started);
    assertThat(all.stream().map(WorkItem::getCompletionToken).distinct()).hasSize(10);
    assertThat(onFirst).isNotEmpty();
    assertThat(onSecond).isNotEmpty();
  }

  @Test
  void shouldGiveTheItemsOfAClosedStreamToAnotherStream() {
    // given an episode held by a stream, and a second stream that gets nothing
    Stream first = worker.openStream();
    String instanceId = worker.start("handover", null);
    WorkItem held = first.next();
    Stream second = worker.openStream();
    second.assertNothingWithin(QUIET);

    // when the first stream closes before the episode completes
    first.cancel();

    // then the second stream gets the same episode, and can complete it
    WorkItem handedOn = second.next();
    assertThat(instanceOf(handedOn)).isEqualTo(instanceId);
    assertThat(handedOn.getCompletionToken()).isEqualTo(held.getCompletionToken());
    assertThat(handedOn.getOrchestratorRequest()).isEqualTo(held.getOrchestratorRequest());
    worker.completeOrchestration(handedOn, "\"handed on\"");
    assertThat(worker.awaitCompletion(instanceId).getOrchestrationStatus())
        .isEqualTo(OrchestrationStatus.ORCHESTRATION_STATUS_COMPLETED);
  }

  @Test
  void shouldNotGiveAStreamMoreOrchestratorItemsThanItAskedFor() {
    // given a stream that takes one orchestrator work item at a time
    Stream limited =
        worker.openStream(
            GetWorkItemsRequest.newBuilder().setMaxConcurrentOrchestrationWorkItems(1).build());
    sleep(300);

    // when three instances start
    for (int i = 0; i < 3; i++) {
      worker.start("limit", null);
    }

    // then it holds one episode until it completes it
    WorkItem first = limited.next();
    limited.assertNothingWithin(QUIET);
    worker.completeOrchestration(first, "1");
    WorkItem second = limited.next();
    assertThat(instanceOf(second)).isNotEqualTo(instanceOf(first));
    limited.assertNothingWithin(QUIET);

    // and the third goes to a stream that has room
    Stream unlimited = worker.openStream();
    WorkItem third = unlimited.next();
    assertThat(instanceOf(third)).isNotIn(instanceOf(first), instanceOf(second));
    worker.completeOrchestration(second, "2");
    worker.completeOrchestration(third, "3");
    limited.assertNothingWithin(QUIET);
  }

  @Test
  void shouldNotGiveAStreamMoreActivitiesThanItAskedFor() {
    // given a stream that takes one activity at a time, and an episode that schedules three
    Stream limited =
        worker.openStream(
            GetWorkItemsRequest.newBuilder().setMaxConcurrentActivityWorkItems(1).build());
    String instanceId = worker.start("activities", null);
    WorkItem episode = limited.next();

    // when the episode completes
    worker.complete(
        WorkerScript.answer(episode)
            .addActions(scheduleTask(0, "A"))
            .addActions(scheduleTask(1, "B"))
            .addActions(scheduleTask(2, "C"))
            .build());

    // then the activities come one at a time, each after the one before completed
    List<Integer> taskIds = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      WorkItem activity = nextActivity(limited);
      assertThat(instanceOf(activity)).isEqualTo(instanceId);
      assertThat(limited.drain(Duration.ofMillis(300))).noneMatch(WorkItem::hasActivityRequest);
      taskIds.add(activity.getActivityRequest().getTaskId());
      worker.completeActivity(activity);
    }
    assertThat(taskIds).containsExactlyInAnyOrder(0, 1, 2);
  }

  /** The next activity; the episodes that come meanwhile stay open on the stream. */
  private static WorkItem nextActivity(Stream stream) {
    WorkItem item = stream.next();
    while (!item.hasActivityRequest()) {
      item = stream.next();
    }
    return item;
  }

  @Test
  void shouldHoldItemsBackFromAStreamThatReadsNothing() {
    // given a stream whose worker reads nothing and whose connection buffers 64 KiB
    try (WorkerScript stalledWorker = WorkerScript.connectWithWindow(host.port(), 64 * 1024)) {
      Stream stalled = stalledWorker.openStalledStream();
      sleep(300);

      // when twelve instances with 40 KB inputs start
      String input = WorkerScript.quoted("x".repeat(40_000));
      Set<String> started = new HashSet<>();
      for (int i = 0; i < 12; i++) {
        started.add(worker.start("stalled", input));
      }
      sleep(500);

      // then most of them wait for a stream that can take them
      Stream reading = worker.openStream();
      List<WorkItem> beforeClose = reading.drain(QUIET);
      assertThat(beforeClose).hasSizeGreaterThanOrEqualTo(7);

      // and the few the stalled stream holds come once it closes
      stalled.cancel();
      List<WorkItem> all = new ArrayList<>(beforeClose);
      all.addAll(reading.drain(Duration.ofSeconds(2)));
      assertThat(all.stream().map(WorkerScript::instanceOf))
          .containsExactlyInAnyOrderElementsOf(started);
      all.forEach(item -> worker.completeOrchestration(item, "0"));
    }
  }

  @Test
  void shouldFinishEveryInstanceWhileStreamsComeAndGo() throws Exception {
    // given forty instances
    Set<String> started = ConcurrentHashMap.newKeySet();
    for (int i = 0; i < 40; i++) {
      started.add(worker.start("churn", null));
    }

    // when three workers keep opening streams, completing some items and dropping the others
    Set<String> finished = ConcurrentHashMap.newKeySet();
    List<Throwable> refusals = new CopyOnWriteArrayList<>();
    ExecutorService workers = Executors.newFixedThreadPool(3);
    for (int w = 0; w < 3; w++) {
      Random random = new Random(w);
      workers.submit(() -> churn(random, started, finished, refusals));
    }
    workers.shutdown();
    assertThat(workers.awaitTermination(40, TimeUnit.SECONDS)).isTrue();

    // then every instance completed exactly once, and no completion was refused
    assertThat(refusals).isEmpty();
    assertThat(finished).isEqualTo(started);
    for (String instanceId : started) {
      assertThat(worker.awaitCompletion(instanceId).getOrchestrationStatus())
          .isEqualTo(OrchestrationStatus.ORCHESTRATION_STATUS_COMPLETED);
    }
  }

  private void churn(
      Random random, Set<String> started, Set<String> finished, List<Throwable> refusals) {
    long deadline = System.currentTimeMillis() + 30_000;
    while (finished.size() < started.size() && System.currentTimeMillis() < deadline) {
      Stream stream = worker.openStream();
      for (WorkItem item : stream.drain(Duration.ofMillis(random.nextInt(50, 150)))) {
        if (random.nextBoolean()) {
          try {
            worker.completeOrchestration(item, "0");
            assertThat(finished.add(instanceOf(item))).isTrue();
          } catch (RuntimeException | AssertionError e) {
            refusals.add(e);
          }
        }
      }
      stream.cancel();
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
