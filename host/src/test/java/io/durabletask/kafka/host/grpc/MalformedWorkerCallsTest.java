package io.durabletask.kafka.host.grpc;

import static io.durabletask.kafka.host.grpc.WorkerScript.answer;
import static io.durabletask.kafka.host.grpc.WorkerScript.assertRefused;
import static io.durabletask.kafka.host.grpc.WorkerScript.kinds;
import static io.durabletask.kafka.host.grpc.WorkerScript.scheduleTask;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Empty;
import com.google.protobuf.Int32Value;
import com.google.protobuf.StringValue;
import io.durabletask.kafka.host.Host;
import io.durabletask.kafka.host.HostConfig;
import io.durabletask.kafka.host.grpc.WorkerScript.Stream;
import io.durabletask.kafka.protocol.AbandonActivityTaskRequest;
import io.durabletask.kafka.protocol.AbandonEntityTaskRequest;
import io.durabletask.kafka.protocol.AbandonOrchestrationTaskRequest;
import io.durabletask.kafka.protocol.ActivityResponse;
import io.durabletask.kafka.protocol.CompleteOrchestrationAction;
import io.durabletask.kafka.protocol.CreateInstanceRequest;
import io.durabletask.kafka.protocol.CreateSubOrchestrationAction;
import io.durabletask.kafka.protocol.CreateTimerAction;
import io.durabletask.kafka.protocol.GetInstanceRequest;
import io.durabletask.kafka.protocol.HistoryEvent;
import io.durabletask.kafka.protocol.HistoryEvent.EventTypeCase;
import io.durabletask.kafka.protocol.OrchestrationInstance;
import io.durabletask.kafka.protocol.OrchestrationState;
import io.durabletask.kafka.protocol.OrchestrationStatus;
import io.durabletask.kafka.protocol.OrchestratorAction;
import io.durabletask.kafka.protocol.OrchestratorResponse;
import io.durabletask.kafka.protocol.RaiseEventRequest;
import io.durabletask.kafka.protocol.SendEntityMessageAction;
import io.durabletask.kafka.protocol.SendEventAction;
import io.durabletask.kafka.protocol.TaskFailureDetails;
import io.durabletask.kafka.protocol.TerminateOrchestrationAction;
import io.durabletask.kafka.protocol.WorkItem;
import io.grpc.Status.Code;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * malformedGrpc: bad worker calls get a precise status and message, change no partition state, and
 * leave the host serving. Runs on a real host (embedded broker, page files) with a 16 KiB payload
 * limit.
 */
class MalformedWorkerCallsTest {
  private static final int MAX_PAYLOAD_BYTES = 16 * 1024;
  private static final Duration QUIET = Duration.ofMillis(500);
  private static final String TOO_LARGE = "\"" + "x".repeat(MAX_PAYLOAD_BYTES + 1) + "\"";

  @TempDir static Path dataDir;
  private static Host host;
  private WorkerScript worker;

  @BeforeAll
  static void startHost() {
    host =
        Host.start(
            HostConfig.defaults(dataDir)
                .withPort(0)
                .withPartitionCount(4)
                .withPayloadLimits(MAX_PAYLOAD_BYTES, 4 * 1024 * 1024));
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
  void shouldRefuseMalformedOrchestratorCompletionsAndChangeNothing() {
    // given an open episode
    Stream stream = worker.openStream();
    String instanceId = worker.start("bad-episode", null);
    WorkItem episode = stream.next();
    OrchestrationState before = worker.state(instanceId);

    // when malformed completions arrive, each is refused precisely
    for (Refusal<OrchestratorResponse> refusal : malformedEpisodeCompletions(episode)) {
      assertRefused(() -> worker.complete(refusal.request()), refusal.code(), refusal.message());
    }

    // then the instance is as before, and nothing was dispatched
    assertThat(worker.state(instanceId)).isEqualTo(before);
    stream.assertNothingWithin(QUIET);

    // and the episode is still open: a valid completion is taken, once
    OrchestratorResponse valid = answer(episode).addActions(scheduleTask(0, "Step")).build();
    worker.complete(valid);
    assertRefused(() -> worker.complete(valid), Code.NOT_FOUND, "completed already");
    assertRefused(
        () -> worker.complete(valid.toBuilder().setCompletionToken("").build()),
        Code.NOT_FOUND,
        "completed already");

    // and the history holds exactly the valid episode
    WorkItem activity = stream.next();
    worker.completeActivity(activity);
    WorkItem next = stream.next();
    assertThat(kinds(next.getOrchestratorRequest().getPastEventsList()))
        .containsExactly(
            EventTypeCase.ORCHESTRATORSTARTED,
            EventTypeCase.EXECUTIONSTARTED,
            EventTypeCase.TASKSCHEDULED,
            EventTypeCase.ORCHESTRATORCOMPLETED);
    worker.completeOrchestration(next, "\"survived\"");
    assertThat(worker.awaitCompletion(instanceId).getOrchestrationStatus())
        .isEqualTo(OrchestrationStatus.ORCHESTRATION_STATUS_COMPLETED);
  }

  private static List<Refusal<OrchestratorResponse>> malformedEpisodeCompletions(WorkItem episode) {
    String token = episode.getCompletionToken();
    List<Refusal<OrchestratorResponse>> refusals = new ArrayList<>();
    refusals.add(
        new Refusal<>(
            answer(episode).setInstanceId("").build(),
            Code.INVALID_ARGUMENT,
            "Expected a non-empty instance id"));
    refusals.add(
        withAction(
            episode,
            OrchestratorAction.newBuilder().setId(0).build(),
            Code.INVALID_ARGUMENT,
            "Expected orchestrator action 0 to have an action kind set, but none is"));
    refusals.add(
        withAction(
            episode,
            scheduleTask(0, ""),
            Code.INVALID_ARGUMENT,
            "Expected scheduleTask action 0 to have a non-empty activity name"));
    refusals.add(
        withAction(
            episode,
            OrchestratorAction.newBuilder()
                .setId(1)
                .setCreateSubOrchestration(CreateSubOrchestrationAction.newBuilder())
                .build(),
            Code.INVALID_ARGUMENT,
            "Expected createSubOrchestration action 1 to have a non-empty orchestration name"));
    refusals.add(
        withAction(
            episode,
            OrchestratorAction.newBuilder()
                .setId(2)
                .setSendEvent(SendEventAction.newBuilder().setName("ping"))
                .build(),
            Code.INVALID_ARGUMENT,
            "Expected sendEvent action 2 to have a non-empty target instance id"));
    refusals.add(
        withAction(
            episode,
            OrchestratorAction.newBuilder()
                .setId(3)
                .setSendEvent(
                    SendEventAction.newBuilder()
                        .setInstance(OrchestrationInstance.newBuilder().setInstanceId("other")))
                .build(),
            Code.INVALID_ARGUMENT,
            "Expected sendEvent action 3 to have a non-empty event name"));
    refusals.add(
        withAction(
            episode,
            OrchestratorAction.newBuilder()
                .setId(4)
                .setCreateTimer(CreateTimerAction.getDefaultInstance())
                .build(),
            Code.INVALID_ARGUMENT,
            "Expected createTimer action 4 to have a fireAt time"));
    refusals.add(
        withAction(
            episode,
            OrchestratorAction.newBuilder()
                .setId(5)
                .setTerminateOrchestration(TerminateOrchestrationAction.getDefaultInstance())
                .build(),
            Code.INVALID_ARGUMENT,
            "Expected terminateOrchestration action 5 to have a non-empty target instance id"));
    for (OrchestrationStatus status :
        List.of(
            OrchestrationStatus.ORCHESTRATION_STATUS_RUNNING,
            OrchestrationStatus.ORCHESTRATION_STATUS_PENDING,
            OrchestrationStatus.ORCHESTRATION_STATUS_SUSPENDED,
            OrchestrationStatus.ORCHESTRATION_STATUS_CANCELED)) {
      refusals.add(
          withAction(
              episode,
              complete(CompleteOrchestrationAction.newBuilder().setOrchestrationStatus(status)),
              Code.INVALID_ARGUMENT,
              "Expected completeOrchestration action 6 to have the status COMPLETED, FAILED,"
                  + " TERMINATED or CONTINUED_AS_NEW, but its status is "
                  + status.name()));
    }
    refusals.add(
        withAction(
            episode,
            complete(CompleteOrchestrationAction.newBuilder().setOrchestrationStatusValue(42)),
            Code.INVALID_ARGUMENT,
            "but its status is the unknown value 42"));
    refusals.add(
        new Refusal<>(
            answer(episode).setChunkIndex(Int32Value.of(-1)).build(),
            Code.INVALID_ARGUMENT,
            "Expected a chunk index of 0 or more, but it is -1"));
    refusals.add(
        new Refusal<>(
            answer(episode).setCompletionToken("not-a-token").build(),
            Code.NOT_FOUND,
            "Expected a completion token that this host handed out, but 'not-a-token' is not one"));
    refusals.add(
        new Refusal<>(
            answer(episode).setCompletionToken("o-" + "9".repeat(5000)).build(),
            Code.NOT_FOUND,
            "is not one"));
    refusals.add(
        new Refusal<>(
            answer(episode).setCompletionToken("o-1-42").build(),
            Code.NOT_FOUND,
            "Expected an open orchestrator work item for completion token 'o-1-42', but there is"
                + " none"));
    refusals.add(
        new Refusal<>(
            answer(episode).setCompletionToken("a" + token.substring(1)).build(),
            Code.NOT_FOUND,
            "to name an orchestrator work item, but it names an activity work item"));
    refusals.add(
        new Refusal<>(
            answer(episode).setInstanceId("someone-else").build(),
            Code.INVALID_ARGUMENT,
            "but the completion names 'someone-else'"));
    refusals.add(
        new Refusal<>(
            OrchestratorResponse.newBuilder().setInstanceId("no-such-instance").build(),
            Code.NOT_FOUND,
            "Expected an open orchestrator work item for instance 'no-such-instance'"));
    return refusals;
  }

  @Test
  void shouldRefuseMalformedActivityCompletionsAndChangeNothing() {
    // given two open activities
    Stream stream = worker.openStream();
    String instanceId = worker.start("bad-activity", null);
    WorkItem episode = stream.next();
    worker.complete(
        answer(episode)
            .addActions(scheduleTask(0, "Work"))
            .addActions(scheduleTask(1, "Empty"))
            .build());
    List<WorkItem> activities = stream.next(2);
    WorkItem work = taskOf(activities, 0);
    WorkItem empty = taskOf(activities, 1);
    OrchestrationState before = worker.state(instanceId);

    // when malformed completions arrive, each is refused precisely
    ActivityResponse valid =
        ActivityResponse.newBuilder()
            .setInstanceId(instanceId)
            .setTaskId(0)
            .setCompletionToken(work.getCompletionToken())
            .setResult(StringValue.of("\"worked\""))
            .build();
    for (Refusal<ActivityResponse> refusal : malformedActivityCompletions(valid, episode)) {
      assertRefused(() -> worker.complete(refusal.request()), refusal.code(), refusal.message());
    }

    // then the instance is as before, and nothing was dispatched
    assertThat(worker.state(instanceId)).isEqualTo(before);
    stream.assertNothingWithin(QUIET);

    // and the activities are still open: a valid completion is taken once, an empty one is legal
    worker.complete(valid);
    assertRefused(() -> worker.complete(valid), Code.NOT_FOUND, "completed already");
    assertRefused(
        () -> worker.complete(valid.toBuilder().clearCompletionToken().build()),
        Code.NOT_FOUND,
        "Expected an open activity work item for task 0 of instance");
    worker.complete(
        ActivityResponse.newBuilder()
            .setInstanceId(instanceId)
            .setTaskId(1)
            .setCompletionToken(empty.getCompletionToken())
            .build());
    List<HistoryEvent> results = taskResults(stream, instanceId);
    assertThat(results).hasSize(2);
    assertThat(resultOf(results, 0).getResult()).isEqualTo(StringValue.of("\"worked\""));
    assertThat(resultOf(results, 1).hasResult()).isFalse();
  }

  private static List<Refusal<ActivityResponse>> malformedActivityCompletions(
      ActivityResponse valid, WorkItem episode) {
    List<Refusal<ActivityResponse>> refusals = new ArrayList<>();
    refusals.add(
        new Refusal<>(
            valid.toBuilder().setInstanceId("").build(),
            Code.INVALID_ARGUMENT,
            "Expected a non-empty instance id, but it is empty"));
    refusals.add(
        new Refusal<>(
            valid.toBuilder().setCompletionToken("\u0000garbage").build(),
            Code.NOT_FOUND,
            "Expected a completion token that this host handed out"));
    refusals.add(
        new Refusal<>(
            valid.toBuilder().setCompletionToken(episode.getCompletionToken()).build(),
            Code.NOT_FOUND,
            "to name an activity work item, but it names an orchestrator work item"));
    refusals.add(
        new Refusal<>(
            valid.toBuilder().setTaskId(1).build(),
            Code.INVALID_ARGUMENT,
            "Expected the task id of the work item with completion token"));
    refusals.add(
        new Refusal<>(
            valid.toBuilder().clearCompletionToken().setTaskId(7).build(),
            Code.NOT_FOUND,
            "Expected an open activity work item for task 7 of instance"));
    refusals.add(
        new Refusal<>(
            valid.toBuilder().clearCompletionToken().setInstanceId("no-such-instance").build(),
            Code.NOT_FOUND,
            "of instance 'no-such-instance', but there is none"));
    return refusals;
  }

  @Test
  void shouldFailTheOrchestrationWhoseCompletionItWouldOnlySendAgain() {
    for (Ending ending : endingsOfCompletionsSentAgain()) {
      // given an open episode
      Stream stream = worker.openStream();
      String instanceId = worker.start("ending-" + ending.errorType(), null);
      WorkItem episode = stream.next();

      // when its completion is one the orchestrator would send again, it is refused with the reason
      OrchestratorResponse completion =
          ending
              .completion()
              .setInstanceId(instanceId)
              .setCompletionToken(episode.getCompletionToken())
              .build();
      assertRefused(
          () -> worker.complete(completion),
          ending.code(),
          ending.reason() + ". The orchestration failed with this reason.");

      // then the orchestration failed with that reason, and runs no action of the completion
      OrchestrationState failed = worker.awaitCompletion(instanceId);
      assertThat(failed.getOrchestrationStatus())
          .isEqualTo(OrchestrationStatus.ORCHESTRATION_STATUS_FAILED);
      assertThat(failed.getFailureDetails().getErrorType()).isEqualTo(ending.errorType());
      assertThat(failed.getFailureDetails().getErrorMessage()).contains(ending.reason());
      assertThat(failed.getFailureDetails().getIsNonRetriable()).isTrue();
      stream.assertNothingWithin(QUIET);
      assertRefused(() -> worker.complete(completion), Code.NOT_FOUND, "completed already");
      stream.cancel();
    }
  }

  private static List<Ending> endingsOfCompletionsSentAgain() {
    String tooLarge = "to be at most 16384 bytes, but it is " + TOO_LARGE.length();
    return List.of(
        new Ending(
            OrchestratorResponse.newBuilder()
                .addActions(scheduleTask(0, "Step"))
                .addActions(
                    complete(
                        CompleteOrchestrationAction.newBuilder()
                            .setOrchestrationStatus(
                                OrchestrationStatus.ORCHESTRATION_STATUS_COMPLETED)
                            .setResult(StringValue.of(TOO_LARGE)))),
            Code.RESOURCE_EXHAUSTED,
            "PayloadTooLargeException",
            "Expected the result of completeOrchestration action 6 " + tooLarge),
        new Ending(
            OrchestratorResponse.newBuilder().setCustomStatus(StringValue.of(TOO_LARGE)),
            Code.RESOURCE_EXHAUSTED,
            "PayloadTooLargeException",
            "Expected the custom status " + tooLarge),
        new Ending(
            OrchestratorResponse.newBuilder()
                .addActions(
                    OrchestratorAction.newBuilder()
                        .setId(7)
                        .setSendEntityMessage(SendEntityMessageAction.getDefaultInstance())),
            Code.UNIMPLEMENTED,
            "UnsupportedOperationException",
            "action 7 is SENDENTITYMESSAGE, which it does not serve yet"));
  }

  @Test
  void shouldFailTheActivityTaskWhoseResultIsAboveTheLimit() {
    // given two open activities
    Stream stream = worker.openStream();
    String instanceId = worker.start("big-activity", null);
    WorkItem episode = stream.next();
    worker.complete(
        answer(episode)
            .addActions(scheduleTask(0, "Big"))
            .addActions(scheduleTask(1, "BigFailure"))
            .build());
    List<WorkItem> activities = stream.next(2);

    // when their results are above the limit, each is refused with the reason
    ActivityResponse bigResult =
        ActivityResponse.newBuilder()
            .setInstanceId(instanceId)
            .setTaskId(0)
            .setCompletionToken(taskOf(activities, 0).getCompletionToken())
            .setResult(StringValue.of(TOO_LARGE))
            .build();
    ActivityResponse bigFailure =
        ActivityResponse.newBuilder()
            .setInstanceId(instanceId)
            .setTaskId(1)
            .setCompletionToken(taskOf(activities, 1).getCompletionToken())
            .setFailureDetails(
                TaskFailureDetails.newBuilder()
                    .setErrorType("Boom")
                    .setStackTrace(StringValue.of(TOO_LARGE)))
            .build();
    assertRefused(
        () -> worker.complete(bigResult),
        Code.RESOURCE_EXHAUSTED,
        "Expected the activity result to be at most 16384 bytes, but it is "
            + TOO_LARGE.length()
            + ". The activity task failed with this reason.");
    assertRefused(
        () -> worker.complete(bigFailure),
        Code.RESOURCE_EXHAUSTED,
        "Expected the activity failure details to be at most 16384 bytes");

    // then the orchestration hears of two failed tasks, and the activities are not out again
    List<HistoryEvent> failures = new ArrayList<>();
    while (failures.size() < 2) {
      WorkItem next = stream.next();
      assertThat(next.hasOrchestratorRequest()).isTrue();
      next.getOrchestratorRequest().getNewEventsList().stream()
          .filter(e -> e.getEventTypeCase() == EventTypeCase.TASKFAILED)
          .forEach(failures::add);
      worker.complete(answer(next).build());
    }
    for (HistoryEvent failure : failures) {
      TaskFailureDetails details = failure.getTaskFailed().getFailureDetails();
      assertThat(details.getErrorType()).isEqualTo("PayloadTooLargeException");
      assertThat(details.getErrorMessage()).contains("to be at most 16384 bytes");
    }
    assertRefused(() -> worker.complete(bigResult), Code.NOT_FOUND, "completed already");
  }

  @Test
  void shouldRefuseMalformedAbandons() {
    // given an open episode
    Stream stream = worker.openStream();
    worker.start("bad-abandon", null);
    WorkItem episode = stream.next();
    String token = episode.getCompletionToken();

    // when abandons name no token, a corrupt or unknown one, or the wrong kind, they are refused
    assertRefused(
        () -> abandonOrchestrator(""), Code.INVALID_ARGUMENT, "non-empty completion token");
    assertRefused(() -> abandonOrchestrator("%%%"), Code.NOT_FOUND, "'%%%' is not one");
    assertRefused(() -> abandonOrchestrator("o-3-7"), Code.NOT_FOUND, "there is none");
    assertRefused(() -> abandonActivity(token), Code.NOT_FOUND, "names an orchestrator");
    assertRefused(
        () ->
            worker
                .sidecar()
                .abandonTaskEntityWorkItem(
                    AbandonEntityTaskRequest.newBuilder().setCompletionToken(token).build()),
        Code.NOT_FOUND,
        "this host hands out no entity work items");

    // then the episode stayed where it was, and once completed it cannot be abandoned
    stream.assertNothingWithin(QUIET);
    worker.completeOrchestration(episode, "\"kept\"");
    assertRefused(() -> abandonOrchestrator(token), Code.NOT_FOUND, "completed already");
  }

  @Test
  void shouldAnswerRefusalsOfClientCallsWithTheirStatusAndKeepServing() {
    // when client calls are malformed, each gets its own status rather than UNKNOWN
    assertRefused(
        () -> worker.sidecar().startInstance(CreateInstanceRequest.newBuilder().build()),
        Code.INVALID_ARGUMENT,
        "orchestration name");
    assertRefused(
        () ->
            worker
                .sidecar()
                .startInstance(
                    CreateInstanceRequest.newBuilder()
                        .setName("Big")
                        .setInput(StringValue.of(TOO_LARGE))
                        .build()),
        Code.RESOURCE_EXHAUSTED,
        "16384");
    assertRefused(
        () -> worker.sidecar().getInstance(GetInstanceRequest.getDefaultInstance()),
        Code.INVALID_ARGUMENT,
        "instance id");
    assertRefused(
        () ->
            worker
                .sidecar()
                .raiseEvent(RaiseEventRequest.newBuilder().setInstanceId("some").build()),
        Code.INVALID_ARGUMENT,
        "event name");

    // then an unknown instance is simply not there, and the host still runs orchestrations
    assertThat(
            worker
                .sidecar()
                .getInstance(GetInstanceRequest.newBuilder().setInstanceId("nobody").build())
                .getExists())
        .isFalse();
    assertThat(worker.sidecar().hello(Empty.getDefaultInstance())).isNotNull();
    Stream stream = worker.openStream();
    String instanceId = worker.start("after-refusals", null);
    worker.completeOrchestration(stream.next(), "\"fine\"");
    assertThat(worker.awaitCompletion(instanceId).getOutput().getValue()).isEqualTo("\"fine\"");
  }

  // ---- helpers ----

  private void abandonOrchestrator(String token) {
    worker
        .sidecar()
        .abandonTaskOrchestratorWorkItem(
            AbandonOrchestrationTaskRequest.newBuilder().setCompletionToken(token).build());
  }

  private void abandonActivity(String token) {
    worker
        .sidecar()
        .abandonTaskActivityWorkItem(
            AbandonActivityTaskRequest.newBuilder().setCompletionToken(token).build());
  }

  private static Refusal<OrchestratorResponse> withAction(
      WorkItem episode, OrchestratorAction action, Code code, String message) {
    return new Refusal<>(answer(episode).addActions(action).build(), code, message);
  }

  private static OrchestratorAction complete(CompleteOrchestrationAction.Builder complete) {
    return OrchestratorAction.newBuilder().setId(6).setCompleteOrchestration(complete).build();
  }

  private static WorkItem taskOf(List<WorkItem> activities, int taskId) {
    return activities.stream()
        .filter(a -> a.getActivityRequest().getTaskId() == taskId)
        .findFirst()
        .orElseThrow();
  }

  /** The task results the orchestration received, over as many episodes as it takes. */
  private List<HistoryEvent> taskResults(Stream stream, String instanceId) {
    List<HistoryEvent> results = new ArrayList<>();
    while (results.size() < 2) {
      WorkItem next = stream.next();
      next.getOrchestratorRequest().getNewEventsList().stream()
          .filter(e -> e.getEventTypeCase() == EventTypeCase.TASKCOMPLETED)
          .forEach(results::add);
      worker.complete(OrchestratorResponse.newBuilder().setInstanceId(instanceId).build());
    }
    return results;
  }

  private static io.durabletask.kafka.protocol.TaskCompletedEvent resultOf(
      List<HistoryEvent> results, int taskId) {
    return results.stream()
        .map(HistoryEvent::getTaskCompleted)
        .filter(c -> c.getTaskScheduledId() == taskId)
        .findFirst()
        .orElseThrow();
  }

  /** A request the host must refuse with this code and a message containing this text. */
  private record Refusal<T>(T request, Code code, String message) {}

  /** A completion refused with this code that fails the orchestration with this reason. */
  private record Ending(
      OrchestratorResponse.Builder completion, Code code, String errorType, String reason) {}
}
