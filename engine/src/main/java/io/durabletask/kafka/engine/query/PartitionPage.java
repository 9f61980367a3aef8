package io.durabletask.kafka.engine.query;

import java.util.List;

/**
 * One partition's answer to a listing: its first matches after the requested key, in listing order.
 *
 * @param hasMore the partition has more matches after the last one given
 */
public record PartitionPage<T>(List<T> items, boolean hasMore) {}
