package io.durabletask.kafka.bench;

import io.durabletask.kafka.storage.Lease;
import io.durabletask.kafka.storage.LocalFilePageStore;
import io.durabletask.kafka.storage.PageBlob;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.SplittableRandom;

/**
 * The raw page-store baseline: appends to a page blob of a {@link LocalFilePageStore} in a folder
 * of its own, flushing (fsync) after every append, first {@value #FRAME_APPENDS} frames of {@value
 * #FRAME_BYTES} bytes (about one small group commit each), then {@value #BATCH_APPENDS} batches of
 * {@value #BATCH_BYTES} bytes. The blobs are deleted afterwards.
 */
final class PageStoreBaseline {
  static final int FRAME_BYTES = 1024;
  static final int FRAME_APPENDS = 5_000;
  static final int BATCH_BYTES = 64 * 1024;
  static final int BATCH_APPENDS = 1_000;
  private static final Duration LEASE = Duration.ofMinutes(10);

  /** Appends with a flush each: of frames of about 1 KB, and of 64 KB batches. */
  record Result(int frameBytes, Rate frames, int batchBytes, Rate batches) {}

  private final Path folder;

  PageStoreBaseline(Path folder) {
    this.folder = folder;
  }

  Result run() {
    try (LocalFilePageStore store = new LocalFilePageStore(folder)) {
      store.createIfMissing();
      Lease lease = store.acquireLease("raw/lease", "bench", LEASE);
      try {
        Rate frames = appendAndFlush(store.blob("raw/frames"), lease, FRAME_BYTES, FRAME_APPENDS);
        Rate batches = appendAndFlush(store.blob("raw/batches"), lease, BATCH_BYTES, BATCH_APPENDS);
        return new Result(FRAME_BYTES, frames, BATCH_BYTES, batches);
      } finally {
        lease.release();
      }
    }
  }

  private static Rate appendAndFlush(PageBlob blob, Lease lease, int bytes, int appends) {
    byte[] content = new byte[bytes];
    new SplittableRandom(1).nextBytes(content);
    blob.create(lease);
    long begin = System.nanoTime();
    for (int i = 0; i < appends; i++) {
      blob.write((long) i * bytes, ByteBuffer.wrap(content), lease);
      blob.flush();
    }
    long elapsed = System.nanoTime() - begin;
    blob.delete(lease);
    return Rate.of(appends, bytes, elapsed);
  }
}
