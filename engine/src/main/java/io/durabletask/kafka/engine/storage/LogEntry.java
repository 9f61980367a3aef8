package io.durabletask.kafka.engine.storage;

/** One encoded update event of a partition and its position in the partition's log. */
public record LogEntry(long position, byte[] payload) {}
