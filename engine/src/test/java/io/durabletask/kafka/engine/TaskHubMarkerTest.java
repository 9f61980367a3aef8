package io.durabletask.kafka.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.durabletask.kafka.avro.ClientOrigin;
import io.durabletask.kafka.avro.PartitionMessage;
import io.durabletask.kafka.avro.TaskHubCreated;
import io.durabletask.kafka.codec.Codecs;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The inputs of a task hub name the storage they belong to, and a partition checks that. */
class TaskHubMarkerTest {
  private static final int PARTITIONS = 3;
  private EngineHarness harness;

  @BeforeEach
  void startEngine() {
    harness = EngineHarness.start(PARTITIONS);
  }

  @AfterEach
  void stopEngine() {
    harness.close();
  }

  @Test
  void shouldMarkEveryPartitionsInputOnceWhenTheHubIsCreated() {
    // given
    String hubId = harness.store().info().hubId();

    // when
    harness.restart();

    // then
    for (int p = 0; p < PARTITIONS; p++) {
      List<byte[]> records = harness.transport().records(p);
      assertThat(records).hasSize(1);
      Object body = Codecs.PARTITION_MESSAGE.decode(records.get(0)).getBody();
      assertThat(body)
          .isInstanceOfSatisfying(
              TaskHubCreated.class, created -> assertThat(created.getHubId()).isEqualTo(hubId));
    }
  }

  @Test
  void shouldStopAPartitionWhoseInputBelongsToAnotherHubsStorage() {
    // given a marker written by a host whose storage holds another hub
    PartitionMessage foreign =
        new PartitionMessage(
            new ClientOrigin("client-of-another-hub", 0L), new TaskHubCreated("another-hub", 1L));

    // when
    harness.transport().inject(1, Codecs.PARTITION_MESSAGE.encode(foreign));

    // then partition 1 refuses to go on, saying why, and the others keep running
    Throwable failure = awaitFailure(1);
    assertThat(failure)
        .hasMessageContaining("Expected the input of partition 1 to belong to the task hub")
        .hasMessageContaining("a hub with id another-hub was created");
    assertThat(harness.engine().runningPartitions()).contains(0, 2);
    assertThat(harness.engine().lastFailure(0)).isEmpty();
  }

  private Throwable awaitFailure(int partition) {
    long deadline = System.nanoTime() + EngineHarness.TIMEOUT.toNanos();
    while (harness.engine().lastFailure(partition).isEmpty()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("Expected partition " + partition + " to fail, but it runs");
      }
      Thread.onSpinWait();
    }
    return harness.engine().lastFailure(partition).get();
  }
}
