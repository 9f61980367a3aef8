package io.durabletask.kafka.storage;

import io.durabletask.kafka.engine.storage.PartitionOwnershipLostException;
import java.nio.ByteBuffer;

/**
 * A blob of 512-byte pages: written at page-aligned offsets in whole pages, read at any range.
 * Bytes never written read as zero.
 *
 * <p>Every change presents the {@link Lease} of the owner; a change by a host whose lease was taken
 * over fails with {@link PartitionOwnershipLostException}. Reads need no lease.
 */
public interface PageBlob {

  /** The size of a page; offsets and lengths of writes are multiples of it. */
  int PAGE_SIZE = 512;

  String name();

  boolean exists();

  /** Creates the blob, empty, unless it exists. */
  void create(Lease lease);

  /**
   * The size of the blob in bytes: at least the end of the last write, and possibly more where the
   * implementation allocates ahead (Azure page blobs have a fixed size).
   */
  long length();

  /**
   * Writes {@code pages} (its remaining bytes, a multiple of {@link #PAGE_SIZE}) at {@code offset}
   * (a multiple of {@link #PAGE_SIZE}), growing the blob as needed. The bytes are durable after
   * {@link #flush()}.
   */
  void write(long offset, ByteBuffer pages, Lease lease);

  /** Makes every write made so far durable. */
  void flush();

  /** Reads up to {@code maxLength} bytes at {@code offset}; fewer at the end of the blob. */
  ByteBuffer read(long offset, int maxLength);

  /** Deletes the blob if it exists. */
  void delete(Lease lease);

  /** Rounds {@code offset} down to a page boundary. */
  static long floorToPage(long offset) {
    return offset - Math.floorMod(offset, PAGE_SIZE);
  }

  /** Rounds {@code length} up to whole pages. */
  static int ceilToPages(int length) {
    return (length + PAGE_SIZE - 1) / PAGE_SIZE * PAGE_SIZE;
  }
}
