package io.durabletask.kafka.engine.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CommitPolicyTest {
  private static final long MILLIS = 1_000_000;

  @Test
  void shouldWriteHeldEffectsAtOnceWhileAtMostOneInstanceIsBusy() {
    // given
    CommitPolicy policy = CommitPolicy.DEFAULT;

    // then
    assertThat(policy.heldLingerNanos(0)).isZero();
    assertThat(policy.heldLingerNanos(1)).isZero();
  }

  @Test
  void shouldLingerLongerWithEveryBusyInstanceUpToTheMaximum() {
    // given
    CommitPolicy policy = new CommitPolicy(3, 50, 1024);

    // then
    assertThat(policy.heldLingerNanos(2)).isEqualTo(3 * MILLIS);
    assertThat(policy.heldLingerNanos(11)).isEqualTo(30 * MILLIS);
    assertThat(policy.heldLingerNanos(1000)).isEqualTo(50 * MILLIS);
    assertThat(policy.unheldLingerNanos()).isEqualTo(50 * MILLIS);
  }

  @Test
  void shouldNeverLingerWhenImmediate() {
    // given
    CommitPolicy policy = CommitPolicy.IMMEDIATE;

    // then
    assertThat(policy.heldLingerNanos(1000)).isZero();
    assertThat(policy.unheldLingerNanos()).isZero();
  }

  @Test
  void shouldRefuseNegativeSettings() {
    assertThatThrownBy(() -> new CommitPolicy(-1, 50, 1024))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("without negative values");
  }
}
