package io.durabletask.kafka.storage;

import java.nio.ByteBuffer;

/**
 * Reads ranges of a blob through a read-ahead window, so that scanning many small frames costs few
 * reads (each read is a network call on Azure).
 */
final class BlobReader {
  private final PageBlob blob;
  private final int readAhead;
  private ByteBuffer window = ByteBuffer.allocate(0);
  private long windowStart;

  BlobReader(PageBlob blob, int readAhead) {
    this.blob = blob;
    this.readAhead = readAhead;
  }

  /**
   * The bytes from {@code offset} on, at least {@code length} of them, as a buffer positioned at
   * {@code offset}; or null if the blob ends before.
   */
  ByteBuffer at(long offset, int length) {
    if (offset < windowStart || offset + length > windowStart + window.limit()) {
      windowStart = offset;
      window = blob.read(offset, Math.max(length, readAhead));
    }
    if (offset + length > windowStart + window.limit()) {
      return null;
    }
    return window.duplicate().position((int) (offset - windowStart));
  }
}
