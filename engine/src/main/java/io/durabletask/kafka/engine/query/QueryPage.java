package io.durabletask.kafka.engine.query;

import java.util.List;

/**
 * One page of a listing across all partitions.
 *
 * @param items the page, in listing order; empty only when nothing (more) matches
 * @param next where the next page starts, or null when no more items match
 */
public record QueryPage<T>(List<T> items, QueryKey next) {}
