package io.durabletask.kafka.engine.workitem;

import io.durabletask.kafka.avro.ActivityTask;

/**
 * One activity execution handed to a worker. Activities run at least once.
 *
 * @param dispatchId identifies this dispatch
 */
public record ActivityWorkItem(
    int partition, String instanceId, String executionId, ActivityTask task, long dispatchId) {}
