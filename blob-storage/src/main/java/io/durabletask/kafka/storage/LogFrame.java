package io.durabletask.kafka.storage;

import io.durabletask.kafka.engine.storage.LogEntry;
import io.durabletask.kafka.engine.storage.StorageException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * One group commit in the commit log.
 *
 * <pre>
 * header:  magic "DTL1" (4) | frame length (4) | CRC32C (4) | first position (8) | entry count (4)
 * entries: position (8) | payload length (4) | payload
 * </pre>
 *
 * <p>Frames follow each other without gaps; the bytes after the last frame are zeros, or the torn
 * remains of a write that never became durable.
 */
final class LogFrame {
  static final int MAGIC = 0x44544C31;
  static final int HEADER_BYTES = Frames.HEADER_BYTES + 12;
  static final int ENTRY_HEADER_BYTES = 12;
  static final int MAX_BYTES = 256 << 20;

  private LogFrame() {}

  /** The bytes one entry takes in a frame. */
  static int sizeOf(LogEntry entry) {
    return ENTRY_HEADER_BYTES + entry.payload().length;
  }

  /** Writes the frame of {@code entries}, {@code length} bytes, at index {@code start}. */
  static void encode(ByteBuffer buffer, int start, int length, List<LogEntry> entries) {
    ByteBuffer out = buffer.duplicate().position(start + Frames.HEADER_BYTES);
    out.putLong(entries.get(0).position()).putInt(entries.size());
    for (LogEntry entry : entries) {
      out.putLong(entry.position()).putInt(entry.payload().length).put(entry.payload());
    }
    Frames.seal(buffer, start, MAGIC, length);
  }

  /** The length of the frame at {@code start} if its header and checksum are right, else -1. */
  static int intactLength(ByteBuffer buffer, int start) {
    int length = Frames.lengthOf(buffer, start, MAGIC, HEADER_BYTES, MAX_BYTES);
    return length > 0 && Frames.isIntact(buffer, start, length) ? length : -1;
  }

  static long firstPosition(ByteBuffer buffer, int start) {
    return buffer.getLong(start + Frames.HEADER_BYTES);
  }

  static int entryCount(ByteBuffer buffer, int start) {
    return buffer.getInt(start + Frames.HEADER_BYTES + 8);
  }

  /** The entries of the intact frame at {@code start}. */
  static List<LogEntry> decode(ByteBuffer buffer, int start) {
    long position = firstPosition(buffer, start);
    int count = entryCount(buffer, start);
    ByteBuffer in = buffer.duplicate().position(start + HEADER_BYTES);
    List<LogEntry> entries = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      entries.add(decodeEntry(in, position + i));
    }
    return entries;
  }

  private static LogEntry decodeEntry(ByteBuffer in, long expectedPosition) {
    long position = in.getLong();
    if (position != expectedPosition) {
      throw new StorageException(
          "Expected log entry position "
              + expectedPosition
              + " in an intact frame, but found "
              + position
              + "; the log was written by a faulty writer");
    }
    byte[] payload = new byte[in.getInt()];
    in.get(payload);
    return new LogEntry(position, payload);
  }
}
