package io.durabletask.kafka.engine;

import static io.durabletask.kafka.engine.Actions.complete;
import static org.assertj.core.api.Assertions.assertThat;

import io.durabletask.kafka.avro.DeliveryOutcome;
import io.durabletask.kafka.avro.InstanceSnapshot;
import io.durabletask.kafka.avro.RuntimeStatus;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LocalRoutingTest {
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
  void shouldServeAClientOnThePartitionsHostWithoutTheTransport() {
    // given
    String id = harness.idOnPartition("local", 1);
    harness.startInstance(id, "Local", "\"in\"");

    // when
    harness.runEpisode(id, complete(0, "\"out\""));
    InstanceSnapshot completed = harness.awaitCompletion(id);
    DeliveryOutcome late = harness.raiseEvent(id, "Late", null);

    // then
    assertThat(completed.getStatus()).isEqualTo(RuntimeStatus.COMPLETED);
    assertThat(completed.getOutput()).isEqualTo("\"out\"");
    assertThat(late).isEqualTo(DeliveryOutcome.DROPPED);
    assertThat(inputRecords()).isZero();
    assertThat(harness.responsesThroughTransport()).isZero();
  }

  @Test
  void shouldSendTheRequestsOfAClientOnAnotherHostThroughTheTransport() {
    // given
    String id = harness.idOnPartition("remote", 2);

    // when
    harness.viaTransport(() -> harness.startInstance(id, "Remote", null));
    harness.runEpisode(id, complete(0, "\"done\""));
    InstanceSnapshot[] completed = new InstanceSnapshot[1];
    harness.viaTransport(() -> completed[0] = harness.awaitCompletion(id));

    // then
    assertThat(completed[0].getStatus()).isEqualTo(RuntimeStatus.COMPLETED);
    assertThat(harness.transport().endOffset(2)).isEqualTo(1 + 2);
    assertThat(harness.responsesThroughTransport()).isEqualTo(2);
  }

  @Test
  void shouldKeepLocallyDeliveredRequestsAcrossARestart() {
    // given
    String id = harness.idOnPartition("kept", 0);
    harness.startInstance(id, "Kept", "\"in\"");
    harness.runEpisode(id);

    // when
    harness.restart(harness.store()::dropCaches);

    // then
    InstanceSnapshot recovered = harness.query(id);
    assertThat(recovered.getStatus()).isEqualTo(RuntimeStatus.RUNNING);
    assertThat(recovered.getInput()).isEqualTo("\"in\"");
    assertThat(inputRecords()).isZero();
  }

  /** Records in the partitions' inputs besides the task hub's creation markers, one each. */
  private long inputRecords() {
    return IntStream.range(0, PARTITIONS)
        .mapToLong(p -> harness.transport().endOffset(p) - 1)
        .sum();
  }
}
