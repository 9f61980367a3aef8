package io.durabletask.kafka.host.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import com.google.protobuf.StringValue;
import io.durabletask.kafka.protocol.ActivityResponse;
import io.durabletask.kafka.protocol.CompleteOrchestrationAction;
import io.durabletask.kafka.protocol.CreateInstanceRequest;
import io.durabletask.kafka.protocol.GetInstanceRequest;
import io.durabletask.kafka.protocol.GetWorkItemsRequest;
import io.durabletask.kafka.protocol.HistoryEvent;
import io.durabletask.kafka.protocol.OrchestrationState;
import io.durabletask.kafka.protocol.OrchestrationStatus;
import io.durabletask.kafka.protocol.OrchestratorAction;
import io.durabletask.kafka.protocol.OrchestratorResponse;
import io.durabletask.kafka.protocol.ScheduleTaskAction;
import io.durabletask.kafka.protocol.TaskHubSidecarServiceGrpc;
import io.durabletask.kafka.protocol.TaskHubSidecarServiceGrpc.TaskHubSidecarServiceBlockingStub;
import io.durabletask.kafka.protocol.WorkItem;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/**
 * A worker a test drives by hand over our own generated stubs: it opens GetWorkItems streams, takes
 * the items they deliver, and calls the sidecar's completion RPCs with whatever the test wants to
 * send, well-formed or not.
 */
final class WorkerScript implements AutoCloseable {
  static final Duration ITEM_WAIT = Duration.ofSeconds(20);
  static final String ORCHESTRATION = "Scripted";

  private final ManagedChannel channel;
  private final TaskHubSidecarServiceBlockingStub sidecar;
  private final List<Stream> streams = new CopyOnWriteArrayList<>();

  private WorkerScript(ManagedChannel channel) {
    this.channel = channel;
    this.sidecar = TaskHubSidecarServiceGrpc.newBlockingStub(channel);
  }

  static WorkerScript connect(int port) {
    return new WorkerScript(
        NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build());
  }

  /** A worker whose connection takes at most {@code windowBytes} before the worker reads them. */
  static WorkerScript connectWithWindow(int port, int windowBytes) {
    return new WorkerScript(
        NettyChannelBuilder.forAddress("127.0.0.1", port)
            .usePlaintext()
            .flowControlWindow(windowBytes)
            .build());
  }

  TaskHubSidecarServiceBlockingStub sidecar() {
    return sidecar.withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  Stream openStream() {
    return openStream(GetWorkItemsRequest.getDefaultInstance(), true);
  }

  Stream openStream(GetWorkItemsRequest request) {
    return openStream(request, true);
  }

  /** A stream that reads nothing: the items sent to it stay in the connection's buffers. */
  Stream openStalledStream() {
    return openStream(GetWorkItemsRequest.getDefaultInstance(), false);
  }

  private Stream openStream(GetWorkItemsRequest request, boolean reading) {
    Stream stream = new Stream(reading);
    TaskHubSidecarServiceGrpc.newStub(channel).getWorkItems(request, stream);
    streams.add(stream);
    return stream;
  }

  /** Starts an instance of {@link #ORCHESTRATION} with a fresh id that begins with the prefix. */
  String start(String idPrefix, String input) {
    String instanceId = idPrefix + "-" + UUID.randomUUID();
    CreateInstanceRequest.Builder request =
        CreateInstanceRequest.newBuilder().setInstanceId(instanceId).setName(ORCHESTRATION);
    if (input != null) {
      request.setInput(StringValue.of(input));
    }
    assertThat(sidecar().startInstance(request.build()).getInstanceId()).isEqualTo(instanceId);
    return instanceId;
  }

  OrchestrationState state(String instanceId) {
    var response =
        sidecar()
            .getInstance(
                GetInstanceRequest.newBuilder()
                    .setInstanceId(instanceId)
                    .setGetInputsAndOutputs(true)
                    .build());
    assertThat(response.getExists()).as("instance %s exists", instanceId).isTrue();
    return response.getOrchestrationState();
  }

  OrchestrationState awaitCompletion(String instanceId) {
    return sidecar()
        .waitForInstanceCompletion(
            GetInstanceRequest.newBuilder()
                .setInstanceId(instanceId)
                .setGetInputsAndOutputs(true)
                .build())
        .getOrchestrationState();
  }

  void complete(OrchestratorResponse response) {
    sidecar().completeOrchestratorTask(response);
  }

  void complete(ActivityResponse response) {
    sidecar().completeActivityTask(response);
  }

  /** Ends the episode of the item with the orchestration COMPLETED and the given result. */
  void completeOrchestration(WorkItem item, String result) {
    complete(
        answer(item)
            .addActions(
                OrchestratorAction.newBuilder()
                    .setId(99)
                    .setCompleteOrchestration(
                        CompleteOrchestrationAction.newBuilder()
                            .setOrchestrationStatus(
                                OrchestrationStatus.ORCHESTRATION_STATUS_COMPLETED)
                            .setResult(StringValue.of(result))))
            .build());
  }

  /** Answers an activity item with its name as the result. */
  void completeActivity(WorkItem item) {
    complete(
        ActivityResponse.newBuilder()
            .setInstanceId(item.getActivityRequest().getOrchestrationInstance().getInstanceId())
            .setTaskId(item.getActivityRequest().getTaskId())
            .setCompletionToken(item.getCompletionToken())
            .setResult(StringValue.of(quoted(item.getActivityRequest().getName())))
            .build());
  }

  /** Finishes every item these streams hold or get until none comes for a while. */
  void finishEverything() {
    Stream janitor = openStream();
    streams.stream().filter(s -> s != janitor).forEach(Stream::cancel);
    List<WorkItem> batch;
    while (!(batch = janitor.drain(Duration.ofMillis(700))).isEmpty()) {
      batch.forEach(this::finishQuietly);
    }
    janitor.cancel();
  }

  private void finishQuietly(WorkItem item) {
    try {
      if (item.hasActivityRequest()) {
        completeActivity(item);
      } else {
        completeOrchestration(item, "\"cleaned up\"");
      }
    } catch (StatusRuntimeException e) {
      // an item whose partition forgot it; nothing is left to finish
    }
  }

  @Override
  public void close() {
    streams.forEach(Stream::cancel);
    channel.shutdownNow();
  }

  // ---- building answers ----

  static OrchestratorResponse.Builder answer(WorkItem item) {
    return OrchestratorResponse.newBuilder()
        .setInstanceId(item.getOrchestratorRequest().getInstanceId())
        .setCompletionToken(item.getCompletionToken());
  }

  static OrchestratorAction scheduleTask(int id, String name) {
    return OrchestratorAction.newBuilder()
        .setId(id)
        .setScheduleTask(ScheduleTaskAction.newBuilder().setName(name))
        .build();
  }

  static String quoted(String text) {
    return "\"" + text + "\"";
  }

  static String instanceOf(WorkItem item) {
    return item.hasOrchestratorRequest()
        ? item.getOrchestratorRequest().getInstanceId()
        : item.getActivityRequest().getOrchestrationInstance().getInstanceId();
  }

  static List<HistoryEvent.EventTypeCase> kinds(List<HistoryEvent> events) {
    return events.stream().map(HistoryEvent::getEventTypeCase).toList();
  }

  static void assertRefused(ThrowingCallable call, Status.Code code, String messagePart) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(code);
              assertThat(e.getStatus().getDescription()).contains(messagePart);
            });
  }

  /** One GetWorkItems stream as the worker sees it. */
  static final class Stream implements ClientResponseObserver<GetWorkItemsRequest, WorkItem> {
    private final boolean reading;
    private final BlockingQueue<WorkItem> items = new LinkedBlockingQueue<>();
    private volatile ClientCallStreamObserver<GetWorkItemsRequest> call;
    private volatile Throwable error;

    private Stream(boolean reading) {
      this.reading = reading;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<GetWorkItemsRequest> requestStream) {
      call = requestStream;
      if (!reading) {
        requestStream.disableAutoRequestWithInitial(0);
      }
    }

    @Override
    public void onNext(WorkItem item) {
      if (!item.hasOrchestratorRequest() && !item.hasActivityRequest()) {
        error = new AssertionError("Expected only orchestrator and activity items, got " + item);
      }
      items.add(item);
    }

    @Override
    public void onError(Throwable t) {
      error = t;
    }

    @Override
    public void onCompleted() {}

    /** The next item, failing the test when none comes in time. */
    WorkItem next() {
      WorkItem item = poll(ITEM_WAIT);
      if (item == null) {
        fail("Expected a work item within %s, but none came (stream error: %s)", ITEM_WAIT, error);
      }
      return item;
    }

    WorkItem poll(Duration wait) {
      try {
        WorkItem item = items.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
        if (error instanceof AssertionError assertion) {
          throw assertion;
        }
        return item;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }

    /** Takes the next n items. */
    List<WorkItem> next(int n) {
      List<WorkItem> taken = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        taken.add(next());
      }
      return taken;
    }

    /** Takes whatever arrives until nothing has come for {@code quiet}. */
    List<WorkItem> drain(Duration quiet) {
      List<WorkItem> taken = new ArrayList<>();
      WorkItem item;
      while ((item = poll(quiet)) != null) {
        taken.add(item);
      }
      return taken;
    }

    void assertNothingWithin(Duration wait) {
      WorkItem item = poll(wait);
      assertThat(item).as("an item that should not have come").isNull();
    }

    Throwable error() {
      return error;
    }

    void cancel() {
      if (call != null) {
        call.cancel("the test closed the stream", null);
      }
    }
  }
}
