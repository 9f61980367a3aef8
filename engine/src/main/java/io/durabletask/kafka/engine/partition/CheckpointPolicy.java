package io.durabletask.kafka.engine.partition;

/**
 * When a partition writes a checkpoint: after {@code maxEvents} update events or {@code maxMillis}
 * since the last one, whichever comes first.
 */
public record CheckpointPolicy(long maxEvents, long maxMillis) {
  public static final CheckpointPolicy DEFAULT = new CheckpointPolicy(20_000, 60_000);

  boolean isDue(long eventsSince, long millisSince) {
    return eventsSince > 0 && (eventsSince >= maxEvents || millisSince >= maxMillis);
  }
}
