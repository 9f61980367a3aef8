package io.durabletask.kafka.storage;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;

/**
 * The counters of a {@link LocalFilePageStore}: page-blob writes (calls of {@link PageBlob#write})
 * with their bytes, and flushes that forced a blob's file to disk. Documents, leases and the
 * RocksDB cache are not counted.
 */
public final class PageStoreMetrics {
  /** Page-blob write calls. */
  public static final String WRITES = "durabletask.storage.writes";

  /** Bytes of page-blob write calls: whole 512-byte pages. */
  public static final String WRITE_BYTES = "durabletask.storage.write.bytes";

  /** Page-blob flushes that forced the blob's file to disk (an fsync). */
  public static final String FLUSHES = "durabletask.storage.flushes";

  private final Counter writes;
  private final Counter writeBytes;
  private final Counter flushes;

  PageStoreMetrics(MeterRegistry registry) {
    this.writes = registry.counter(WRITES);
    this.writeBytes = registry.counter(WRITE_BYTES);
    this.flushes = registry.counter(FLUSHES);
  }

  /** Counters that go nowhere, for stores nobody measures. */
  static PageStoreMetrics none() {
    return new PageStoreMetrics(new CompositeMeterRegistry());
  }

  void recordWrite(int bytes) {
    writes.increment();
    writeBytes.increment(bytes);
  }

  void recordFlush() {
    flushes.increment();
  }
}
