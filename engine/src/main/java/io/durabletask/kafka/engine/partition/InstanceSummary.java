package io.durabletask.kafka.engine.partition;

import io.durabletask.kafka.avro.InstanceRecord;
import io.durabletask.kafka.avro.RuntimeStatus;
import io.durabletask.kafka.engine.query.QueryKey;

/**
 * What listings and filters need of an instance, kept in memory for every instance of a partition.
 * Id and created time never change; status and end time are current while the instance is cached
 * (read them through {@link PartitionState}) and brought up to date when it leaves the cache.
 */
final class InstanceSummary {
  private final String instanceId;
  private final long createdTime;
  private RuntimeStatus status;
  private long endTime;

  InstanceSummary(InstanceRecord record) {
    this.instanceId = record.getInstanceId();
    this.createdTime = record.getCreatedTime();
    update(record);
  }

  void update(InstanceRecord record) {
    status = record.getStatus();
    endTime = completedTimeOf(record);
  }

  /** The completed time, or the last update for an instance that has none. */
  static long completedTimeOf(InstanceRecord record) {
    Long completed = record.getCompletedTime();
    return completed != null ? completed : record.getLastUpdatedTime();
  }

  String instanceId() {
    return instanceId;
  }

  long createdTime() {
    return createdTime;
  }

  RuntimeStatus status() {
    return status;
  }

  long endTime() {
    return endTime;
  }

  QueryKey key() {
    return new QueryKey(createdTime, instanceId);
  }
}
