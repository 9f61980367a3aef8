package io.durabletask.kafka.bench;

import java.util.List;

/**
 * The options a bench ran with, as reported.
 *
 * @param instances the throughput instances of every scenario, or null for each scenario's default
 * @param concurrency the throughput concurrency of every scenario, or null for each one's default
 */
record Settings(
    List<String> workloads,
    List<String> modes,
    int latencyRuns,
    Integer instances,
    Integer concurrency,
    int workers,
    int warmupSeconds,
    int partitions,
    int baselineRecords) {}
