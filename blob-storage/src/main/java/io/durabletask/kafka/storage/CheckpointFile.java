package io.durabletask.kafka.storage;

import io.durabletask.kafka.engine.storage.StorageException;
import io.durabletask.kafka.storage.RocksDbStateStore.StateSnapshot;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * A checkpoint blob: every key and value of a partition's state, in chunks, and an end chunk that
 * says the checkpoint is complete. Each chunk starts at a page boundary.
 *
 * <pre>
 * chunk:     header (12, magic "DTKC") | kind (4) | record count (4) | records
 * record:    key length (4) | key | value length (4) | value
 * end chunk: header | kind END | total record count (4) | position (8) | hub id length (2) | hub id
 * </pre>
 */
final class CheckpointFile {
  private static final int MAGIC = 0x44544B43;
  private static final int RECORDS = 1;
  private static final int END = 2;
  private static final int CHUNK_HEADER_BYTES = Frames.HEADER_BYTES + 8;
  private static final int MAX_CHUNK_BYTES = 1 << 30;

  /** What a written checkpoint holds. */
  record Summary(long records, long bytes) {}

  private CheckpointFile() {}

  /**
   * Writes the records of {@code snapshot} into {@code blob} in chunks of about {@code chunkBytes}
   * and makes them durable.
   *
   * @throws CancellationException if {@code cancelled} turns true before the end
   */
  static Summary write(
      PageBlob blob,
      Lease lease,
      StateSnapshot snapshot,
      long position,
      String hubId,
      int chunkBytes,
      BooleanSupplier cancelled) {
    ChunkWriter writer = new ChunkWriter(blob, lease, chunkBytes, cancelled);
    blob.create(lease);
    snapshot.forEach(writer::add);
    writer.finish(position, hubId);
    blob.flush();
    return new Summary(writer.total, writer.offset);
  }

  /**
   * Reads every record of the checkpoint in {@code blob}, handing them to {@code sink} a chunk at a
   * time.
   *
   * @throws StorageException if the checkpoint is damaged, incomplete, or of another position
   */
  static long read(
      PageBlob blob, long position, String hubId, Consumer<List<Map.Entry<byte[], byte[]>>> sink) {
    BlobReader reader = new BlobReader(blob, 4 * LogScan.READ_AHEAD_BYTES);
    long offset = 0;
    long records = 0;
    while (true) {
      ByteBuffer chunk = readChunk(reader, blob, offset);
      int start = chunk.position();
      int count = chunk.getInt(start + Frames.HEADER_BYTES + 4);
      if (chunk.getInt(start + Frames.HEADER_BYTES) == END) {
        checkEnd(blob, chunk, count, records, position, hubId);
        return records;
      }
      sink.accept(decodeRecords(chunk, count));
      records += count;
      offset += PageBlob.ceilToPages(chunk.getInt(start + 4));
    }
  }

  private static ByteBuffer readChunk(BlobReader reader, PageBlob blob, long offset) {
    ByteBuffer header = reader.at(offset, CHUNK_HEADER_BYTES);
    int length =
        header == null
            ? -1
            : Frames.lengthOf(
                header, header.position(), MAGIC, CHUNK_HEADER_BYTES, MAX_CHUNK_BYTES);
    ByteBuffer chunk = length < 0 ? null : reader.at(offset, length);
    if (chunk == null || !Frames.isIntact(chunk, chunk.position(), length)) {
      throw new StorageException(
          "Expected checkpoint "
              + blob.name()
              + " to be complete, but the chunk at offset "
              + offset
              + " is damaged or missing");
    }
    return chunk;
  }

  private static List<Map.Entry<byte[], byte[]>> decodeRecords(ByteBuffer chunk, int count) {
    ByteBuffer in = chunk.duplicate().position(chunk.position() + CHUNK_HEADER_BYTES);
    List<Map.Entry<byte[], byte[]>> records = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      records.add(new SimpleImmutableEntry<>(readBytes(in), readBytes(in)));
    }
    return records;
  }

  private static byte[] readBytes(ByteBuffer in) {
    byte[] bytes = new byte[in.getInt()];
    in.get(bytes);
    return bytes;
  }

  private static void checkEnd(
      PageBlob blob, ByteBuffer chunk, int total, long records, long position, String hubId) {
    ByteBuffer in = chunk.duplicate().position(chunk.position() + CHUNK_HEADER_BYTES);
    long endPosition = in.getLong();
    byte[] hub = new byte[in.getShort()];
    in.get(hub);
    String endHubId = new String(hub, StandardCharsets.UTF_8);
    if (total != records || endPosition != position || !endHubId.equals(hubId)) {
      throw new StorageException(
          "Expected checkpoint "
              + blob.name()
              + " to hold "
              + total
              + " records of hub id "
              + hubId
              + " at position "
              + position
              + ", but it holds "
              + records
              + " records of hub id "
              + endHubId
              + " at position "
              + endPosition);
    }
  }

  /** Packs records into chunks and writes each full chunk at the next page boundary. */
  private static final class ChunkWriter {
    private final PageBlob blob;
    private final Lease lease;
    private final int chunkBytes;
    private final BooleanSupplier cancelled;
    private ByteBuffer chunk;
    private int count;
    private long total;
    private long offset;

    ChunkWriter(PageBlob blob, Lease lease, int chunkBytes, BooleanSupplier cancelled) {
      this.blob = blob;
      this.lease = lease;
      this.chunkBytes = chunkBytes;
      this.cancelled = cancelled;
      this.chunk = newChunk(chunkBytes);
    }

    void add(byte[] key, byte[] value) {
      int size = 8 + key.length + value.length;
      if (chunk.remaining() < size && count > 0) {
        emit(RECORDS);
      }
      if (chunk.remaining() < size) {
        chunk = newChunk(CHUNK_HEADER_BYTES + size);
      }
      chunk.putInt(key.length).put(key).putInt(value.length).put(value);
      count++;
      total++;
    }

    void finish(long position, String hubId) {
      if (count > 0) {
        emit(RECORDS);
      }
      byte[] hub = hubId.getBytes(StandardCharsets.UTF_8);
      chunk.putLong(position).putShort((short) hub.length).put(hub);
      count = (int) total;
      emit(END);
    }

    private void emit(int kind) {
      if (cancelled.getAsBoolean()) {
        throw new CancellationException("Checkpoint of " + blob.name() + " cancelled");
      }
      int length = chunk.position();
      int padded = PageBlob.ceilToPages(length);
      chunk.putInt(Frames.HEADER_BYTES, kind).putInt(Frames.HEADER_BYTES + 4, count);
      Frames.seal(chunk, 0, MAGIC, length);
      Arrays.fill(chunk.array(), length, padded, (byte) 0);
      blob.write(offset, ByteBuffer.wrap(chunk.array(), 0, padded), lease);
      offset += padded;
      chunk = newChunk(chunkBytes);
      count = 0;
    }

    private static ByteBuffer newChunk(int bytes) {
      ByteBuffer buffer = ByteBuffer.allocate(PageBlob.ceilToPages(bytes));
      return buffer.position(CHUNK_HEADER_BYTES);
    }
  }
}
