package io.durabletask.kafka.bench;

import io.durabletask.kafka.storage.PageStoreMetrics;
import io.durabletask.kafka.transport.TransportMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.Search;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.List;

/**
 * Measures a run's {@link Usage}: the process's CPU time, the host's Kafka and storage counters (as
 * deltas between {@link #begin} and {@link #end}), and the peak heap in between.
 */
final class ResourceProbe {
  private final MeterRegistry meters;
  private final com.sun.management.OperatingSystemMXBean os =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  private final List<MemoryPoolMXBean> heapPools =
      ManagementFactory.getMemoryPoolMXBeans().stream()
          .filter(pool -> pool.getType() == MemoryType.HEAP)
          .toList();

  /** Where the counters stood at the start of a run. */
  record Snapshot(
      long cpuNanos,
      double kafkaRecords,
      double kafkaBytes,
      double storageWrites,
      double storageBytes,
      double checkpointBytes,
      double storageFlushes) {}

  ResourceProbe(MeterRegistry meters) {
    this.meters = meters;
  }

  /** Resets the heap pools' peaks and notes where the counters stand. */
  Snapshot begin() {
    heapPools.forEach(MemoryPoolMXBean::resetPeakUsage);
    return snapshot();
  }

  /** What was used since {@code begin}. */
  Usage end(Snapshot begin) {
    Snapshot end = snapshot();
    return new Usage(
        end.cpuNanos() - begin.cpuNanos(),
        end.kafkaRecords() - begin.kafkaRecords(),
        end.kafkaBytes() - begin.kafkaBytes(),
        end.storageWrites() - begin.storageWrites(),
        end.storageBytes() - begin.storageBytes(),
        end.checkpointBytes() - begin.checkpointBytes(),
        end.storageFlushes() - begin.storageFlushes(),
        peakHeapBytes());
  }

  private Snapshot snapshot() {
    return new Snapshot(
        os.getProcessCpuTime(),
        sum(TransportMetrics.RECORDS_SENT),
        sum(TransportMetrics.BYTES_SENT),
        sum(PageStoreMetrics.WRITES),
        sum(PageStoreMetrics.WRITE_BYTES),
        sum(meters.find(PageStoreMetrics.WRITE_BYTES).tag(PageStoreMetrics.KIND, "checkpoint")),
        sum(PageStoreMetrics.FLUSHES));
  }

  private double sum(String counter) {
    return sum(meters.find(counter));
  }

  private static double sum(Search search) {
    return search.counters().stream().mapToDouble(Counter::count).sum();
  }

  private long peakHeapBytes() {
    return heapPools.stream().mapToLong(pool -> pool.getPeakUsage().getUsed()).sum();
  }
}
