package io.durabletask.kafka.storage;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The envelope shared by commit-log frames, checkpoint chunks and checkpoint pointers: a 12-byte
 * header {magic, frame length, CRC32C} followed by the body. The checksum covers the length field
 * and the body, so a frame is valid only if all three header fields agree with what follows.
 */
final class Frames {
  static final int HEADER_BYTES = 12;

  private Frames() {}

  /** Fills in the header of the frame of {@code length} bytes that starts at {@code start}. */
  static void seal(ByteBuffer buffer, int start, int magic, int length) {
    buffer.putInt(start, magic);
    buffer.putInt(start + 4, length);
    buffer.putInt(start + 8, checksum(buffer, start, length));
  }

  /**
   * The length of the frame whose header starts at {@code start}, or -1 if the header is not one of
   * a frame: wrong magic (zeros at the end of a blob, for example) or an impossible length.
   */
  static int lengthOf(ByteBuffer buffer, int start, int magic, int minLength, int maxLength) {
    if (buffer.limit() - start < HEADER_BYTES || buffer.getInt(start) != magic) {
      return -1;
    }
    int length = buffer.getInt(start + 4);
    return length >= minLength && length <= maxLength ? length : -1;
  }

  /** True when the checksum of the frame of {@code length} bytes at {@code start} is right. */
  static boolean isIntact(ByteBuffer buffer, int start, int length) {
    return buffer.limit() - start >= length
        && buffer.getInt(start + 8) == checksum(buffer, start, length);
  }

  private static int checksum(ByteBuffer buffer, int start, int length) {
    CRC32C crc = new CRC32C();
    crc.update(buffer.duplicate().limit(start + 8).position(start + 4));
    crc.update(buffer.duplicate().limit(start + length).position(start + HEADER_BYTES));
    return (int) crc.getValue();
  }
}
