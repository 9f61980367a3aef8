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
import com.microsoft.durabletask.TaskFailedException;
import com.microsoft.durabletask.TaskOrchestrationContext;
import java.nio.file.Path;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input from a worker, through the unchanged Java SDK: an activity result or an orchestration
 * output above the host's payload limit. The task or the orchestration fails with the reason, and
 * the same worker goes on running other orchestrations. Host process on the real path, with a limit
 * of 64 KiB.
 */
class OversizedPayloadScenariosTest {
  private static final int LIMIT = 64 * 1024;
  private static final String TOO_LARGE = "z".repeat(LIMIT + 1);

  private static final String BIG_RESULT_CALLER = "OversizedResultCaller";
  private static final String BIG_OUTPUT = "OversizedOutput";
  private static final String HELLO = "OversizedHello";
  private static final String BIG = "OversizedBig";
  private static final String GREET = "OversizedGreet";

  @TempDir static Path dataRoot;
  private static HostProcess host;
  private static ScenarioSupport.Worker worker;
  private static DurableTaskClient client;

  static {
    ScenarioSupport.useSdkGeneratedProtobufClasses();
  }

  @BeforeAll
  static void startHostAndWorker() {
    host =
        HostProcess.start(
            dataRoot.resolve("data"),
            "--max-payload-bytes",
            Integer.toString(LIMIT),
            "--max-message-bytes",
            Integer.toString(4 * 1024 * 1024));
    worker =
        ScenarioSupport.startWorker(
            host,
            new DurableTaskGrpcWorkerBuilder()
                .addOrchestration(
                    orchestration(BIG_RESULT_CALLER, OversizedPayloadScenariosTest::callBig))
                .addOrchestration(orchestration(BIG_OUTPUT, ctx -> ctx.complete(TOO_LARGE)))
                .addOrchestration(
                    orchestration(
                        HELLO,
                        ctx ->
                            ctx.complete(
                                ctx.callActivity(GREET, ctx.getInput(String.class), String.class)
                                    .await())))
                .addActivity(activity(BIG, ctx -> TOO_LARGE))
                .addActivity(activity(GREET, ctx -> "Hello, " + ctx.getInput(String.class))));
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

  private static void callBig(TaskOrchestrationContext ctx) {
    try {
      ctx.complete(ctx.callActivity(BIG, null, String.class).await().length());
    } catch (TaskFailedException e) {
      ctx.complete(
          e.getErrorDetails().getErrorType() + ": " + e.getErrorDetails().getErrorMessage());
    }
  }

  @Test
  void shouldFailTheTaskOfAnActivityWhoseResultIsAboveTheLimitAndKeepTheWorkerServing()
      throws TimeoutException {
    // given
    String id = client.scheduleNewOrchestrationInstance(BIG_RESULT_CALLER);

    // when
    OrchestrationMetadata result = client.waitForInstanceCompletion(id, WAIT, true);

    // then the orchestration caught the task's failure
    assertThat(result.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
    assertThat(result.readOutputAs(String.class))
        .startsWith(
            "PayloadTooLargeException: Expected the activity result to be at most "
                + LIMIT
                + " bytes, but it is ");
    assertTheWorkerStillServes();
  }

  @Test
  void shouldFailAnOrchestrationWhoseOutputIsAboveTheLimitAndKeepTheWorkerServing()
      throws TimeoutException {
    // given
    String id = client.scheduleNewOrchestrationInstance(BIG_OUTPUT);

    // when
    OrchestrationMetadata result = client.waitForInstanceCompletion(id, WAIT, true);

    // then
    assertThat(result.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.FAILED);
    assertThat(result.getFailureDetails().getErrorType()).isEqualTo("PayloadTooLargeException");
    assertThat(result.getFailureDetails().getErrorMessage())
        .startsWith(
            "Expected the result of completeOrchestration action 0 to be at most "
                + LIMIT
                + " bytes");
    assertTheWorkerStillServes();
  }

  /** The worker's SDK gave up its stream after the refusal; its next one gets every item. */
  private void assertTheWorkerStillServes() throws TimeoutException {
    for (int i = 0; i < 5; i++) {
      String id = client.scheduleNewOrchestrationInstance(HELLO, "city " + i);
      OrchestrationMetadata result = client.waitForInstanceCompletion(id, WAIT, true);
      assertThat(result.readOutputAs(String.class)).isEqualTo("Hello, city " + i);
    }
  }
}
