package io.durabletask.kafka.host;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.StringValue;
import com.google.protobuf.Timestamp;
import io.durabletask.kafka.protocol.CompleteOrchestrationAction;
import io.durabletask.kafka.protocol.CreateInstanceRequest;
import io.durabletask.kafka.protocol.CreateTimerAction;
import io.durabletask.kafka.protocol.GetInstanceRequest;
import io.durabletask.kafka.protocol.GetInstanceResponse;
import io.durabletask.kafka.protocol.GetWorkItemsRequest;
import io.durabletask.kafka.protocol.HistoryEvent;
import io.durabletask.kafka.protocol.OrchestrationStatus;
import io.durabletask.kafka.protocol.OrchestratorAction;
import io.durabletask.kafka.protocol.OrchestratorRequest;
import io.durabletask.kafka.protocol.OrchestratorResponse;
import io.durabletask.kafka.protocol.TaskHubSidecarServiceGrpc;
import io.durabletask.kafka.protocol.TaskHubSidecarServiceGrpc.TaskHubSidecarServiceBlockingStub;
import io.durabletask.kafka.protocol.WorkItem;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scenario longTimer: a timer 60 days out, beyond any 32-bit millisecond limit, is accepted and
 * fires once the host's clock reaches it; the clock is moved through the clock-offset file.
 */
class TestClockTimerTest {

  private static final Duration SIXTY_DAYS = Duration.ofDays(60);

  @TempDir static Path dataDir;

  private static Path offsetFile;
  private static Host host;
  private static ManagedChannel channel;
  private static TaskHubSidecarServiceBlockingStub client;
  private static TimerWorker worker;

  @BeforeAll
  static void startHost() throws IOException {
    offsetFile = dataDir.resolve("clock-offset");
    Files.writeString(offsetFile, "0");
    host =
        Host.start(
            HostConfig.defaults(dataDir.resolve("host"))
                .withPort(0)
                .withPartitionCount(4)
                .withClockOffsetFile(offsetFile));
    channel =
        ManagedChannelBuilder.forAddress(HostConfig.DEFAULT_ADDRESS, host.port())
            .usePlaintext()
            .build();
    client = TaskHubSidecarServiceGrpc.newBlockingStub(channel);
    worker = TimerWorker.connect(channel);
  }

  @AfterAll
  static void stopHost() throws InterruptedException {
    worker.close();
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    host.close();
  }

  @Test
  void shouldFireATimerSixtyDaysOutOnceTheClockOffsetReachesIt() throws Exception {
    // given
    client.startInstance(
        CreateInstanceRequest.newBuilder().setInstanceId("long-timer").setName("Wait").build());
    awaitTimerCreated();
    Thread.sleep(1_500);
    assertThat(statusOf("long-timer")).isEqualTo(OrchestrationStatus.ORCHESTRATION_STATUS_RUNNING);

    // when
    Files.writeString(offsetFile, String.valueOf(SIXTY_DAYS.plusMinutes(1).toMillis()));
    GetInstanceResponse completed =
        client
            .withDeadlineAfter(30, TimeUnit.SECONDS)
            .waitForInstanceCompletion(
                GetInstanceRequest.newBuilder()
                    .setInstanceId("long-timer")
                    .setGetInputsAndOutputs(true)
                    .build());

    // then
    assertThat(worker.failures()).isEmpty();
    assertThat(completed.getOrchestrationState().getOrchestrationStatus())
        .isEqualTo(OrchestrationStatus.ORCHESTRATION_STATUS_COMPLETED);
    assertThat(completed.getOrchestrationState().getOutput().getValue()).isEqualTo("\"fired\"");
    assertThat(worker.firedAt()).isEqualTo(worker.requestedFireAt());
  }

  private static void awaitTimerCreated() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (worker.requestedFireAt() == null) {
      assertThat(System.nanoTime()).as("time to create the timer").isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  private static OrchestrationStatus statusOf(String instanceId) {
    return client
        .getInstance(GetInstanceRequest.newBuilder().setInstanceId(instanceId).build())
        .getOrchestrationState()
        .getOrchestrationStatus();
  }

  /**
   * A scripted worker: the first episode creates a timer 60 days after the episode's time, the
   * episode that receives the timer completes with "fired".
   */
  private static final class TimerWorker implements StreamObserver<WorkItem> {
    private final TaskHubSidecarServiceBlockingStub stub;
    private final ExecutorService completions = Executors.newSingleThreadExecutor();
    private final List<Throwable> failures = new CopyOnWriteArrayList<>();
    private volatile Timestamp requestedFireAt;
    private volatile Timestamp firedAt;

    private TimerWorker(ManagedChannel channel) {
      this.stub = TaskHubSidecarServiceGrpc.newBlockingStub(channel);
    }

    static TimerWorker connect(ManagedChannel channel) {
      TimerWorker worker = new TimerWorker(channel);
      TaskHubSidecarServiceGrpc.newStub(channel)
          .getWorkItems(GetWorkItemsRequest.getDefaultInstance(), worker);
      return worker;
    }

    @Override
    public void onNext(WorkItem item) {
      if (item.hasOrchestratorRequest()) {
        completions.execute(() -> complete(item));
      }
    }

    @Override
    public void onError(Throwable error) {
      if (!completions.isShutdown()) {
        failures.add(error);
      }
    }

    @Override
    public void onCompleted() {}

    Timestamp requestedFireAt() {
      return requestedFireAt;
    }

    Timestamp firedAt() {
      return firedAt;
    }

    List<Throwable> failures() {
      return List.copyOf(failures);
    }

    void close() {
      completions.shutdownNow();
    }

    private void complete(WorkItem item) {
      OrchestratorRequest request = item.getOrchestratorRequest();
      Optional<HistoryEvent> fired =
          events(request).filter(HistoryEvent::hasTimerFired).findFirst();
      OrchestratorAction action =
          fired.isPresent() ? completeFired(fired.get()) : createTimer(request);
      try {
        stub.completeOrchestratorTask(
            OrchestratorResponse.newBuilder()
                .setInstanceId(request.getInstanceId())
                .setCompletionToken(item.getCompletionToken())
                .addActions(action)
                .build());
      } catch (RuntimeException e) {
        failures.add(e);
      }
    }

    private OrchestratorAction createTimer(OrchestratorRequest request) {
      Timestamp episodeTime =
          events(request)
              .filter(HistoryEvent::hasOrchestratorStarted)
              .findFirst()
              .orElseThrow()
              .getTimestamp();
      Timestamp fireAt =
          episodeTime.toBuilder()
              .setSeconds(episodeTime.getSeconds() + SIXTY_DAYS.toSeconds())
              .build();
      requestedFireAt = fireAt;
      return OrchestratorAction.newBuilder()
          .setId(0)
          .setCreateTimer(CreateTimerAction.newBuilder().setFireAt(fireAt))
          .build();
    }

    private OrchestratorAction completeFired(HistoryEvent timerFired) {
      firedAt = timerFired.getTimerFired().getFireAt();
      return OrchestratorAction.newBuilder()
          .setId(1)
          .setCompleteOrchestration(
              CompleteOrchestrationAction.newBuilder()
                  .setOrchestrationStatus(OrchestrationStatus.ORCHESTRATION_STATUS_COMPLETED)
                  .setResult(StringValue.of("\"fired\"")))
          .build();
    }

    private static Stream<HistoryEvent> events(OrchestratorRequest request) {
      return Stream.concat(
          request.getPastEventsList().stream(), request.getNewEventsList().stream());
    }
  }
}
