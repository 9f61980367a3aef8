package io.durabletask.kafka.storage;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;

/**
 * The counters of a {@link LocalFilePageStore}: page-blob writes (calls of {@link PageBlob#write})
 * with their bytes, and flushes that forced a blob's file to disk. Each is tagged {@value #KIND}
 * with the kind of blob, the start of its file name up to the first {@code -}: {@code log} for
 * commit-log segments, {@code checkpoint}, {@code pointer}. Documents, leases and the RocksDB cache
 * are not counted.
 */
public final class PageStoreMetrics {
  /** Page-blob write calls. */
  public static final String WRITES = "durabletask.storage.writes";

  /** Bytes of page-blob write calls: whole 512-byte pages. */
  public static final String WRITE_BYTES = "durabletask.storage.write.bytes";

  /** Page-blob flushes that forced the blob's file to disk (an fsync). */
  public static final String FLUSHES = "durabletask.storage.flushes";

  /** The tag that names the kind of blob. */
  public static final String KIND = "blob";

  private final MeterRegistry registry;

  PageStoreMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Counters that go nowhere, for stores nobody measures. */
  static PageStoreMetrics none() {
    return new PageStoreMetrics(new CompositeMeterRegistry());
  }

  /** The counters of the blob {@code name}. */
  BlobCounters forBlob(String name) {
    String kind = kindOf(name);
    return new BlobCounters(
        registry.counter(WRITES, KIND, kind),
        registry.counter(WRITE_BYTES, KIND, kind),
        registry.counter(FLUSHES, KIND, kind));
  }

  /** {@code p03/log-00000000000000000042} is of kind {@code log}. */
  static String kindOf(String name) {
    String file = name.substring(name.lastIndexOf('/') + 1);
    int dash = file.indexOf('-');
    return dash > 0 ? file.substring(0, dash) : file;
  }

  /** The counters of one blob. */
  record BlobCounters(Counter writes, Counter writeBytes, Counter flushes) {
    void recordWrite(int bytes) {
      writes.increment();
      writeBytes.increment(bytes);
    }

    void recordFlush() {
      flushes.increment();
    }
  }
}
