package io.durabletask.kafka.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.StringValue;
import io.durabletask.kafka.engine.EngineConfig.ClientRouting;
import io.durabletask.kafka.protocol.CompleteOrchestrationAction;
import io.durabletask.kafka.protocol.CreateInstanceRequest;
import io.durabletask.kafka.protocol.GetInstanceRequest;
import io.durabletask.kafka.protocol.GetInstanceResponse;
import io.durabletask.kafka.protocol.GetWorkItemsRequest;
import io.durabletask.kafka.protocol.HistoryEvent;
import io.durabletask.kafka.protocol.OrchestrationState;
import io.durabletask.kafka.protocol.OrchestrationStatus;
import io.durabletask.kafka.protocol.OrchestratorAction;
import io.durabletask.kafka.protocol.OrchestratorRequest;
import io.durabletask.kafka.protocol.OrchestratorResponse;
import io.durabletask.kafka.protocol.TaskHubSidecarServiceGrpc;
import io.durabletask.kafka.protocol.TaskHubSidecarServiceGrpc.TaskHubSidecarServiceBlockingStub;
import io.durabletask.kafka.protocol.WorkItem;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
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
 * Scenario largePayloads: inputs and outputs of 5 MB, far above the broker's 1 MB records, through
 * a host on the embedded broker and local files, driven over our own gRPC stubs.
 */
class LargePayloadTest {

  private static final int FIVE_MB = 5 * 1024 * 1024;
  private static final int CLIENT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

  @TempDir static Path dataDir;

  private static Host host;
  private static ManagedChannel channel;
  private static TaskHubSidecarServiceBlockingStub client;
  private static EchoWorker worker;

  @BeforeAll
  static void startHost() {
    // Through Kafka, which is where values too large for one record go to the large-record store.
    host =
        Host.start(
            HostConfig.defaults(dataDir)
                .withPort(0)
                .withPartitionCount(4)
                .withClientRouting(ClientRouting.TRANSPORT));
    channel =
        ManagedChannelBuilder.forAddress(HostConfig.DEFAULT_ADDRESS, host.port())
            .usePlaintext()
            .maxInboundMessageSize(CLIENT_MAX_MESSAGE_BYTES)
            .build();
    client = TaskHubSidecarServiceGrpc.newBlockingStub(channel);
    worker = EchoWorker.connect(channel);
  }

  @AfterAll
  static void stopHost() throws InterruptedException {
    worker.close();
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    host.close();
  }

  @Test
  void shouldRoundTripAFiveMegabyteInputAndOutputExactly() {
    // given
    String input = jsonString(FIVE_MB, 1);

    // when
    client.startInstance(start("large-echo", input));
    GetInstanceResponse completed =
        client
            .withDeadlineAfter(60, TimeUnit.SECONDS)
            .waitForInstanceCompletion(query("large-echo"));
    GetInstanceResponse read = client.getInstance(query("large-echo"));

    // then
    assertThat(worker.failures()).isEmpty();
    OrchestrationState state = completed.getOrchestrationState();
    assertThat(state.getOrchestrationStatus())
        .isEqualTo(OrchestrationStatus.ORCHESTRATION_STATUS_COMPLETED);
    assertThat(utf8Length(state.getOutput().getValue())).isEqualTo(FIVE_MB);
    assertThat(state.getOutput().getValue()).isEqualTo(input);
    assertThat(read.getOrchestrationState().getInput().getValue()).isEqualTo(input);
    assertThat(read.getOrchestrationState().getOutput().getValue()).isEqualTo(input);
    assertThat(largeRecordsStored()).isPositive();
  }

  @Test
  void shouldRefuseAnInputAboveThePayloadLimitNamingBothSizes() {
    // given
    int limit = host.config().maxPayloadBytes();
    String input = jsonString(limit + 1, 2);

    // when / then
    assertThatThrownBy(() -> client.startInstance(start("too-large", input)))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED))
        .hasMessageContaining("Expected the input to be at most " + limit + " bytes")
        .hasMessageContaining("but it is " + (limit + 1));
    assertThat(client.getInstance(query("too-large")).getExists()).isFalse();
  }

  @Test
  void shouldRefuseToStartWhenAPayloadCannotFitInAMessage() {
    // given
    HostConfig config =
        HostConfig.defaults(dataDir.resolve("misfit")).withPort(0).withPayloadLimits(2048, 1024);

    // when / then
    assertThatThrownBy(() -> Host.start(config))
        .isInstanceOf(HostStartupException.class)
        .hasMessageContaining("the payload limit is 2048 bytes and the message limit 1024 bytes")
        .hasMessageContaining("--max-message-bytes");
  }

  private static CreateInstanceRequest start(String instanceId, String input) {
    return CreateInstanceRequest.newBuilder()
        .setInstanceId(instanceId)
        .setName("Echo")
        .setInput(StringValue.of(input))
        .build();
  }

  private static GetInstanceRequest query(String instanceId) {
    return GetInstanceRequest.newBuilder()
        .setInstanceId(instanceId)
        .setGetInputsAndOutputs(true)
        .build();
  }

  /** A JSON string literal of exactly {@code bytes} UTF-8 bytes, of seeded random letters. */
  private static String jsonString(int bytes, long seed) {
    Random random = new Random(seed);
    StringBuilder text = new StringBuilder(bytes).append('"');
    for (int i = 2; i < bytes; i++) {
      text.append((char) ('a' + random.nextInt(26)));
    }
    return text.append('"').toString();
  }

  private static int utf8Length(String text) {
    return text.getBytes(StandardCharsets.UTF_8).length;
  }

  private static long largeRecordsStored() {
    Path folder = dataDir.resolve("hubs").resolve(HostConfig.DEFAULT_HUB).resolve("large");
    try (Stream<Path> files = Files.walk(folder)) {
      return files.filter(Files::isRegularFile).count();
    } catch (IOException e) {
      throw new IllegalStateException("Expected to list " + folder + ", but: " + e, e);
    }
  }

  /** A scripted worker: every orchestration completes with its input as its output. */
  private static final class EchoWorker implements StreamObserver<WorkItem> {
    private final TaskHubSidecarServiceBlockingStub stub;
    private final ExecutorService completions = Executors.newSingleThreadExecutor();
    private final List<Throwable> failures = new CopyOnWriteArrayList<>();

    private EchoWorker(ManagedChannel channel) {
      this.stub = TaskHubSidecarServiceGrpc.newBlockingStub(channel);
    }

    static EchoWorker connect(ManagedChannel channel) {
      EchoWorker worker = new EchoWorker(channel);
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

    List<Throwable> failures() {
      return List.copyOf(failures);
    }

    void close() {
      completions.shutdownNow();
    }

    private void complete(WorkItem item) {
      OrchestratorRequest request = item.getOrchestratorRequest();
      CompleteOrchestrationAction echo =
          CompleteOrchestrationAction.newBuilder()
              .setOrchestrationStatus(OrchestrationStatus.ORCHESTRATION_STATUS_COMPLETED)
              .setResult(StringValue.of(inputOf(request)))
              .build();
      try {
        stub.completeOrchestratorTask(
            OrchestratorResponse.newBuilder()
                .setInstanceId(request.getInstanceId())
                .setCompletionToken(item.getCompletionToken())
                .addActions(OrchestratorAction.newBuilder().setId(0).setCompleteOrchestration(echo))
                .build());
      } catch (RuntimeException e) {
        failures.add(e);
      }
    }

    private static String inputOf(OrchestratorRequest request) {
      return Stream.concat(
              request.getPastEventsList().stream(), request.getNewEventsList().stream())
          .filter(HistoryEvent::hasExecutionStarted)
          .map(event -> event.getExecutionStarted().getInput().getValue())
          .findFirst()
          .orElseThrow();
    }
  }
}
