package io.durabletask.kafka.bench;

import org.HdrHistogram.Histogram;

/**
 * One line of the report: a scenario in one mode. Fields that do not apply to the mode are null:
 * rates and ratios in latency mode, percentiles in throughput mode, payload rates outside the
 * payload scenarios. 1 MB = 10^6 bytes.
 *
 * @param throughputToRawKafka orchestrations per second divided by the raw Kafka baseline's records
 *     produced per second
 * @param storageWritesToRawPageStore the run's page-blob writes per second divided by the raw page
 *     store baseline's 1 KB appends (each with a flush) per second
 */
record Row(
    String workload,
    String mode,
    int count,
    int concurrency,
    double seconds,
    Double orchestrationsPerSecond,
    Double payloadMegabytesPerSecond,
    Double p50Millis,
    Double p95Millis,
    Double p99Millis,
    Double maxMillis,
    double cpuSecondsPerOrchestration,
    double kafkaRecordsPerOrchestration,
    double kafkaBytesPerOrchestration,
    double storageWritesPerOrchestration,
    double storageBytesPerOrchestration,
    double checkpointBytesPerOrchestration,
    double storageFlushesPerOrchestration,
    double peakHeapMegabytes,
    double liveHeapMegabytes,
    Double throughputToRawKafka,
    Double storageWritesToRawPageStore) {

  /** The row of {@code measurement}, with its ratios to {@code baselines}. */
  static Row of(Measurement measurement, Baselines baselines) {
    Usage usage = measurement.usage();
    double count = measurement.count();
    double seconds = measurement.elapsedNanos() / 1e9;
    boolean throughput = measurement.mode() == Mode.THROUGHPUT;
    Double perSecond = throughput ? count / seconds : null;
    Histogram latencies = measurement.latencies();
    return new Row(
        measurement.scenario().name(),
        measurement.mode().cliName(),
        measurement.count(),
        measurement.concurrency(),
        seconds,
        perSecond,
        payloadRate(measurement.scenario(), perSecond),
        percentileMillis(latencies, 50),
        percentileMillis(latencies, 95),
        percentileMillis(latencies, 99),
        latencies == null ? null : latencies.getMaxValue() / 1000.0,
        usage.cpuNanos() / 1e9 / count,
        usage.kafkaRecords() / count,
        usage.kafkaBytes() / count,
        usage.storageWrites() / count,
        usage.storageBytes() / count,
        usage.checkpointBytes() / count,
        usage.storageFlushes() / count,
        usage.peakHeapBytes() / 1e6,
        usage.liveHeapBytes() / 1e6,
        throughput ? perSecond / baselines.kafka().produced().perSecond() : null,
        throughput ? writesToRawAppends(usage, seconds, baselines) : null);
  }

  private static double writesToRawAppends(Usage usage, double seconds, Baselines baselines) {
    return usage.storageWrites() / seconds / baselines.pageStore().frames().perSecond();
  }

  private static Double payloadRate(Scenario scenario, Double perSecond) {
    if (perSecond == null || scenario.payloadBytes() == 0) {
      return null;
    }
    return perSecond * scenario.payloadBytes() / 1e6;
  }

  private static Double percentileMillis(Histogram latencies, double percentile) {
    return latencies == null ? null : latencies.getValueAtPercentile(percentile) / 1000.0;
  }
}
