package io.durabletask.kafka.engine;

import static io.durabletask.kafka.engine.Actions.complete;
import static org.assertj.core.api.Assertions.assertThat;

import io.durabletask.kafka.avro.ClientOrigin;
import io.durabletask.kafka.avro.CreateInstanceRequest;
import io.durabletask.kafka.avro.PartitionMessage;
import io.durabletask.kafka.avro.PartitionMeta;
import io.durabletask.kafka.avro.RuntimeStatus;
import io.durabletask.kafka.codec.Codecs;
import io.durabletask.kafka.engine.storage.Bytes;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PoisonRecordTest {
  /** The state-store key of a partition's metadata. */
  private static final Bytes META_KEY = new Bytes(new byte[] {'m'});

  private EngineHarness harness;

  @BeforeEach
  void startEngine() {
    harness = EngineHarness.start(2);
  }

  @AfterEach
  void stopEngine() {
    harness.close();
  }

  @Test
  void shouldSkipUndecodableRecordsAndKeepGoing() {
    // given
    String instanceId = harness.idOnPartition("after-poison", 1);
    byte[] garbage = "not an avro record".getBytes(StandardCharsets.UTF_8);
    byte[] truncated = truncatedRecord();
    harness.transport().inject(1, garbage, truncated, new byte[0]);

    // when
    harness.startInstance(instanceId, "Orchestration", null);
    harness.runEpisode(instanceId, complete(0, "\"survived\""));

    // then
    assertThat(harness.awaitCompletion(instanceId).getStatus()).isEqualTo(RuntimeStatus.COMPLETED);
    PartitionMeta meta =
        Codecs.PARTITION_META.decode(harness.store().cacheContents(1).get(META_KEY));
    assertThat(meta.getSkippedRecords()).isEqualTo(3);
    assertThat(meta.getNextInputOffset()).isEqualTo(harness.transport().endOffset(1));
  }

  @Test
  void shouldRecoverPastAnUndecodableRecordAfterARestart() {
    // given
    String instanceId = harness.idOnPartition("restart-after-poison", 0);
    harness.transport().inject(0, new byte[] {(byte) 0xc3, 0x01, 0x00});
    harness.startInstance(instanceId, "Orchestration", null);

    // when
    harness.restart(harness.store()::dropCaches);
    harness.runEpisode(instanceId, complete(0, "\"survived\""));

    // then
    assertThat(harness.awaitCompletion(instanceId).getOutput()).isEqualTo("\"survived\"");
  }

  /** A record that starts like a valid one but ends early. */
  private static byte[] truncatedRecord() {
    CreateInstanceRequest request =
        EngineHarness.newInstance("never-created", "Orchestration").build();
    byte[] valid =
        Codecs.PARTITION_MESSAGE.encode(
            new PartitionMessage(new ClientOrigin("a-client", 1L), request));
    return Arrays.copyOf(valid, valid.length / 2);
  }
}
