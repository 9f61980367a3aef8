package io.durabletask.kafka.host;

import static io.durabletask.kafka.host.ScriptedWorker.complete;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.StringValue;
import io.durabletask.kafka.protocol.CreateInstanceRequest;
import io.durabletask.kafka.protocol.CreateTaskHubRequest;
import io.durabletask.kafka.protocol.DeleteTaskHubRequest;
import io.durabletask.kafka.protocol.GetInstanceRequest;
import io.durabletask.kafka.protocol.InstanceQuery;
import io.durabletask.kafka.protocol.OrchestrationState;
import io.durabletask.kafka.protocol.OrchestrationStatus;
import io.durabletask.kafka.protocol.OrchestratorAction;
import io.durabletask.kafka.protocol.QueryInstancesRequest;
import io.durabletask.kafka.protocol.ScheduleTaskAction;
import io.durabletask.kafka.protocol.TaskHubSidecarServiceGrpc;
import io.durabletask.kafka.protocol.TaskHubSidecarServiceGrpc.TaskHubSidecarServiceBlockingStub;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CreateTaskHub and DeleteTaskHub through a host on the real path: a wipe removes every instance on
 * every partition, work handed out before it is refused afterwards, and the hub keeps working.
 */
class TaskHubWipeHostTest {
  private static final long DEADLINE_SECONDS = 30;

  @TempDir static Path dataDir;

  private static Host host;
  private static ManagedChannel channel;
  private static TaskHubSidecarServiceBlockingStub client;
  private static ScriptedWorker worker;
  private static final CountDownLatch releaseActivity = new CountDownLatch(1);
  private static final CountDownLatch activityStarted = new CountDownLatch(1);

  @BeforeAll
  static void startHost() {
    host = Host.start(HostConfig.defaults(dataDir).withPort(0).withPartitionCount(4));
    channel =
        ManagedChannelBuilder.forAddress(HostConfig.DEFAULT_ADDRESS, host.port())
            .usePlaintext()
            .build();
    client = TaskHubSidecarServiceGrpc.newBlockingStub(channel);
    worker =
        ScriptedWorker.connect(channel)
            .orchestration("Echo", e -> List.of(complete(0, e.input())))
            .orchestration("Idle", e -> List.of())
            .orchestration("Slow", TaskHubWipeHostTest::slow)
            .activity("Held", TaskHubWipeHostTest::held);
  }

  @AfterAll
  static void stopHost() throws InterruptedException {
    releaseActivity.countDown();
    worker.close();
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    host.close();
  }

  @Test
  void shouldWipeEveryInstanceAndRefuseWorkHandedOutBefore() throws InterruptedException {
    // given instances that ended, that wait, and one whose activity is running in the worker
    for (int i = 0; i < 6; i++) {
      start("Echo", "ended-" + i);
      awaitCompletion("ended-" + i);
    }
    start("Idle", "idle");
    start("Slow", "slow");
    assertThat(activityStarted.await(DEADLINE_SECONDS, TimeUnit.SECONDS)).isTrue();

    // when
    client.createTaskHub(CreateTaskHubRequest.newBuilder().setRecreateIfExists(false).build());
    int afterNoOp = countAll();
    client.createTaskHub(CreateTaskHubRequest.newBuilder().setRecreateIfExists(true).build());
    int afterWipe = countAll();
    releaseActivity.countDown();

    // then
    assertThat(afterNoOp).isEqualTo(8);
    assertThat(afterWipe).isZero();
    awaitRefusedCompletion();
    assertThat(worker.refusedCompletions()).containsExactly(Status.Code.NOT_FOUND);
    assertThat(exists("slow")).isFalse();
    assertThat(exists("ended-0")).isFalse();
    start("Echo", "after-wipe");
    assertThat(awaitCompletion("after-wipe").getOrchestrationStatus())
        .isEqualTo(OrchestrationStatus.ORCHESTRATION_STATUS_COMPLETED);
    client.deleteTaskHub(DeleteTaskHubRequest.getDefaultInstance());
    assertThat(countAll()).isZero();
  }

  private static List<OrchestratorAction> slow(ScriptedWorker.Episode episode) {
    if (!episode.isFirst()) {
      return List.of();
    }
    ScheduleTaskAction held = ScheduleTaskAction.newBuilder().setName("Held").build();
    return List.of(OrchestratorAction.newBuilder().setId(0).setScheduleTask(held).build());
  }

  private static String held(String input) {
    activityStarted.countDown();
    try {
      releaseActivity.await(DEADLINE_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return "\"late\"";
  }

  private static void start(String name, String instanceId) {
    client.startInstance(
        CreateInstanceRequest.newBuilder()
            .setInstanceId(instanceId)
            .setName(name)
            .setInput(StringValue.of("\"" + instanceId + "\""))
            .build());
  }

  private static OrchestrationState awaitCompletion(String instanceId) {
    return client
        .withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS)
        .waitForInstanceCompletion(
            GetInstanceRequest.newBuilder().setInstanceId(instanceId).build())
        .getOrchestrationState();
  }

  private static boolean exists(String instanceId) {
    return client
        .getInstance(GetInstanceRequest.newBuilder().setInstanceId(instanceId).build())
        .getExists();
  }

  private static int countAll() {
    return client
        .queryInstances(
            QueryInstancesRequest.newBuilder()
                .setQuery(InstanceQuery.newBuilder().setMaxInstanceCount(1000))
                .build())
        .getOrchestrationStateCount();
  }

  private static void awaitRefusedCompletion() {
    long deadline = System.currentTimeMillis() + DEADLINE_SECONDS * 1000;
    while (worker.refusedCompletions().isEmpty()) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("Expected the late completion to be refused, but it was not");
      }
      Thread.onSpinWait();
    }
  }
}
