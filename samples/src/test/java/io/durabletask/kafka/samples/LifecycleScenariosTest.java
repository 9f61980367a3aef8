package io.durabletask.kafka.samples;

import static io.durabletask.kafka.samples.ScenarioSupport.WAIT;
import static io.durabletask.kafka.samples.ScenarioSupport.activity;
import static io.durabletask.kafka.samples.ScenarioSupport.orchestration;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.microsoft.durabletask.DurableTaskClient;
import com.microsoft.durabletask.DurableTaskGrpcClientBuilder;
import com.microsoft.durabletask.DurableTaskGrpcWorkerBuilder;
import com.microsoft.durabletask.NewOrchestrationInstanceOptions;
import com.microsoft.durabletask.OrchestrationMetadata;
import com.microsoft.durabletask.OrchestrationRuntimeStatus;
import com.microsoft.durabletask.TaskOrchestrationContext;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Group A, the life cycle of an instance as a client drives it through the unchanged Java SDK:
 * terminate, suspend and resume, custom status, starting over an existing id, waits that time out,
 * and a worker that goes away mid-work-item. Each test gets a fresh worker, so the worker test can
 * run without it.
 */
class LifecycleScenariosTest {
  private static final String WAIT_FOR_GO = "LifeWaitForGo";
  private static final String CUSTOM_STATUS = "LifeCustomStatus";
  private static final String ECHO_OR_FAIL = "LifeEchoOrFail";
  private static final String CALL_BLOCKING = "LifeCallBlocking";
  private static final String BLOCKING = "LifeBlocking";

  @TempDir static Path dataRoot;
  private static HostProcess host;
  private static DurableTaskClient client;
  private ScenarioSupport.Worker worker;

  static {
    ScenarioSupport.useSdkGeneratedProtobufClasses();
  }

  @BeforeAll
  static void startHost() {
    host = HostProcess.start(dataRoot.resolve("data"));
    client = new DurableTaskGrpcClientBuilder().port(host.port()).build();
  }

  @AfterAll
  static void stopHost() {
    if (client != null) {
      client.close();
    }
    if (host != null) {
      host.close();
    }
  }

  @BeforeEach
  void startWorker() {
    worker = ScenarioSupport.startWorker(host, registerAll(new DurableTaskGrpcWorkerBuilder()));
  }

  @AfterEach
  void stopWorker() {
    worker.close();
  }

  private static DurableTaskGrpcWorkerBuilder registerAll(DurableTaskGrpcWorkerBuilder builder) {
    return registerAll(builder, "shared", new CountDownLatch(0), new CountDownLatch(0));
  }

  /**
   * Registers every orchestration of this class. {@link #BLOCKING} answers with the worker's label,
   * after counting down {@code entered} and waiting for {@code release}.
   */
  private static DurableTaskGrpcWorkerBuilder registerAll(
      DurableTaskGrpcWorkerBuilder builder,
      String label,
      CountDownLatch entered,
      CountDownLatch release) {
    return builder
        .addOrchestration(
            orchestration(
                WAIT_FOR_GO,
                ctx ->
                    ctx.complete(
                        ctx.getInput(String.class)
                            + " then "
                            + ctx.waitForExternalEvent("go", String.class).await())))
        .addOrchestration(orchestration(CUSTOM_STATUS, LifecycleScenariosTest::customStatus))
        .addOrchestration(orchestration(ECHO_OR_FAIL, LifecycleScenariosTest::echoOrFail))
        .addOrchestration(
            orchestration(
                CALL_BLOCKING,
                ctx -> ctx.complete(ctx.callActivity(BLOCKING, null, String.class).await())))
        .addActivity(
            activity(
                BLOCKING,
                ctx -> {
                  entered.countDown();
                  awaitQuietly(release);
                  return "done by " + label;
                }));
  }

  private static void customStatus(TaskOrchestrationContext ctx) {
    ctx.setCustomStatus("waiting for approval");
    ctx.waitForExternalEvent("approve").await();
    ctx.clearCustomStatus();
    ctx.waitForExternalEvent("finish").await();
    ctx.complete("finished");
  }

  private static void echoOrFail(TaskOrchestrationContext ctx) {
    String input = ctx.getInput(String.class);
    if (input.startsWith("fail")) {
      throw new IllegalStateException("told to " + input);
    }
    ctx.complete("echo " + input);
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(2, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void shouldTerminateARunningInstanceWithTheReasonAsOutput() throws TimeoutException {
    // given
    String id = client.scheduleNewOrchestrationInstance(WAIT_FOR_GO, "started");
    client.waitForInstanceStart(id, WAIT);

    // when
    client.terminate(id, "stopped by the test");
    OrchestrationMetadata result = client.waitForInstanceCompletion(id, WAIT, true);

    // then
    assertThat(result.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.TERMINATED);
    assertThat(result.readOutputAs(String.class)).isEqualTo("stopped by the test");
  }

  @Test
  void shouldHoldEventsWhileSuspendedAndProcessThemAfterResume() throws TimeoutException {
    // given a running instance that waits for "go"
    String id = client.scheduleNewOrchestrationInstance(WAIT_FOR_GO, "started");
    client.waitForInstanceStart(id, WAIT);

    // when it is suspended and "go" arrives
    client.suspendInstance(id, "hold on");
    await().atMost(WAIT).until(() -> statusOf(id) == OrchestrationRuntimeStatus.SUSPENDED);
    client.raiseEvent(id, "go", "resumed");

    // then the event waits
    assertThatThrownBy(() -> client.waitForInstanceCompletion(id, Duration.ofSeconds(2), false))
        .isInstanceOf(TimeoutException.class);
    assertThat(statusOf(id)).isEqualTo(OrchestrationRuntimeStatus.SUSPENDED);

    // and once resumed, it is processed
    client.resumeInstance(id, "go on");
    OrchestrationMetadata result = client.waitForInstanceCompletion(id, WAIT, true);
    assertThat(result.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
    assertThat(result.readOutputAs(String.class)).isEqualTo("started then resumed");
  }

  @Test
  void shouldSetReadAndClearTheCustomStatus() throws TimeoutException {
    // given
    String id = client.scheduleNewOrchestrationInstance(CUSTOM_STATUS);

    // when it starts, the status it set is committed with RUNNING
    OrchestrationMetadata started = client.waitForInstanceStart(id, WAIT, true);
    assertThat(started.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.RUNNING);
    assertThat(started.readCustomStatusAs(String.class)).isEqualTo("waiting for approval");

    // when approved, it clears the status while it still runs
    client.raiseEvent(id, "approve");
    await().atMost(WAIT).until(() -> !client.getInstanceMetadata(id, true).isCustomStatusFetched());
    assertThat(statusOf(id)).isEqualTo(OrchestrationRuntimeStatus.RUNNING);

    // then it finishes without a custom status
    client.raiseEvent(id, "finish");
    OrchestrationMetadata result = client.waitForInstanceCompletion(id, WAIT, true);
    assertThat(result.readOutputAs(String.class)).isEqualTo("finished");
    assertThat(result.isCustomStatusFetched()).isFalse();
  }

  @Test
  void shouldStartOverACompletedFailedOrTerminatedInstance() throws TimeoutException {
    // given one instance id in each terminal status
    String completed = startAndWait(ECHO_OR_FAIL, "completed-" + UUID.randomUUID(), "one");
    String failed = startAndWait(ECHO_OR_FAIL, "failed-" + UUID.randomUUID(), "fail please");
    String terminated = "terminated-" + UUID.randomUUID();
    start(WAIT_FOR_GO, terminated, "waiting");
    client.waitForInstanceStart(terminated, WAIT);
    client.terminate(terminated, "enough");
    OrchestrationMetadata before = client.waitForInstanceCompletion(terminated, WAIT, false);
    assertThat(statusOf(completed)).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
    assertThat(statusOf(failed)).isEqualTo(OrchestrationRuntimeStatus.FAILED);
    assertThat(before.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.TERMINATED);

    // when each id is started again
    start(ECHO_OR_FAIL, completed, "two");
    start(ECHO_OR_FAIL, failed, "three");
    start(ECHO_OR_FAIL, terminated, "four");

    // then each runs anew to its new output
    assertThat(outputOf(completed)).isEqualTo("echo two");
    assertThat(outputOf(failed)).isEqualTo("echo three");
    OrchestrationMetadata again = client.waitForInstanceCompletion(terminated, WAIT, true);
    assertThat(again.readOutputAs(String.class)).isEqualTo("echo four");
    assertThat(again.getName()).isEqualTo(ECHO_OR_FAIL);
    assertThat(again.getCreatedAt()).isAfterOrEqualTo(before.getCreatedAt());
    assertThat(client.restartInstance(completed, false)).isEqualTo(completed);
    assertThat(client.waitForInstanceCompletion(completed, WAIT, false).getRuntimeStatus())
        .isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
  }

  @Test
  void shouldRefuseToStartOverARunningInstance() throws TimeoutException {
    // given
    String id = "running-" + UUID.randomUUID();
    start(WAIT_FOR_GO, id, "first");
    client.waitForInstanceStart(id, WAIT);

    // when / then the 1.5.0 client sends no reuse policy, and the start is refused
    assertThatThrownBy(() -> start(WAIT_FOR_GO, id, "second"))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS));

    // and the running instance is untouched
    client.raiseEvent(id, "go", "go");
    OrchestrationMetadata result = client.waitForInstanceCompletion(id, WAIT, true);
    assertThat(result.readOutputAs(String.class)).isEqualTo("first then go");
  }

  @Test
  void shouldTimeOutWaitingForAStartThatIsScheduledLater() {
    // given an instance scheduled an hour from now
    String id =
        client.scheduleNewOrchestrationInstance(
            ECHO_OR_FAIL,
            new NewOrchestrationInstanceOptions()
                .setInput("later")
                .setStartTime(Instant.now().plus(Duration.ofHours(1))));

    // when / then
    assertThatThrownBy(() -> client.waitForInstanceStart(id, Duration.ofSeconds(1)))
        .isInstanceOf(TimeoutException.class);
    assertThat(statusOf(id)).isEqualTo(OrchestrationRuntimeStatus.PENDING);
  }

  @Test
  void shouldTimeOutWaitingForACompletionThatDoesNotCome() throws TimeoutException {
    // given an instance that waits for "go"
    String id = client.scheduleNewOrchestrationInstance(WAIT_FOR_GO, "started");
    client.waitForInstanceStart(id, WAIT);

    // when / then
    assertThatThrownBy(() -> client.waitForInstanceCompletion(id, Duration.ofSeconds(1), false))
        .isInstanceOf(TimeoutException.class);

    // and a later wait still sees the completion
    client.raiseEvent(id, "go", "go");
    assertThat(client.waitForInstanceCompletion(id, WAIT, true).readOutputAs(String.class))
        .isEqualTo("started then go");
  }

  @Test
  void shouldHandAnActivityOfAClosedWorkerToTheNextWorker() throws Exception {
    // given only worker A, whose activity blocks
    worker.close();
    CountDownLatch enteredA = new CountDownLatch(1);
    CountDownLatch releaseA = new CountDownLatch(1);
    ScenarioSupport.Worker workerA =
        ScenarioSupport.startWorker(
            host, registerAll(new DurableTaskGrpcWorkerBuilder(), "A", enteredA, releaseA));
    try {
      String id = client.scheduleNewOrchestrationInstance(CALL_BLOCKING);
      assertThat(enteredA.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();

      // when A's stream closes mid-activity and worker B connects
      workerA.close();
      worker =
          ScenarioSupport.startWorker(
              host,
              registerAll(
                  new DurableTaskGrpcWorkerBuilder(),
                  "B",
                  new CountDownLatch(0),
                  new CountDownLatch(0)));

      // then B runs the activity and the instance completes
      OrchestrationMetadata result = client.waitForInstanceCompletion(id, WAIT, true);
      assertThat(result.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
      assertThat(result.readOutputAs(String.class)).isEqualTo("done by B");
    } finally {
      releaseA.countDown();
      workerA.close();
    }
  }

  private static String start(String name, String id, String input) {
    return client.scheduleNewOrchestrationInstance(
        name, new NewOrchestrationInstanceOptions().setInstanceId(id).setInput(input));
  }

  private static String startAndWait(String name, String id, String input) throws TimeoutException {
    start(name, id, input);
    client.waitForInstanceCompletion(id, WAIT, false);
    return id;
  }

  private static OrchestrationRuntimeStatus statusOf(String id) {
    return client.getInstanceMetadata(id, false).getRuntimeStatus();
  }

  private static String outputOf(String id) throws TimeoutException {
    return client.waitForInstanceCompletion(id, WAIT, true).readOutputAs(String.class);
  }
}
