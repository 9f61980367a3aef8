package io.durabletask.kafka.engine;

import io.durabletask.kafka.engine.partition.CheckpointPolicy;
import java.util.function.LongSupplier;

/**
 * Settings of the engine on one host.
 *
 * @param hubName the task hub's name
 * @param partitionCount P, fixed when the hub is created
 * @param clock epoch milliseconds; tests may inject their own
 */
public record EngineConfig(
    String hubName, int partitionCount, CheckpointPolicy checkpointPolicy, LongSupplier clock) {

  public static final int DEFAULT_PARTITION_COUNT = 12;

  public EngineConfig {
    if (hubName == null || hubName.isBlank()) {
      throw new IllegalArgumentException("Expected a task hub name, but it is empty");
    }
    if (partitionCount < 1 || partitionCount > 1024) {
      throw new IllegalArgumentException(
          "Expected a partition count from 1 to 1024, but it is " + partitionCount);
    }
  }

  public static EngineConfig of(String hubName, int partitionCount) {
    return new EngineConfig(
        hubName, partitionCount, CheckpointPolicy.DEFAULT, System::currentTimeMillis);
  }
}
