package io.durabletask.kafka.bench;

import org.HdrHistogram.Histogram;

/**
 * The raw result of one run of a scenario in one mode.
 *
 * @param count instances completed and verified
 * @param concurrency instances at most at once: 1 in latency mode
 * @param elapsedNanos from the first scheduling to the last completion
 * @param latencies microseconds per instance, in latency mode; null in throughput mode
 */
record Measurement(
    Scenario scenario,
    Mode mode,
    int count,
    int concurrency,
    long elapsedNanos,
    Histogram latencies,
    Usage usage) {}
