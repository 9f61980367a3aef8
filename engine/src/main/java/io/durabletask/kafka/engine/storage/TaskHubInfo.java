package io.durabletask.kafka.engine.storage;

/**
 * What {@code taskhub.json} records about a task hub.
 *
 * @param hubId random id given at creation, so a recreated hub never mixes with an old one
 */
public record TaskHubInfo(
    String name, int partitionCount, long createdTimeMillis, int formatVersion, String hubId) {}
