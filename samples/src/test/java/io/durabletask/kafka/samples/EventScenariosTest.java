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
import com.microsoft.durabletask.Task;
import com.microsoft.durabletask.TaskCanceledException;
import com.microsoft.durabletask.TaskOrchestrationContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Group A, external events and the timers that race them, through the unchanged Java SDK on a host
 * process on the real path.
 */
class EventScenariosTest {
  private static final String FIRST_THEN_SECOND = "EvtFirstThenSecond";
  private static final String PING = "EvtPing";
  private static final String PONG = "EvtPong";
  private static final String APPROVAL = "EvtApproval";
  private static final String APPROVAL_OR_TIMER = "EvtApprovalOrTimer";
  private static final String TIMER = "EvtTimer";

  private static final int ROUNDS = 3;

  /** Orchestrator invocations, by instance id. */
  private static final ScenarioSupport.Counter invocations = new ScenarioSupport.Counter();

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
    worker = ScenarioSupport.startWorker(host, registerAll(new DurableTaskGrpcWorkerBuilder()));
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

  private static DurableTaskGrpcWorkerBuilder registerAll(DurableTaskGrpcWorkerBuilder builder) {
    return builder
        .addOrchestration(orchestration(FIRST_THEN_SECOND, EventScenariosTest::firstThenSecond))
        .addOrchestration(orchestration(PING, EventScenariosTest::ping))
        .addOrchestration(orchestration(PONG, EventScenariosTest::pong))
        .addOrchestration(orchestration(APPROVAL, EventScenariosTest::approval))
        .addOrchestration(orchestration(APPROVAL_OR_TIMER, EventScenariosTest::approvalOrTimer))
        .addOrchestration(
            orchestration(
                TIMER,
                ctx -> {
                  ctx.createTimer(Duration.ofSeconds(ctx.getInput(Integer.class))).await();
                  ctx.complete("timer fired");
                }));
  }

  private static void firstThenSecond(TaskOrchestrationContext ctx) {
    String first = ctx.waitForExternalEvent("first", String.class).await();
    String second = ctx.waitForExternalEvent("second", String.class).await();
    ctx.complete(first + "+" + second);
  }

  /** Sends "ping" n to the instance in its input and waits for its "pong", ROUNDS times. */
  private static void ping(TaskOrchestrationContext ctx) {
    String partner = ctx.getInput(String.class);
    List<Integer> pongs = new ArrayList<>();
    for (int round = 1; round <= ROUNDS; round++) {
      ctx.sendEvent(partner, "ping", round);
      pongs.add(ctx.waitForExternalEvent("pong", Integer.class).await());
    }
    ctx.complete(pongs.toString());
  }

  /** Answers each "ping" n with "pong" 10·n to the instance in its input. */
  private static void pong(TaskOrchestrationContext ctx) {
    String partner = ctx.getInput(String.class);
    int answered = 0;
    for (int round = 1; round <= ROUNDS; round++) {
      int ping = ctx.waitForExternalEvent("ping", Integer.class).await();
      ctx.sendEvent(partner, "pong", 10 * ping);
      answered++;
    }
    ctx.complete("answered " + answered);
  }

  /** Waits for an "approval" event at most the seconds in its input. */
  private static void approval(TaskOrchestrationContext ctx) {
    Duration timeout = Duration.ofSeconds(ctx.getInput(Integer.class));
    try {
      ctx.complete(
          "approved by " + ctx.waitForExternalEvent("approval", timeout, String.class).await());
    } catch (TaskCanceledException e) {
      ctx.complete("timed out");
    }
  }

  /** Counts its invocations, then races an "approval" event against a 2 s timer. */
  private static void approvalOrTimer(TaskOrchestrationContext ctx) {
    invocations.increment(ctx.getInstanceId());
    Task<String> approval = ctx.waitForExternalEvent("approval", String.class);
    Task<Void> timer = ctx.createTimer(Duration.ofSeconds(2));
    Task<?> winner = ctx.anyOf(approval, timer).await();
    ctx.complete(winner == approval ? "approved by " + approval.await() : "timer won");
  }

  @Test
  void shouldDeliverAnEventRaisedBeforeTheOrchestrationWaitsForIt() throws TimeoutException {
    // given an instance that waits for "first"
    String id = client.scheduleNewOrchestrationInstance(FIRST_THEN_SECOND);
    client.waitForInstanceStart(id, WAIT);

    // when "second" arrives before "first", while nothing waits for it yet
    client.raiseEvent(id, "second", "B");
    client.raiseEvent(id, "first", "A");
    OrchestrationMetadata result = client.waitForInstanceCompletion(id, WAIT, true);

    // then
    assertThat(result.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
    assertThat(result.readOutputAs(String.class)).isEqualTo("A+B");
  }

  @Test
  void shouldLetTwoOrchestrationsExchangeEvents() throws TimeoutException {
    // given
    String pingId = "ping-" + UUID.randomUUID();
    String pongId = "pong-" + UUID.randomUUID();

    // when
    client.scheduleNewOrchestrationInstance(
        PONG, new NewOrchestrationInstanceOptions().setInstanceId(pongId).setInput(pingId));
    client.scheduleNewOrchestrationInstance(
        PING, new NewOrchestrationInstanceOptions().setInstanceId(pingId).setInput(pongId));
    OrchestrationMetadata pinged = client.waitForInstanceCompletion(pingId, WAIT, true);
    OrchestrationMetadata ponged = client.waitForInstanceCompletion(pongId, WAIT, true);

    // then
    assertThat(pinged.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
    assertThat(pinged.readOutputAs(String.class)).isEqualTo("[10, 20, 30]");
    assertThat(ponged.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
    assertThat(ponged.readOutputAs(String.class)).isEqualTo("answered 3");
  }

  @Test
  void shouldLetAnApprovalEventWinOverItsTimer() throws TimeoutException {
    // given an instance that waits 30 s at most
    String id = client.scheduleNewOrchestrationInstance(APPROVAL, 30);
    client.waitForInstanceStart(id, WAIT);

    // when
    client.raiseEvent(id, "approval", "alice");
    OrchestrationMetadata result = client.waitForInstanceCompletion(id, WAIT, true);

    // then it completed long before the timer
    assertThat(result.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
    assertThat(result.readOutputAs(String.class)).isEqualTo("approved by alice");
    assertThat(Duration.between(result.getCreatedAt(), result.getLastUpdatedAt()))
        .isLessThan(Duration.ofSeconds(30));
  }

  @Test
  void shouldTimeOutWhenNoApprovalArrivesBeforeTheTimer() throws TimeoutException {
    // given
    String id = client.scheduleNewOrchestrationInstance(APPROVAL, 1);

    // when no event is raised
    OrchestrationMetadata result = client.waitForInstanceCompletion(id, WAIT, true);

    // then
    assertThat(result.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
    assertThat(result.readOutputAs(String.class)).isEqualTo("timed out");
    assertThat(result.getLastUpdatedAt()).isAfterOrEqualTo(result.getCreatedAt().plusSeconds(1));
  }

  @Test
  void shouldDropAnEventAndATimerThatArriveAfterCompletion() throws TimeoutException {
    // given an instance completed by its approval, with its 2 s timer still to come
    String id = client.scheduleNewOrchestrationInstance(APPROVAL_OR_TIMER);
    client.waitForInstanceStart(id, WAIT);
    client.raiseEvent(id, "approval", "bob");
    OrchestrationMetadata completed = client.waitForInstanceCompletion(id, WAIT, true);
    int invocationsAtCompletion = invocations.get(id);

    // when another event arrives, and the timer comes due: a later instance's 3 s timer fires
    // after it, and runs on the same single-threaded SDK worker
    client.raiseEvent(id, "approval", "too late");
    String later = client.scheduleNewOrchestrationInstance(TIMER, 3);
    OrchestrationMetadata laterResult = client.waitForInstanceCompletion(later, WAIT, true);

    // then the completed instance never ran again, and the worker kept working
    assertThat(completed.readOutputAs(String.class)).isEqualTo("approved by bob");
    assertThat(laterResult.readOutputAs(String.class)).isEqualTo("timer fired");
    assertThat(invocations.get(id)).isEqualTo(invocationsAtCompletion);
    OrchestrationMetadata after = client.getInstanceMetadata(id, true);
    assertThat(after.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
    assertThat(after.readOutputAs(String.class)).isEqualTo("approved by bob");
    assertThat(after.getLastUpdatedAt()).isEqualTo(completed.getLastUpdatedAt());
  }
}
