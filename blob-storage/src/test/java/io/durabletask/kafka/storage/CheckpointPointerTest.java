package io.durabletask.kafka.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointPointerTest {
  @TempDir Path folder;

  @Test
  void shouldFallBackToThePreviousPointerWhenTheNewSlotIsTorn() {
    try (LocalFilePageStore store = new LocalFilePageStore(folder)) {
      // given
      Lease lease = store.acquireLease("p00/lease", "owner", Duration.ofSeconds(30));
      PageBlob blob = store.blob("p00/pointer");
      CheckpointPointer first = new CheckpointPointer(1, 10, "p00/checkpoint-10-1", "hub");
      CheckpointPointer second = first.next(20, "p00/checkpoint-20-2");
      first.write(blob, lease);
      second.write(blob, lease);
      assertThat(CheckpointPointer.read(blob)).contains(second);

      // when
      ByteBuffer torn = ByteBuffer.allocate(512);
      torn.put(0, blob.read(0, 512).array(), 0, 40);
      blob.write(0, torn, lease);

      // then
      assertThat(CheckpointPointer.read(blob)).contains(first);
      lease.release();
    }
  }

  @Test
  void shouldReadNoPointerFromAMissingBlob() {
    try (LocalFilePageStore store = new LocalFilePageStore(folder)) {
      assertThat(CheckpointPointer.read(store.blob("p00/pointer"))).isEmpty();
    }
  }
}
