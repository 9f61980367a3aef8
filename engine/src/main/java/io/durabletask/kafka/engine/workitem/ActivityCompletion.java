package io.durabletask.kafka.engine.workitem;

import io.durabletask.kafka.avro.FailureDetails;

/** The outcome of one activity: a result, or failure details when it failed. */
public record ActivityCompletion(
    String instanceId, String executionId, int taskId, String result, FailureDetails failure) {}
