package io.durabletask.kafka.storage;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Which checkpoint of a partition is current: its position, its blob, and the hub id of the task
 * hub incarnation that wrote it.
 *
 * <p>The pointer blob has two 512-byte slots. Each new pointer goes into the slot its sequence
 * number selects, so the slot holding the current pointer is never written; a torn write leaves a
 * slot whose checksum fails, and the other slot still holds the previous pointer. The valid slot
 * with the higher sequence number wins.
 *
 * <pre>
 * slot: header (12, magic "DTKP") | sequence (8) | position (8) | blob name length (2) | blob name
 *       | hub id length (2) | hub id | zeros up to 512 bytes
 * </pre>
 */
record CheckpointPointer(long sequence, long position, String blobName, String hubId) {
  static final String NAME = "pointer";
  private static final int MAGIC = 0x44544B50;
  private static final int SLOT_BYTES = PageBlob.PAGE_SIZE;
  private static final int FIXED_BYTES = Frames.HEADER_BYTES + 20;

  /** The pointer that follows this one, to a checkpoint at {@code newPosition}. */
  CheckpointPointer next(long newPosition, String newBlobName) {
    return new CheckpointPointer(sequence + 1, newPosition, newBlobName, hubId);
  }

  /** The current pointer in {@code blob}, or empty if no slot holds a valid one. */
  static Optional<CheckpointPointer> read(PageBlob blob) {
    ByteBuffer slots = blob.read(0, 2 * SLOT_BYTES);
    return Stream.of(0, SLOT_BYTES)
        .flatMap(start -> decode(slots, start).stream())
        .max(Comparator.comparingLong(CheckpointPointer::sequence));
  }

  /** Writes this pointer into its slot and makes it durable. */
  void write(PageBlob blob, Lease lease) {
    blob.create(lease);
    blob.write((sequence % 2) * SLOT_BYTES, encode(), lease);
    blob.flush();
  }

  private ByteBuffer encode() {
    byte[] name = blobName.getBytes(StandardCharsets.UTF_8);
    byte[] hub = hubId.getBytes(StandardCharsets.UTF_8);
    int length = FIXED_BYTES + name.length + hub.length;
    if (length > SLOT_BYTES) {
      throw new IllegalArgumentException(
          "Expected a checkpoint pointer of at most 512 bytes, but it needs " + length);
    }
    ByteBuffer slot = ByteBuffer.allocate(SLOT_BYTES);
    slot.position(Frames.HEADER_BYTES).putLong(sequence).putLong(position);
    slot.putShort((short) name.length).put(name).putShort((short) hub.length).put(hub);
    Frames.seal(slot, 0, MAGIC, length);
    return slot.clear();
  }

  private static Optional<CheckpointPointer> decode(ByteBuffer slots, int start) {
    int length = Frames.lengthOf(slots, start, MAGIC, FIXED_BYTES, SLOT_BYTES);
    if (length < 0 || !Frames.isIntact(slots, start, length)) {
      return Optional.empty();
    }
    ByteBuffer in = slots.duplicate().position(start + Frames.HEADER_BYTES);
    long sequence = in.getLong();
    long position = in.getLong();
    String name = readString(in);
    String hub = readString(in);
    return Optional.of(new CheckpointPointer(sequence, position, name, hub));
  }

  private static String readString(ByteBuffer in) {
    byte[] bytes = new byte[in.getShort()];
    in.get(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
