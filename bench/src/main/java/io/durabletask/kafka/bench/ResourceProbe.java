package io.durabletask.kafka.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import io.durabletask.kafka.storage.PageStoreMetrics;
import io.durabletask.kafka.transport.TransportMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.Search;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * Measures a run's {@link Usage}: the process's CPU time, the host's Kafka and storage counters (as
 * deltas between {@link #begin} and {@link #end}), and the peak and live heap in between. The live
 * heap comes from the garbage collectors' notifications: the heap in use after each collection.
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

  private final Set<String> heapPoolNames =
      heapPools.stream().map(MemoryPoolMXBean::getName).collect(Collectors.toSet());
  private final AtomicLong liveHeapBytes = new AtomicLong(-1);

  ResourceProbe(MeterRegistry meters) {
    this.meters = meters;
    for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (collector instanceof NotificationEmitter emitter) {
        emitter.addNotificationListener(this::onCollection, null, null);
      }
    }
  }

  /** Resets the heap pools' peaks and the live heap, and notes where the counters stand. */
  Snapshot begin() {
    heapPools.forEach(MemoryPoolMXBean::resetPeakUsage);
    liveHeapBytes.set(-1);
    return snapshot();
  }

  private void onCollection(Notification notification, Object handback) {
    if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(
        notification.getType())) {
      return;
    }
    GarbageCollectionNotificationInfo info =
        GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
    long after =
        info.getGcInfo().getMemoryUsageAfterGc().entrySet().stream()
            .filter(pool -> heapPoolNames.contains(pool.getKey()))
            .mapToLong(pool -> pool.getValue().getUsed())
            .sum();
    liveHeapBytes.accumulateAndGet(after, Math::max);
  }

  private long liveHeapBytes() {
    long live = liveHeapBytes.get();
    return live >= 0 ? live : heapPools.stream().mapToLong(p -> p.getUsage().getUsed()).sum();
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
        peakHeapBytes(),
        liveHeapBytes());
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
