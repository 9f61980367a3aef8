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
    assertThat(meters.counter(PageStoreMetrics.WRITES).count()).isEqualTo(2);
    assertThat(meters.counter(PageStoreMetrics.WRITE_BYTES).count()).isEqualTo(1536);
    assertThat(meters.counter(PageStoreMetrics.FLUSHES).count()).isEqualTo(1);
  }
}
