package io.durabletask.kafka.engine.partition;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CheckpointPolicyTest {
  private static final long MB = 1024 * 1024;
  private final CheckpointPolicy policy = new CheckpointPolicy(1_000, 60_000, 64 * MB, 0.5);

  @Test
  void shouldCheckpointAfterEnoughEventsTimeOrLogWhileTheStateIsSmall() {
    assertThat(policy.isDue(1_000, 0, MB, 0)).isTrue();
    assertThat(policy.isDue(1, 60_000, MB, 0)).isTrue();
    assertThat(policy.isDue(1, 0, 64 * MB, 0)).isTrue();
    assertThat(policy.isDue(999, 59_999, MB, 0)).isFalse();
  }

  @Test
  void shouldWaitUntilTheLogHoldsHalfTheLastCheckpoint() {
    // given a state of 1 GB at the last checkpoint
    long checkpointBytes = 1024 * MB;

    // then
    assertThat(policy.isDue(50_000, 600_000, 511 * MB, checkpointBytes)).isFalse();
    assertThat(policy.isDue(50_000, 600_000, 512 * MB, checkpointBytes)).isTrue();
  }

  @Test
  void shouldNeverCheckpointWithoutNewEvents() {
    assertThat(policy.isDue(0, 600_000, 0, 0)).isFalse();
  }
}
