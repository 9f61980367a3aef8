package io.durabletask.kafka.samples;

import static io.durabletask.kafka.samples.ScenarioSupport.LARGE_MESSAGE_BYTES;
import static io.durabletask.kafka.samples.ScenarioSupport.WAIT;
import static io.durabletask.kafka.samples.ScenarioSupport.activity;
import static io.durabletask.kafka.samples.ScenarioSupport.orchestration;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.durabletask.DurableTaskClient;
import com.microsoft.durabletask.DurableTaskGrpcWorkerBuilder;
import com.microsoft.durabletask.NewOrchestrationInstanceOptions;
import com.microsoft.durabletask.OrchestrationMetadata;
import com.microsoft.durabletask.OrchestrationRuntimeStatus;
import com.microsoft.durabletask.Task;
import com.microsoft.durabletask.TaskOrchestrationContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Group A, sizes and shapes of data through the unchanged Java SDK: payloads larger than a Kafka
 * record, histories larger than the SDK's default 4 MiB gRPC limit, and instance ids that are long
 * and not ASCII. The SDK's worker and client get channels with a larger inbound limit.
 */
class PayloadScenariosTest {
  private static final String ROUND_TRIP = "PayloadRoundTrip";
  private static final String BIG_FAN_OUT = "PayloadBigFanOut";
  private static final String GREET_BY_ID = "PayloadGreetById";
  private static final String REVERSE = "PayloadReverse";
  private static final String BLOCK = "PayloadBlock";

  private static final int FIVE_MB = 5 * 1024 * 1024;
  private static final int BLOCKS = 90;
  private static final int BLOCK_CHARS = 50_000;

  @TempDir static Path dataRoot;
  private static HostProcess host;
  private static ScenarioSupport.Worker worker;
  private static ScenarioSupport.Client clientAndChannel;
  private static DurableTaskClient client;

  static {
    ScenarioSupport.useSdkGeneratedProtobufClasses();
  }

  @BeforeAll
  static void startHostAndWorker() {
    host = HostProcess.start(dataRoot.resolve("data"));
    worker =
        ScenarioSupport.startWorker(
            host, registerAll(new DurableTaskGrpcWorkerBuilder()), LARGE_MESSAGE_BYTES);
    clientAndChannel = ScenarioSupport.client(host, LARGE_MESSAGE_BYTES);
    client = clientAndChannel.sdkClient();
  }

  @AfterAll
  static void stopHost() {
    if (clientAndChannel != null) {
      clientAndChannel.close();
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
        .addOrchestration(
            orchestration(
                ROUND_TRIP,
                ctx ->
                    ctx.complete(
                        reverse(
                            ctx.callActivity(REVERSE, ctx.getInput(String.class), String.class)
                                .await()))))
        .addOrchestration(orchestration(BIG_FAN_OUT, PayloadScenariosTest::bigFanOut))
        .addOrchestration(
            orchestration(
                GREET_BY_ID,
                ctx ->
                    ctx.complete(
                        ctx.getInstanceId()
                            + "|"
                            + ctx.waitForExternalEvent("greeting", String.class).await())))
        .addActivity(activity(REVERSE, ctx -> reverse(ctx.getInput(String.class))))
        .addActivity(activity(BLOCK, ctx -> randomText(ctx.getInput(Integer.class), BLOCK_CHARS)));
  }

  /** Fetches BLOCKS blocks of text in parallel and returns a digest of all of them in order. */
  private static void bigFanOut(TaskOrchestrationContext ctx) {
    List<Task<String>> blocks = new ArrayList<>();
    for (int i = 0; i < BLOCKS; i++) {
      blocks.add(ctx.callActivity(BLOCK, i, String.class));
    }
    ctx.complete(digest(ctx.allOf(blocks).await()));
  }

  private static String digest(List<String> blocks) {
    long chars = 0;
    int hash = 0;
    for (String block : blocks) {
      chars += block.length();
      hash = 31 * hash + block.hashCode();
    }
    return blocks.size() + " blocks, " + chars + " chars, hash " + hash;
  }

  private static String reverse(String text) {
    return new StringBuilder(text).reverse().toString();
  }

  /** Text that does not compress well, the same for the same seed. */
  private static String randomText(long seed, int length) {
    SplittableRandom random = new SplittableRandom(seed);
    StringBuilder text = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      text.append((char) ('!' + random.nextInt(94)));
    }
    return text.toString().replace('"', '#').replace('\\', '/');
  }

  @Test
  void shouldRoundTripFiveMegabyteInputsAndOutputsExactly() throws TimeoutException {
    // given
    String input = randomText(5, FIVE_MB);

    // when
    String id = client.scheduleNewOrchestrationInstance(ROUND_TRIP, input);
    OrchestrationMetadata result = client.waitForInstanceCompletion(id, WAIT, true);

    // then
    assertThat(result.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
    assertThat(result.readInputAs(String.class)).isEqualTo(input);
    assertThat(result.readOutputAs(String.class)).isEqualTo(input);
  }

  @Test
  void shouldCompleteAFanOutWhoseHistoryHoldsSeveralMegabytes() throws TimeoutException {
    // given
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < BLOCKS; i++) {
      expected.add(randomText(i, BLOCK_CHARS));
    }

    // when
    String id = client.scheduleNewOrchestrationInstance(BIG_FAN_OUT);
    OrchestrationMetadata result = client.waitForInstanceCompletion(id, WAIT, true);

    // then every 50 KB result arrived, in order
    assertThat(result.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
    assertThat(result.readOutputAs(String.class)).isEqualTo(digest(expected));
  }

  @Test
  void shouldServeAnInstanceIdOfTwoHundredNonAsciiCharacters() throws TimeoutException {
    // given
    String id = idOfCodePoints("ünïcødé-日本語-Ωμέγα-🚀-", 200);
    assertThat(id.codePointCount(0, id.length())).isEqualTo(200);

    // when
    String started =
        client.scheduleNewOrchestrationInstance(
            GREET_BY_ID, new NewOrchestrationInstanceOptions().setInstanceId(id));
    OrchestrationMetadata running = client.waitForInstanceStart(id, WAIT);
    client.raiseEvent(id, "greeting", "¡hola!");
    OrchestrationMetadata result = client.waitForInstanceCompletion(id, WAIT, true);

    // then
    assertThat(started).isEqualTo(id);
    assertThat(running.getInstanceId()).isEqualTo(id);
    assertThat(result.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
    assertThat(result.readOutputAs(String.class)).isEqualTo(id + "|¡hola!");
    assertThat(client.getInstanceMetadata(id, false).getInstanceId()).isEqualTo(id);
  }

  private static String idOfCodePoints(String pattern, int codePoints) {
    int[] source = pattern.codePoints().toArray();
    StringBuilder id = new StringBuilder();
    for (int i = 0; i < codePoints; i++) {
      id.appendCodePoint(source[i % source.length]);
    }
    return id.toString();
  }
}
