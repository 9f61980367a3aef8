package io.durabletask.kafka.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PageStoreMetricsTest {
  @TempDir Path folder;

  @Test
  void shouldCountPageWritesTheirBytesAndFlushes() {
    // given
    MeterRegistry meters = new SimpleMeterRegistry();
    try (LocalFilePageStore store = new LocalFilePageStore(folder, meters)) {
      store.createIfMissing();
      Lease lease = store.acquireLease("p00/lease", "owner", Duration.ofSeconds(30));
      PageBlob blob = store.blob("p00/data");
      blob.create(lease);

      // when
      blob.write(0, ByteBuffer.allocate(1024), lease);
      blob.write(1024, ByteBuffer.allocate(512), lease);
      blob.flush();
      lease.release();
    }

    // then
    assertThat(count(meters, PageStoreMetrics.WRITES, "data")).isEqualTo(2);
    assertThat(count(meters, PageStoreMetrics.WRITE_BYTES, "data")).isEqualTo(1536);
    assertThat(count(meters, PageStoreMetrics.FLUSHES, "data")).isEqualTo(1);
  }

  @Test
  void shouldNameTheKindOfBlobAfterItsFileName() {
    // given
    String segment = "p03/log-00000000000000000042";
    String checkpoint = "p03/checkpoint-1200-2";
    String pointer = "p03/pointer";

    // when / then
    assertThat(PageStoreMetrics.kindOf(segment)).isEqualTo("log");
    assertThat(PageStoreMetrics.kindOf(checkpoint)).isEqualTo("checkpoint");
    assertThat(PageStoreMetrics.kindOf(pointer)).isEqualTo("pointer");
  }

  private static double count(MeterRegistry meters, String name, String kind) {
    return meters.get(name).tag(PageStoreMetrics.KIND, kind).counter().count();
  }
}
