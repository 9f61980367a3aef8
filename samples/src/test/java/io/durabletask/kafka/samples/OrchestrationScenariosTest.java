package io.durabletask.kafka.samples;

import static io.durabletask.kafka.samples.ScenarioSupport.WAIT;
import static io.durabletask.kafka.samples.ScenarioSupport.activity;
import static io.durabletask.kafka.samples.ScenarioSupport.orchestration;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.durabletask.DurableTaskClient;
import com.microsoft.durabletask.DurableTaskGrpcClientBuilder;
import com.microsoft.durabletask.DurableTaskGrpcWorkerBuilder;
import com.microsoft.durabletask.OrchestrationMetadata;
import com.microsoft.durabletask.OrchestrationRuntimeStatus;
import com.microsoft.durabletask.RetryPolicy;
import com.microsoft.durabletask.Task;
import com.microsoft.durabletask.TaskFailedException;
import com.microsoft.durabletask.TaskOptions;
import com.microsoft.durabletask.TaskOrchestrationContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Group A, orchestration semantics through the unchanged Java SDK: activities in order and in
 * parallel, sub-orchestrations, failures, retries and continue-as-new, on a host process on the
 * real path (embedded Kafka broker, local page files).
 */
class OrchestrationScenariosTest {
  private static final String HELLO = "OrchHello";
  private static final String SINGLE_ACTIVITY = "OrchSingleActivity";
  private static final String CHAIN = "OrchChain";
  private static final String FAN_OUT = "OrchFanOut";
  private static final String DOUBLE_FAN_OUT = "OrchDoubleFanOut";
  private static final String PARENT = "OrchParent";
  private static final String CHILD = "OrchChild";
  private static final String PARENT_OF_NAMED_CHILD = "OrchParentOfNamedChild";
  private static final String SLEEPER = "OrchSleeper";
  private static final String FAILING_ACTIVITY_CALLER = "OrchFailingActivityCaller";
  private static final String RETRYING = "OrchRetrying";
  private static final String COUNT_BY_CONTINUE_AS_NEW = "OrchCountByContinueAsNew";
  private static final String COUNT_EVENTS_BY_CONTINUE_AS_NEW = "OrchCountEventsByContinueAsNew";

  private static final String APPEND = "OrchAppend";
  private static final String SQUARE = "OrchSquare";
  private static final String DOUBLE = "OrchDouble";
  private static final String FAIL = "OrchFail";
  private static final String FLAKY = "OrchFlaky";
  private static final String TICK = "OrchTick";
  private static final String ECHO = "OrchEcho";

  /** Executions of {@link #SQUARE}, by input. */
  private static final ScenarioSupport.Counter squares = new ScenarioSupport.Counter();

  /** Attempts of {@link #FLAKY}, by the instance id it was given. */
  private static final ScenarioSupport.Counter flakyAttempts = new ScenarioSupport.Counter();

  /** Executions of {@link #TICK}, by the instance id it was given. */
  private static final ScenarioSupport.Counter ticks = new ScenarioSupport.Counter();

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
        .addOrchestration(orchestration(HELLO, ctx -> ctx.complete(hello(ctx))))
        .addOrchestration(
            orchestration(
                SINGLE_ACTIVITY,
                ctx ->
                    ctx.complete(
                        ctx.callActivity(APPEND, ctx.getInput(String.class), String.class)
                            .await())))
        .addOrchestration(orchestration(CHAIN, OrchestrationScenariosTest::chain))
        .addOrchestration(orchestration(FAN_OUT, ctx -> ctx.complete(sumOfSquares(ctx, 1, 0))))
        .addOrchestration(orchestration(DOUBLE_FAN_OUT, OrchestrationScenariosTest::doubleFanOut))
        .addOrchestration(orchestration(PARENT, OrchestrationScenariosTest::parent))
        .addOrchestration(orchestration(CHILD, OrchestrationScenariosTest::child))
        .addOrchestration(
            orchestration(PARENT_OF_NAMED_CHILD, OrchestrationScenariosTest::parentOfNamedChild))
        .addOrchestration(
            orchestration(SLEEPER, ctx -> ctx.createTimer(Duration.ofHours(1)).await()))
        .addOrchestration(
            orchestration(
                FAILING_ACTIVITY_CALLER,
                ctx -> ctx.complete(ctx.callActivity(FAIL, "boom", String.class).await())))
        .addOrchestration(orchestration(RETRYING, OrchestrationScenariosTest::retrying))
        .addOrchestration(
            orchestration(COUNT_BY_CONTINUE_AS_NEW, OrchestrationScenariosTest::countByTicks))
        .addOrchestration(
            orchestration(
                COUNT_EVENTS_BY_CONTINUE_AS_NEW, OrchestrationScenariosTest::countByEvents))
        .addActivity(activity(APPEND, ctx -> appendStep(ctx.getInput(String.class))))
        .addActivity(activity(SQUARE, ctx -> square(ctx.getInput(Integer.class))))
        .addActivity(activity(DOUBLE, ctx -> 2L * ctx.getInput(Long.class)))
        .addActivity(
            activity(
                FAIL,
                ctx -> {
                  throw new IllegalStateException("activity says " + ctx.getInput(String.class));
                }))
        .addActivity(activity(FLAKY, ctx -> flaky(ctx.getInput(String.class))))
        .addActivity(activity(TICK, ctx -> tick(ctx.getInput(String.class))))
        .addActivity(activity(ECHO, ctx -> ctx.getInput(String.class)));
  }

  private static String hello(TaskOrchestrationContext ctx) {
    return "Hello, " + ctx.getInput(String.class).toUpperCase() + "!";
  }

  /** Appends ".1" … ".n" to its input, each step in its own activity. */
  private static void chain(TaskOrchestrationContext ctx) {
    String value = "start";
    for (int i = 0; i < 5; i++) {
      value = ctx.callActivity(APPEND, value, String.class).await();
    }
    ctx.complete(value);
  }

  private static String appendStep(String value) {
    int steps = value.split("\\.", -1).length - 1;
    return value + "." + (steps + 1);
  }

  /** Squares {@code offset+1 .. offset+n} in parallel activities; n is the input. */
  private static long sumOfSquares(TaskOrchestrationContext ctx, int inputDivisor, int offset) {
    int n = ctx.getInput(Integer.class) / inputDivisor;
    List<Task<Long>> tasks = new ArrayList<>(n);
    for (int i = 1; i <= n; i++) {
      tasks.add(ctx.callActivity(SQUARE, offset + i, Long.class));
    }
    return ctx.allOf(tasks).await().stream().mapToLong(Long::longValue).sum();
  }

  /** Squares 1..n in parallel, then doubles each of n values in a second fan-out. */
  private static void doubleFanOut(TaskOrchestrationContext ctx) {
    long firstSum = sumOfSquares(ctx, 1, 10_000);
    List<Task<Long>> doubled = new ArrayList<>();
    for (int i = 0; i < ctx.getInput(Integer.class); i++) {
      doubled.add(ctx.callActivity(DOUBLE, firstSum + i, Long.class));
    }
    ctx.complete(ctx.allOf(doubled).await().stream().mapToLong(Long::longValue).sum());
  }

  private static long square(int value) {
    squares.increment(Integer.toString(value));
    return (long) value * value;
  }

  /** Calls {@link #CHILD} with its input and reports the result, or the child's failure. */
  private static void parent(TaskOrchestrationContext ctx) {
    String input = ctx.getInput(String.class);
    try {
      ctx.complete("child said " + ctx.callSubOrchestrator(CHILD, input, String.class).await());
    } catch (TaskFailedException e) {
      ctx.complete(
          "child failed: "
              + e.getErrorDetails().getErrorType()
              + ": "
              + e.getErrorDetails().getErrorMessage());
    }
  }

  /** Calls {@link #CHILD} under the instance id given as input, and reports how that went. */
  private static void parentOfNamedChild(TaskOrchestrationContext ctx) {
    String childId = ctx.getInput(String.class);
    try {
      ctx.complete(
          "child said " + ctx.callSubOrchestrator(CHILD, "sub", childId, String.class).await());
    } catch (TaskFailedException e) {
      ctx.complete(
          "child failed: "
              + e.getErrorDetails().getErrorType()
              + ": "
              + e.getErrorDetails().getErrorMessage());
    }
  }

  private static void child(TaskOrchestrationContext ctx) {
    String input = ctx.getInput(String.class);
    if (input.startsWith("fail")) {
      throw new IllegalArgumentException("child refuses " + input);
    }
    ctx.complete(ctx.callActivity(APPEND, input, String.class).await());
  }

  /** Calls {@link #FLAKY} with a policy of at most three attempts. */
  private static void retrying(TaskOrchestrationContext ctx) {
    TaskOptions options = new TaskOptions(new RetryPolicy(3, Duration.ofMillis(200)));
    ctx.complete(ctx.callActivity(FLAKY, ctx.getInstanceId(), options, String.class).await());
  }

  private static String flaky(String instanceId) {
    int attempt = flakyAttempts.increment(instanceId);
    if (attempt < 3) {
      throw new IllegalStateException("attempt " + attempt + " fails");
    }
    return "succeeded on attempt " + attempt;
  }

  /**
   * Counts to the target in its input, one execution per step: each execution calls {@link #TICK}
   * once (task id 0) and continues as new. Were history kept across executions, the replay would
   * find task 0 already completed and skip the activity.
   */
  private static void countByTicks(TaskOrchestrationContext ctx) {
    int[] countAndTarget = ctx.getInput(int[].class);
    if (countAndTarget[0] == countAndTarget[1]) {
      ctx.complete(countAndTarget[0]);
      return;
    }
    int next = ctx.callActivity(TICK, ctx.getInstanceId(), Integer.class).await();
    ctx.continueAsNew(new int[] {next, countAndTarget[1]});
  }

  private static int tick(String instanceId) {
    return ticks.increment(instanceId);
  }

  /**
   * Appends the data of one "step" event per execution and continues as new, keeping the events
   * that arrived meanwhile; completes once the input has six entries. The activity between the two
   * steps keeps the consumed event out of the continue-as-new episode: the 1.5.0 SDK carries over
   * every event raised in that episode, the consumed one included.
   */
  private static void countByEvents(TaskOrchestrationContext ctx) {
    String seen = ctx.getInput(String.class);
    if (seen.split(",").length == 6) {
      ctx.complete(seen);
      return;
    }
    String step = ctx.waitForExternalEvent("step", String.class).await();
    ctx.continueAsNew(ctx.callActivity(ECHO, seen + "," + step, String.class).await(), true);
  }

  @Test
  void shouldTransformTheInputWithoutActivities() throws TimeoutException {
    // given
    String id = client.scheduleNewOrchestrationInstance(HELLO, "world");

    // when
    OrchestrationMetadata result = client.waitForInstanceCompletion(id, WAIT, true);

    // then
    assertThat(result.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
    assertThat(result.readOutputAs(String.class)).isEqualTo("Hello, WORLD!");
    assertThat(result.readInputAs(String.class)).isEqualTo("world");
    assertThat(result.getName()).isEqualTo(HELLO);
  }

  @Test
  void shouldRunAnActivityAndAChainOfFiveInOrder() throws TimeoutException {
    // given
    String single = client.scheduleNewOrchestrationInstance(SINGLE_ACTIVITY, "hello");
    String chain = client.scheduleNewOrchestrationInstance(CHAIN);

    // when
    OrchestrationMetadata singleResult = client.waitForInstanceCompletion(single, WAIT, true);
    OrchestrationMetadata chainResult = client.waitForInstanceCompletion(chain, WAIT, true);

    // then each step saw the output of the one before
    assertThat(singleResult.readOutputAs(String.class)).isEqualTo("hello.1");
    assertThat(chainResult.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
    assertThat(chainResult.readOutputAs(String.class)).isEqualTo("start.1.2.3.4.5");
  }

  @Test
  void shouldFanOutAndInOverAThousandActivitiesRunningEachOnce() throws TimeoutException {
    // given
    String id = client.scheduleNewOrchestrationInstance(FAN_OUT, 1000);

    // when
    OrchestrationMetadata result = client.waitForInstanceCompletion(id, WAIT, true);

    // then the sum of 1² .. 1000² is exact, and every activity ran exactly once
    assertThat(result.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
    assertThat(result.readOutputAs(Long.class)).isEqualTo(333_833_500L);
    IntStream.rangeClosed(1, 1000)
        .forEach(i -> assertThat(squares.get(Integer.toString(i))).as("runs of %d²", i).isOne());
  }

  @Test
  void shouldRunTwoFanOutsOneAfterTheOther() throws TimeoutException {
    // given
    String id = client.scheduleNewOrchestrationInstance(DOUBLE_FAN_OUT, 50);

    // when
    OrchestrationMetadata result = client.waitForInstanceCompletion(id, WAIT, true);

    // then the second fan-out used the sum of the first
    long firstSum = sumOfSquares(10_001, 10_050);
    long expected = 0;
    for (int i = 0; i < 50; i++) {
      expected += 2 * (firstSum + i);
    }
    assertThat(result.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
    assertThat(result.readOutputAs(Long.class)).isEqualTo(expected);
  }

  @Test
  void shouldReturnTheResultAndTheFailureOfASubOrchestrationToItsParent() throws TimeoutException {
    // given
    String succeeding = client.scheduleNewOrchestrationInstance(PARENT, "sub");
    String failing = client.scheduleNewOrchestrationInstance(PARENT, "fail-please");

    // when
    OrchestrationMetadata success = client.waitForInstanceCompletion(succeeding, WAIT, true);
    OrchestrationMetadata failure = client.waitForInstanceCompletion(failing, WAIT, true);

    // then
    assertThat(success.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
    assertThat(success.readOutputAs(String.class)).isEqualTo("child said sub.1");
    assertThat(failure.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
    assertThat(failure.readOutputAs(String.class))
        .isEqualTo("child failed: java.lang.IllegalArgumentException: child refuses fail-please");
  }

  @Test
  void shouldFailTheParentsTaskWhenTheSubOrchestrationIdIsTaken() throws TimeoutException {
    // given a running instance under the id the parent gives its child
    String sleeper = client.scheduleNewOrchestrationInstance(SLEEPER);
    client.waitForInstanceStart(sleeper, WAIT, false);

    // when
    String parent = client.scheduleNewOrchestrationInstance(PARENT_OF_NAMED_CHILD, sleeper);
    OrchestrationMetadata result = client.waitForInstanceCompletion(parent, WAIT, true);

    // then
    assertThat(result.readOutputAs(String.class))
        .isEqualTo(
            "child failed: OrchestrationAlreadyExistsException: An orchestration with instance id '"
                + sleeper
                + "' already exists and is RUNNING");
    OrchestrationMetadata untouched = client.getInstanceMetadata(sleeper, true);
    assertThat(untouched.getName()).isEqualTo(SLEEPER);
    assertThat(untouched.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.RUNNING);
    client.terminate(sleeper, "done");
  }

  @Test
  void shouldFailTheOrchestrationWithTheDetailsOfAFailedActivity() throws TimeoutException {
    // given
    String id = client.scheduleNewOrchestrationInstance(FAILING_ACTIVITY_CALLER);

    // when
    OrchestrationMetadata result = client.waitForInstanceCompletion(id, WAIT, true);

    // then
    assertThat(result.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.FAILED);
    assertThat(result.getFailureDetails()).isNotNull();
    assertThat(result.getFailureDetails().getErrorType())
        .isEqualTo(TaskFailedException.class.getName());
    assertThat(result.getFailureDetails().getErrorMessage())
        .contains(FAIL)
        .contains("activity says boom");
    assertThat(result.getFailureDetails().getStackTrace()).isNotBlank();
  }

  @Test
  void shouldSucceedOnTheThirdAttemptOfARetriedActivity() throws TimeoutException {
    // given
    String id = client.scheduleNewOrchestrationInstance(RETRYING);

    // when
    OrchestrationMetadata result = client.waitForInstanceCompletion(id, WAIT, true);

    // then
    assertThat(result.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
    assertThat(result.readOutputAs(String.class)).isEqualTo("succeeded on attempt 3");
    assertThat(flakyAttempts.get(id)).isEqualTo(3);
  }

  @Test
  void shouldCountToTenWithContinueAsNewAndAFreshHistoryEachTime() throws TimeoutException {
    // given
    String id =
        client.scheduleNewOrchestrationInstance(COUNT_BY_CONTINUE_AS_NEW, new int[] {0, 10});

    // when
    OrchestrationMetadata result = client.waitForInstanceCompletion(id, WAIT, true);

    // then every execution ran its own activity
    assertThat(result.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
    assertThat(result.readOutputAs(Integer.class)).isEqualTo(10);
    assertThat(ticks.get(id)).isEqualTo(10);
  }

  @Test
  void shouldCarryEventsOverContinueAsNew() throws TimeoutException {
    // given
    String id = client.scheduleNewOrchestrationInstance(COUNT_EVENTS_BY_CONTINUE_AS_NEW, "0");

    // when five events arrive at once, before and while the instance restarts
    for (int i = 1; i <= 5; i++) {
      client.raiseEvent(id, "step", Integer.toString(i));
    }
    OrchestrationMetadata result = client.waitForInstanceCompletion(id, WAIT, true);

    // then each execution consumed one, and none was lost or seen twice; the order of carried-over
    // events is not kept by the 1.5.0 SDK, which collects them in a HashSet
    assertThat(result.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
    List<String> seen = List.of(result.readOutputAs(String.class).split(","));
    assertThat(seen.get(0)).isEqualTo("0");
    assertThat(seen.subList(1, seen.size())).containsExactlyInAnyOrder("1", "2", "3", "4", "5");
  }

  private static long sumOfSquares(int from, int to) {
    long sum = 0;
    for (long i = from; i <= to; i++) {
      sum += i * i;
    }
    return sum;
  }
}
