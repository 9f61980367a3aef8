package io.durabletask.kafka.engine.transport;

/** One record of a partition's input and its offset in that input. */
public record InputRecord(long offset, byte[] value) {}
