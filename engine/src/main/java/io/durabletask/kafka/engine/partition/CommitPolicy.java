package io.durabletask.kafka.engine.partition;

/**
 * When a partition writes its next group commit.
 *
 * <p>Nothing waits for a commit except the effects it holds back: responses to clients and messages
 * to other partitions. Work items go out before their commit. So a batch without held effects may
 * wait, and a batch with them is written as soon as waiting no longer pays:
 *
 * <ul>
 *   <li>while at most one instance of the partition is busy (has an episode or activities out, or
 *       messages to run), nothing else is about to join the batch: it is written at once. This is
 *       the case of one orchestration at a time, where every held response is on the critical path;
 *   <li>with more busy instances, other held effects are about to follow, and the batch lingers for
 *       {@code lingerPerBusyInstanceMillis} per busy instance beyond the first, at most {@code
 *       maxLingerMillis}, so that one write carries the effects of many instances;
 *   <li>a batch without held effects is written once its first event waited {@code
 *       maxLingerMillis}, or with the next batch that holds effects;
 *   <li>a batch of {@code maxBatchBytes} or more is written at once.
 * </ul>
 *
 * <p>Under load the partition thus writes about once per {@code maxLingerMillis} whatever its rate,
 * and one orchestration at a time pays no linger.
 */
public record CommitPolicy(
    double lingerPerBusyInstanceMillis, double maxLingerMillis, int maxBatchBytes) {

  public static final CommitPolicy DEFAULT = new CommitPolicy(3, 100, 4 * 1024 * 1024);

  /** Writes every batch at once: one group commit per round of the partition's loop. */
  public static final CommitPolicy IMMEDIATE = new CommitPolicy(0, 0, 0);

  public CommitPolicy {
    if (lingerPerBusyInstanceMillis < 0 || maxLingerMillis < 0 || maxBatchBytes < 0) {
      throw new IllegalArgumentException(
          "Expected a commit policy without negative values, but got " + this);
    }
  }

  /**
   * How long a batch that holds effects may wait, in nanoseconds, with this many busy instances.
   */
  long heldLingerNanos(int busyInstances) {
    if (busyInstances <= 1) {
      return 0;
    }
    double millis = Math.min(maxLingerMillis, (busyInstances - 1) * lingerPerBusyInstanceMillis);
    return (long) (millis * 1_000_000);
  }

  /** How long a batch without held effects may wait, in nanoseconds. */
  long unheldLingerNanos() {
    return (long) (maxLingerMillis * 1_000_000);
  }
}
