package io.durabletask.kafka.engine.partition;

/**
 * When a partition writes a checkpoint: after {@code maxEvents} update events, {@code maxMillis} or
 * {@code maxLogBytes} of log since the last one, whichever comes first, but not before the log
 * since the last checkpoint holds {@code logToStateRatio} times the bytes of that checkpoint.
 *
 * <p>A checkpoint copies the whole state, so the ratio bounds what checkpoints cost: at most {@code
 * 1 / logToStateRatio} bytes of checkpoint per byte of log, however large the state grows. It also
 * bounds recovery, which reads the checkpoint and replays a log of at most about that share of it.
 */
public record CheckpointPolicy(
    long maxEvents, long maxMillis, long maxLogBytes, double logToStateRatio) {

  // TODO(#4): a checkpoint copies the whole state; one that writes only what changed (the RocksDB
  // files added since the last checkpoint) would let large states checkpoint as often as small
  // ones.
  public static final CheckpointPolicy DEFAULT =
      new CheckpointPolicy(20_000, 60_000, 64L * 1024 * 1024, 0.5);

  /** After {@code maxEvents} events or {@code maxMillis}, whatever the sizes. */
  public CheckpointPolicy(long maxEvents, long maxMillis) {
    this(maxEvents, maxMillis, Long.MAX_VALUE, 0);
  }

  boolean isDue(long eventsSince, long millisSince, long logBytesSince, long checkpointBytes) {
    boolean triggered =
        eventsSince >= maxEvents || millisSince >= maxMillis || logBytesSince >= maxLogBytes;
    return eventsSince > 0 && triggered && logBytesSince >= logToStateRatio * checkpointBytes;
  }
}
