package io.durabletask.kafka.host;

import com.google.protobuf.StringValue;
import io.durabletask.kafka.protocol.ActivityRequest;
import io.durabletask.kafka.protocol.ActivityResponse;
import io.durabletask.kafka.protocol.CompleteOrchestrationAction;
import io.durabletask.kafka.protocol.GetWorkItemsRequest;
import io.durabletask.kafka.protocol.HistoryEvent;
import io.durabletask.kafka.protocol.OrchestrationStatus;
import io.durabletask.kafka.protocol.OrchestratorAction;
import io.durabletask.kafka.protocol.OrchestratorRequest;
import io.durabletask.kafka.protocol.OrchestratorResponse;
import io.durabletask.kafka.protocol.TaskHubSidecarServiceGrpc;
import io.durabletask.kafka.protocol.TaskHubSidecarServiceGrpc.TaskHubSidecarServiceBlockingStub;
import io.durabletask.kafka.protocol.WorkItem;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * A worker made of scripts, talking to a host over our own generated stubs the way the SDKs do.
 *
 * <p>An orchestration script gets each episode and returns the actions. As the SDKs do, the worker
 * answers an episode that brings ExecutionTerminated with completeOrchestration(TERMINATED, the
 * reason) without asking the script. An activity script maps the input to the result. The worker
 * echoes completion tokens and records the status of every completion the host refused.
 */
final class ScriptedWorker implements StreamObserver<WorkItem>, AutoCloseable {
  private final TaskHubSidecarServiceBlockingStub stub;
  private final Map<String, Function<Episode, List<OrchestratorAction>>> orchestrations =
      new ConcurrentHashMap<>();
  private final Map<String, Function<String, String>> activities = new ConcurrentHashMap<>();
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final List<Status.Code> refusedCompletions = new CopyOnWriteArrayList<>();
  private final Context.CancellableContext stream = Context.current().withCancellation();

  private ScriptedWorker(ManagedChannel channel) {
    this.stub = TaskHubSidecarServiceGrpc.newBlockingStub(channel);
  }

  static ScriptedWorker connect(ManagedChannel channel) {
    ScriptedWorker worker = new ScriptedWorker(channel);
    worker.stream.run(
        () ->
            TaskHubSidecarServiceGrpc.newStub(channel)
                .getWorkItems(GetWorkItemsRequest.getDefaultInstance(), worker));
    return worker;
  }

  ScriptedWorker orchestration(String name, Function<Episode, List<OrchestratorAction>> script) {
    orchestrations.put(name, script);
    return this;
  }

  ScriptedWorker activity(String name, Function<String, String> script) {
    activities.put(name, script);
    return this;
  }

  /** The statuses of completions the host refused, in order. */
  List<Status.Code> refusedCompletions() {
    return List.copyOf(refusedCompletions);
  }

  @Override
  public void onNext(WorkItem item) {
    if (item.hasOrchestratorRequest()) {
      threads.execute(() -> runEpisode(item));
    } else if (item.hasActivityRequest()) {
      threads.execute(() -> runActivity(item));
    }
  }

  @Override
  public void onError(Throwable error) {}

  @Override
  public void onCompleted() {}

  @Override
  public void close() {
    stream.cancel(null);
    threads.shutdownNow();
  }

  private void runEpisode(WorkItem item) {
    Episode episode = new Episode(item.getOrchestratorRequest());
    List<OrchestratorAction> actions =
        episode.terminateReason() != null
            ? List.of(
                finish(
                    0,
                    OrchestrationStatus.ORCHESTRATION_STATUS_TERMINATED,
                    episode.terminateReason()))
            : orchestrations.getOrDefault(episode.name(), e -> List.of()).apply(episode);
    complete(
        () ->
            stub.completeOrchestratorTask(
                OrchestratorResponse.newBuilder()
                    .setInstanceId(episode.instanceId())
                    .addAllActions(actions)
                    .setCompletionToken(item.getCompletionToken())
                    .build()));
  }

  private void runActivity(WorkItem item) {
    ActivityRequest request = item.getActivityRequest();
    String result =
        activities
            .getOrDefault(request.getName(), input -> input)
            .apply(request.getInput().getValue());
    complete(
        () ->
            stub.completeActivityTask(
                ActivityResponse.newBuilder()
                    .setInstanceId(request.getOrchestrationInstance().getInstanceId())
                    .setTaskId(request.getTaskId())
                    .setResult(StringValue.of(result))
                    .setCompletionToken(item.getCompletionToken())
                    .build()));
  }

  private void complete(Runnable call) {
    try {
      call.run();
    } catch (StatusRuntimeException e) {
      refusedCompletions.add(e.getStatus().getCode());
    }
  }

  static OrchestratorAction finish(int id, OrchestrationStatus status, String result) {
    CompleteOrchestrationAction.Builder complete =
        CompleteOrchestrationAction.newBuilder().setOrchestrationStatus(status);
    if (result != null) {
      complete.setResult(StringValue.of(result));
    }
    return OrchestratorAction.newBuilder().setId(id).setCompleteOrchestration(complete).build();
  }

  static OrchestratorAction complete(int id, String result) {
    return finish(id, OrchestrationStatus.ORCHESTRATION_STATUS_COMPLETED, result);
  }

  /** One orchestrator work item, as a script sees it. */
  static final class Episode {
    private final OrchestratorRequest request;
    private final List<HistoryEvent> all = new ArrayList<>();

    Episode(OrchestratorRequest request) {
      this.request = request;
      all.addAll(request.getPastEventsList());
      all.addAll(request.getNewEventsList());
    }

    String instanceId() {
      return request.getInstanceId();
    }

    String name() {
      return all.stream()
          .filter(HistoryEvent::hasExecutionStarted)
          .map(e -> e.getExecutionStarted().getName())
          .findFirst()
          .orElse("");
    }

    String input() {
      return all.stream()
          .filter(HistoryEvent::hasExecutionStarted)
          .map(e -> e.getExecutionStarted().getInput().getValue())
          .findFirst()
          .orElse(null);
    }

    boolean isFirst() {
      return request.getPastEventsCount() == 0;
    }

    /** The new events of this episode. */
    List<HistoryEvent> newEvents() {
      return request.getNewEventsList();
    }

    String terminateReason() {
      return request.getNewEventsList().stream()
          .filter(HistoryEvent::hasExecutionTerminated)
          .map(e -> e.getExecutionTerminated().getInput().getValue())
          .findFirst()
          .orElse(null);
    }
  }
}
