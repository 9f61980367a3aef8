package io.durabletask.kafka.engine;

import static io.durabletask.kafka.engine.Actions.complete;
import static io.durabletask.kafka.engine.Actions.createSubOrchestration;
import static io.durabletask.kafka.engine.Actions.createTimer;
import static io.durabletask.kafka.engine.Actions.fail;
import static io.durabletask.kafka.engine.Actions.failure;
import static io.durabletask.kafka.engine.Actions.sendEvent;
import static io.durabletask.kafka.engine.EngineHarness.eventsOf;
import static io.durabletask.kafka.engine.EngineHarness.typesOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.durabletask.kafka.avro.EventRaised;
import io.durabletask.kafka.avro.ExecutionStarted;
import io.durabletask.kafka.avro.HistoryEvent;
import io.durabletask.kafka.avro.InstanceMessage;
import io.durabletask.kafka.avro.InstanceSnapshot;
import io.durabletask.kafka.avro.PartitionMessage;
import io.durabletask.kafka.avro.PartitionOrigin;
import io.durabletask.kafka.avro.SubOrchestrationInstanceCompleted;
import io.durabletask.kafka.avro.SubOrchestrationInstanceCreated;
import io.durabletask.kafka.avro.SubOrchestrationInstanceFailed;
import io.durabletask.kafka.codec.Codecs;
import io.durabletask.kafka.engine.partition.HistoryEvents;
import io.durabletask.kafka.engine.workitem.OrchestratorWorkItem;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PartitionMessagingTest {
  private EngineHarness harness;

  @BeforeEach
  void startEngine() {
    harness = EngineHarness.start(4);
  }

  @AfterEach
  void stopEngine() {
    harness.close();
  }

  @Test
  void shouldCreateASubOrchestrationOnItsPartitionAndReportItsResultToTheParent() {
    // given
    String parentId = harness.idOnPartition("parent", 0);
    String childId = harness.idOnPartition("child", 1);
    harness.startInstance(parentId, "Parent", null);

    // when
    harness.runEpisode(parentId, createSubOrchestration(0, childId, "Child", "\"in\""));
    OrchestratorWorkItem childEpisode = harness.nextOrchestratorWorkItem(childId);
    InstanceSnapshot runningChild = harness.query(childId);
    harness.completeEpisode(childEpisode, complete(0, "\"out\""));
    OrchestratorWorkItem parentEpisode = harness.nextOrchestratorWorkItem(parentId);

    // then
    assertThat(childEpisode.partition()).isEqualTo(1);
    assertThat(originsIn(1)).contains(0);
    ExecutionStarted started = eventsOf(childEpisode.newEvents(), ExecutionStarted.class).get(0);
    assertThat(started.getInput()).isEqualTo("\"in\"");
    assertThat(started.getParentInstance().getInstanceId()).isEqualTo(parentId);
    assertThat(started.getParentInstance().getTaskScheduledId()).isZero();
    assertThat(runningChild.getParentInstanceId()).isEqualTo(parentId);
    SubOrchestrationInstanceCreated created =
        eventsOf(parentEpisode.pastEvents(), SubOrchestrationInstanceCreated.class).get(0);
    assertThat(created.getInstanceId()).isEqualTo(childId);
    assertThat(typesOf(parentEpisode.newEvents()))
        .containsExactly("OrchestratorStarted", "SubOrchestrationInstanceCompleted");
    SubOrchestrationInstanceCompleted result =
        eventsOf(parentEpisode.newEvents(), SubOrchestrationInstanceCompleted.class).get(0);
    assertThat(result.getTaskScheduledId()).isZero();
    assertThat(result.getResult()).isEqualTo("\"out\"");
  }

  @Test
  void shouldReportAFailedSubOrchestrationToTheParent() {
    // given
    String parentId = harness.idOnPartition("failing-parent", 2);
    String childId = harness.idOnPartition("failing-child", 3);
    harness.startInstance(parentId, "Parent", null);
    harness.runEpisode(parentId, createSubOrchestration(4, childId, "Child", null));

    // when
    harness.runEpisode(childId, fail(0, failure("java.lang.IllegalStateException", "boom")));
    OrchestratorWorkItem parentEpisode = harness.nextOrchestratorWorkItem(parentId);

    // then
    SubOrchestrationInstanceFailed failed =
        eventsOf(parentEpisode.newEvents(), SubOrchestrationInstanceFailed.class).get(0);
    assertThat(failed.getTaskScheduledId()).isEqualTo(4);
    assertThat(failed.getFailureDetails().getErrorMessage()).isEqualTo("boom");
    assertThat(harness.awaitCompletion(childId).getFailureDetails().getErrorType())
        .isEqualTo("java.lang.IllegalStateException");
  }

  @Test
  void shouldFailTheParentsTaskWhenTheSubOrchestrationIdIsTaken() {
    // given a running instance that holds the child's id
    String parentId = harness.idOnPartition("taking-parent", 0);
    String childId = harness.idOnPartition("taken-child", 1);
    harness.startInstance(childId, "Other", "\"first\"");
    long farAway = System.currentTimeMillis() + Duration.ofHours(1).toMillis();
    harness.runEpisode(childId, createTimer(0, farAway));
    harness.startInstance(parentId, "Parent", null);

    // when
    harness.runEpisode(parentId, createSubOrchestration(2, childId, "Child", "\"second\""));
    OrchestratorWorkItem parentEpisode = harness.nextOrchestratorWorkItem(parentId);

    // then the parent hears of it and the holder is untouched
    SubOrchestrationInstanceFailed failed =
        eventsOf(parentEpisode.newEvents(), SubOrchestrationInstanceFailed.class).get(0);
    assertThat(failed.getTaskScheduledId()).isEqualTo(2);
    assertThat(failed.getFailureDetails().getErrorType())
        .isEqualTo("OrchestrationAlreadyExistsException");
    assertThat(failed.getFailureDetails().getErrorMessage())
        .isEqualTo(
            "An orchestration with instance id '" + childId + "' already exists and is RUNNING");
    assertThat(failed.getFailureDetails().getIsNonRetriable()).isTrue();
    InstanceSnapshot child = harness.query(childId);
    assertThat(child.getName()).isEqualTo("Other");
    assertThat(child.getInput()).isEqualTo("\"first\"");
    assertThat(child.getParentInstanceId()).isNull();
    assertThat(child.getStatus().name()).isEqualTo("RUNNING");
  }

  @Test
  void shouldDeliverAnEventSentToAnInstanceOnAnotherPartition() {
    // given
    String senderId = harness.idOnPartition("sender", 0);
    String receiverId = harness.idOnPartition("receiver", 3);
    harness.startInstance(receiverId, "Receiver", null);
    harness.runEpisode(receiverId);
    harness.startInstance(senderId, "Sender", null);

    // when
    harness.runEpisode(senderId, sendEvent(0, receiverId, "Greeting", "\"hello\""));
    OrchestratorWorkItem received = harness.nextOrchestratorWorkItem(receiverId);

    // then
    EventRaised raised = eventsOf(received.newEvents(), EventRaised.class).get(0);
    assertThat(raised.getName()).isEqualTo("Greeting");
    assertThat(raised.getInput()).isEqualTo("\"hello\"");
  }

  @Test
  void shouldRefuseAMessageAfterAGapUntilTheMissingOneIsSentAgain() {
    // given
    String instanceId = harness.idOnPartition("gap", 1);
    harness.startInstance(instanceId, "Orchestration", null);
    harness.runEpisode(instanceId);
    byte[] first = fromPartition(3, 1, raise(instanceId, "First"));
    byte[] second = fromPartition(3, 2, raise(instanceId, "Second"));

    // when the second arrives before the first, and then the sender sends both again in order
    harness.transport().inject(1, second);
    harness.transport().inject(1, first, second);
    List<String> names = raisedUntil(instanceId, "Second");

    // then each is applied once, in the order sent
    assertThat(names).containsExactly("First", "Second");
    assertThat(harness.pollOrchestratorWorkItem(any -> true, Duration.ofMillis(200))).isNull();
  }

  @Test
  void shouldApplyADuplicatedPartitionMessageOnce() {
    // given
    String instanceId = harness.idOnPartition("deduplicated", 1);
    harness.startInstance(instanceId, "Orchestration", null);
    harness.runEpisode(instanceId);

    // when
    byte[] first = fromPartition(2, 1, raise(instanceId, "First"));
    byte[] second = fromPartition(2, 2, raise(instanceId, "Second"));
    harness.transport().inject(1, first, first, second, first);
    List<String> names = raisedUntil(instanceId, "Second");

    // then
    assertThat(names).containsExactly("First", "Second");
    assertThat(harness.pollOrchestratorWorkItem(any -> true, Duration.ofMillis(200))).isNull();
  }

  private List<String> raisedUntil(String instanceId, String lastName) {
    List<String> names = new ArrayList<>();
    while (!names.contains(lastName)) {
      OrchestratorWorkItem item = harness.runEpisode(instanceId);
      eventsOf(item.newEvents(), EventRaised.class).forEach(event -> names.add(event.getName()));
    }
    return names;
  }

  private List<Integer> originsIn(int partition) {
    List<Integer> origins = new ArrayList<>();
    for (byte[] record : harness.transport().records(partition)) {
      PartitionMessage message = Codecs.PARTITION_MESSAGE.decode(record);
      if (message.getOrigin() instanceof PartitionOrigin origin) {
        origins.add(origin.getPartition());
      }
    }
    return origins;
  }

  private static InstanceMessage raise(String instanceId, String name) {
    HistoryEvent event = HistoryEvents.of(System.currentTimeMillis(), new EventRaised(name, null));
    return new InstanceMessage(instanceId, null, event);
  }

  private static byte[] fromPartition(int partition, long sequence, InstanceMessage body) {
    PartitionOrigin origin = new PartitionOrigin(partition, sequence, 0L);
    return Codecs.PARTITION_MESSAGE.encode(new PartitionMessage(origin, body));
  }
}
