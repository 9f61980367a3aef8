package io.durabletask.kafka.host.grpc;

import static io.durabletask.kafka.host.grpc.WorkerScript.answer;
import static io.durabletask.kafka.host.grpc.WorkerScript.assertRefused;
import static io.durabletask.kafka.host.grpc.WorkerScript.instanceOf;
import static io.durabletask.kafka.host.grpc.WorkerScript.kinds;
import static io.durabletask.kafka.host.grpc.WorkerScript.scheduleTask;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Int32Value;
import com.google.protobuf.StringValue;
import io.durabletask.kafka.host.Host;
import io.durabletask.kafka.host.HostConfig;
import io.durabletask.kafka.host.grpc.WorkerScript.Stream;
import io.durabletask.kafka.protocol.AbandonActivityTaskRequest;
import io.durabletask.kafka.protocol.AbandonOrchestrationTaskRequest;
import io.durabletask.kafka.protocol.ActivityResponse;
import io.durabletask.kafka.protocol.HistoryEvent.EventTypeCase;
import io.durabletask.kafka.protocol.OrchestrationState;
import io.durabletask.kafka.protocol.OrchestrationStatus;
import io.durabletask.kafka.protocol.OrchestratorResponse;
import io.durabletask.kafka.protocol.WorkItem;
import io.grpc.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Completions, chunked completions and abandons of work items, sent by a scripted worker to a real
 * host (embedded broker, page files).
 */
class WorkerCompletionsTest {
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
  void shouldMatchCompletionsByTheirTokens() {
    // given an instance whose first episode schedules an activity
    Stream stream = worker.openStream();
    String instanceId = worker.start("token", "\"in\"");
    WorkItem episode = stream.next();
    assertThat(episode.getCompletionToken()).isNotEmpty();
    worker.complete(answer(episode).addActions(scheduleTask(0, "Say")).build());

    // when the activity completes by its token
    WorkItem activity = stream.next();
    assertThat(activity.getActivityRequest().getName()).isEqualTo("Say");
    assertThat(instanceOf(activity)).isEqualTo(instanceId);
    assertThat(activity.getCompletionToken()).isNotEqualTo(episode.getCompletionToken());
    worker.completeActivity(activity);

    // then the next episode carries its result, and the orchestration completes
    WorkItem second = stream.next();
    assertThat(kinds(second.getOrchestratorRequest().getNewEventsList()))
        .containsExactly(EventTypeCase.ORCHESTRATORSTARTED, EventTypeCase.TASKCOMPLETED);
    assertThat(second.getOrchestratorRequest().getNewEvents(1).getTaskCompleted().getResult())
        .isEqualTo(StringValue.of("\"Say\""));
    worker.completeOrchestration(second, "\"done\"");
    OrchestrationState state = worker.awaitCompletion(instanceId);
    assertThat(state.getOrchestrationStatus())
        .isEqualTo(OrchestrationStatus.ORCHESTRATION_STATUS_COMPLETED);
    assertThat(state.getOutput().getValue()).isEqualTo("\"done\"");
  }

  @Test
  void shouldMatchCompletionsWithoutTokensByInstanceAndTask() {
    // given an episode, answered like the Java SDK 1.5.0 does: without a completion token
    Stream stream = worker.openStream();
    String instanceId = worker.start("no-token", null);
    WorkItem episode = stream.next();
    worker.complete(
        OrchestratorResponse.newBuilder()
            .setInstanceId(instanceId)
            .addActions(scheduleTask(0, "A"))
            .addActions(scheduleTask(1, "B"))
            .setCustomStatus(StringValue.of(""))
            .build());

    // when both activities complete by instance id and task id
    List<WorkItem> activities = stream.next(2);
    for (WorkItem activity : activities) {
      worker.complete(
          ActivityResponse.newBuilder()
              .setInstanceId(instanceId)
              .setTaskId(activity.getActivityRequest().getTaskId())
              .setResult(StringValue.of("\"r" + activity.getActivityRequest().getTaskId() + "\""))
              .build());
    }

    // then the orchestration sees both results, in the episodes that follow
    WorkItem next = stream.next();
    List<EventTypeCase> seen = kinds(next.getOrchestratorRequest().getNewEventsList());
    if (seen.stream().filter(EventTypeCase.TASKCOMPLETED::equals).count() < 2) {
      worker.complete(OrchestratorResponse.newBuilder().setInstanceId(instanceId).build());
      next = stream.next();
    }
    assertThat(next.getOrchestratorRequest().getPastEventsList())
        .filteredOn(e -> e.getEventTypeCase() == EventTypeCase.TASKSCHEDULED)
        .hasSize(2);
    List<EventTypeCase> all =
        kinds(
            java.util.stream.Stream.concat(
                    next.getOrchestratorRequest().getPastEventsList().stream(),
                    next.getOrchestratorRequest().getNewEventsList().stream())
                .toList());
    assertThat(all).filteredOn(EventTypeCase.TASKCOMPLETED::equals).hasSize(2);
    assertThat(episode.getCompletionToken()).isNotEmpty();
  }

  @Test
  void shouldCommitAChunkedCompletionOnlyWithItsFinalChunk() {
    // given an open episode
    Stream stream = worker.openStream();
    String instanceId = worker.start("chunks", null);
    WorkItem episode = stream.next();

    // when the worker sends two partial chunks
    worker.complete(chunk(episode, 0, true).addActions(scheduleTask(0, "A")).build());
    worker.complete(
        chunk(episode, 1, true)
            .addActions(scheduleTask(1, "B"))
            .setCustomStatus(StringValue.of("\"first\""))
            .build());

    // then nothing is committed yet
    stream.assertNothingWithin(QUIET);
    assertThat(worker.state(instanceId).getOrchestrationStatus())
        .isEqualTo(OrchestrationStatus.ORCHESTRATION_STATUS_PENDING);

    // when the final chunk arrives
    worker.complete(
        chunk(episode, 2, false)
            .addActions(scheduleTask(2, "C"))
            .setCustomStatus(StringValue.of("\"last\""))
            .build());

    // then every chunk's actions are applied, and the last chunk's custom status wins
    List<WorkItem> activities = stream.next(3);
    assertThat(activities.stream().map(a -> a.getActivityRequest().getName()))
        .containsExactlyInAnyOrder("A", "B", "C");
    OrchestrationState state = worker.state(instanceId);
    assertThat(state.getOrchestrationStatus())
        .isEqualTo(OrchestrationStatus.ORCHESTRATION_STATUS_RUNNING);
    assertThat(state.getCustomStatus().getValue()).isEqualTo("\"last\"");
  }

  @Test
  void shouldRefuseAChunkOutOfOrderAndDropTheChunksBeforeIt() {
    // given an episode with one partial chunk received
    Stream stream = worker.openStream();
    String instanceId = worker.start("chunk-order", null);
    WorkItem episode = stream.next();
    worker.complete(chunk(episode, 0, true).addActions(scheduleTask(0, "Dropped")).build());

    // when chunk 2 comes before chunk 1
    assertRefused(
        () -> worker.complete(chunk(episode, 2, true).build()),
        Status.Code.INVALID_ARGUMENT,
        "Expected chunk 1 of the orchestrator completion");

    // then the chunks so far are dropped: the worker must start again from chunk 0
    assertRefused(
        () -> worker.complete(chunk(episode, 1, false).build()),
        Status.Code.INVALID_ARGUMENT,
        "Expected chunk 0");
    worker.complete(chunk(episode, 0, false).addActions(scheduleTask(1, "Kept")).build());
    WorkItem activity = stream.next();
    assertThat(activity.getActivityRequest().getName()).isEqualTo("Kept");
    stream.assertNothingWithin(QUIET);
    assertThat(worker.state(instanceId).getOrchestrationStatus())
        .isEqualTo(OrchestrationStatus.ORCHESTRATION_STATUS_RUNNING);
  }

  @Test
  void shouldLetTheNextWorkerCompleteAChunkedEpisodeAfresh() {
    // given an episode whose worker sent one chunk, then closed its stream
    Stream first = worker.openStream();
    worker.start("chunk-handover", null);
    WorkItem episode = first.next();
    worker.complete(chunk(episode, 0, true).addActions(scheduleTask(0, "FromFirst")).build());
    Stream second = worker.openStream();
    first.cancel();

    // when the next worker sends its own chunks from the start
    WorkItem handedOn = second.next();
    worker.complete(chunk(handedOn, 0, true).addActions(scheduleTask(0, "A")).build());
    worker.complete(chunk(handedOn, 1, false).addActions(scheduleTask(1, "B")).build());

    // then only its actions count
    assertThat(second.next(2).stream().map(a -> a.getActivityRequest().getName()))
        .containsExactlyInAnyOrder("A", "B");
    second.assertNothingWithin(QUIET);
  }

  @Test
  void shouldDoubleTheAbandonBackOffUpToThirtySeconds() {
    // when an item is abandoned again and again, then its back-off doubles up to a cap
    assertThat(
            java.util.stream.IntStream.rangeClosed(1, 8)
                .mapToObj(WorkItemDispatcher::abandonDelay)
                .map(Duration::toSeconds))
        .containsExactly(1L, 2L, 4L, 8L, 16L, 30L, 30L, 30L);
    assertThat(WorkItemDispatcher.abandonDelay(1_000)).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void shouldGiveAnAbandonedEpisodeOutAgainAfterAGrowingBackOff() {
    // given an episode held by a worker
    Stream stream = worker.openStream();
    String instanceId = worker.start("abandon", null);
    WorkItem episode = stream.next();

    // when the worker abandons it twice
    Redelivery first = abandon(stream, episode);
    Redelivery second = abandon(stream, first.item());

    // then it comes back after about 1 s, then after about 2 s, unchanged
    assertThat(first.afterMillis()).isBetween(900L, 1900L);
    assertThat(second.afterMillis()).isBetween(1900L, 3500L);
    WorkItem third = second.item();
    assertThat(third.getOrchestratorRequest()).isEqualTo(episode.getOrchestratorRequest());
    assertThat(third.getCompletionToken()).isEqualTo(episode.getCompletionToken());
    worker.completeOrchestration(third, "\"after abandons\"");
    assertThat(worker.awaitCompletion(instanceId).getOrchestrationStatus())
        .isEqualTo(OrchestrationStatus.ORCHESTRATION_STATUS_COMPLETED);
  }

  @Test
  void shouldGiveAnAbandonedActivityOutAgain() {
    // given an activity held by a worker, and a second worker stream
    Stream stream = worker.openStream();
    String instanceId = worker.start("abandon-activity", null);
    WorkItem episode = stream.next();
    worker.complete(answer(episode).addActions(scheduleTask(0, "Retry")).build());
    WorkItem activity = stream.next();
    Stream other = worker.openStream();

    // when the worker abandons it
    worker
        .sidecar()
        .abandonTaskActivityWorkItem(
            AbandonActivityTaskRequest.newBuilder()
                .setCompletionToken(activity.getCompletionToken())
                .build());

    // then one of the streams gets it again after the back-off, and its result counts
    WorkItem again = nextFromEither(stream, other);
    assertThat(again.getActivityRequest()).isEqualTo(activity.getActivityRequest());
    worker.completeActivity(again);
    WorkItem next = nextFromEither(stream, other);
    assertThat(instanceOf(next)).isEqualTo(instanceId);
    assertThat(kinds(next.getOrchestratorRequest().getNewEventsList()))
        .contains(EventTypeCase.TASKCOMPLETED);
  }

  /** Abandons an episode and waits for it to come back. */
  private Redelivery abandon(Stream stream, WorkItem item) {
    long begin = System.nanoTime();
    worker
        .sidecar()
        .abandonTaskOrchestratorWorkItem(
            AbandonOrchestrationTaskRequest.newBuilder()
                .setCompletionToken(item.getCompletionToken())
                .build());
    WorkItem again = stream.next();
    return new Redelivery(again, (System.nanoTime() - begin) / 1_000_000);
  }

  private record Redelivery(WorkItem item, long afterMillis) {}

  private static WorkItem nextFromEither(Stream first, Stream second) {
    long deadline = System.currentTimeMillis() + WorkerScript.ITEM_WAIT.toMillis();
    while (System.currentTimeMillis() < deadline) {
      WorkItem item = first.poll(Duration.ofMillis(50));
      if (item == null) {
        item = second.poll(Duration.ofMillis(50));
      }
      if (item != null) {
        return item;
      }
    }
    throw new AssertionError("Expected a work item on either stream, but none came");
  }

  private static OrchestratorResponse.Builder chunk(WorkItem episode, int index, boolean partial) {
    return answer(episode).setIsPartial(partial).setChunkIndex(Int32Value.of(index));
  }
}
