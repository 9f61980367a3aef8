package io.durabletask.kafka.storage;

import io.durabletask.kafka.engine.storage.LogEntry;
import io.durabletask.kafka.engine.storage.StorageException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * What recovery finds in the commit log of a partition: the intact frames of every segment, in
 * order, up to the first frame that is torn, damaged, or does not continue the positions before it.
 * That frame and everything after it in its segment are cut: the writer continues at the end of the
 * last intact frame and overwrites them.
 */
final class LogScan {
  static final int READ_AHEAD_BYTES = 1 << 20;

  /** Where one intact frame is. */
  record FrameRef(LogSegment segment, long offset, int length, long firstPosition, int count) {
    long lastPosition() {
      return firstPosition + count - 1;
    }

    long end() {
      return offset + length;
    }
  }

  private final List<LogSegment> segments;
  private final List<LogSegment> emptySegments;
  private final List<FrameRef> frames;

  private LogScan(List<LogSegment> segments, List<LogSegment> empty, List<FrameRef> frames) {
    this.segments = segments;
    this.emptySegments = empty;
    this.frames = frames;
  }

  /**
   * Scans the segments under {@code partitionFolder}.
   *
   * @throws StorageException if segments are missing between the checkpoint and the log's end
   */
  static LogScan scan(PageStore store, String partitionFolder, long checkpointPosition) {
    List<LogSegment> withFrames = new ArrayList<>();
    List<LogSegment> empty = new ArrayList<>();
    List<FrameRef> frames = new ArrayList<>();
    for (LogSegment segment : listSegments(store, partitionFolder)) {
      List<FrameRef> found = scanSegment(segment);
      if (found.isEmpty()) {
        empty.add(segment);
        continue;
      }
      checkContinues(frames, segment, checkpointPosition);
      withFrames.add(segment);
      frames.addAll(found);
    }
    return new LogScan(withFrames, empty, frames);
  }

  static List<LogSegment> listSegments(PageStore store, String partitionFolder) {
    return store.list(partitionFolder + LogSegment.PREFIX).stream()
        .flatMap(name -> LogSegment.parse(store, partitionFolder, name).stream())
        .sorted(Comparator.comparingLong(LogSegment::firstPosition))
        .toList();
  }

  private static List<FrameRef> scanSegment(LogSegment segment) {
    BlobReader reader = new BlobReader(segment.blob(), READ_AHEAD_BYTES);
    List<FrameRef> found = new ArrayList<>();
    long offset = 0;
    long expectedPosition = segment.firstPosition();
    FrameRef frame;
    while ((frame = readFrame(reader, segment, offset, expectedPosition)) != null) {
      found.add(frame);
      offset = frame.end();
      expectedPosition = frame.lastPosition() + 1;
    }
    return found;
  }

  private static FrameRef readFrame(
      BlobReader reader, LogSegment segment, long offset, long expectedPosition) {
    ByteBuffer header = reader.at(offset, LogFrame.HEADER_BYTES);
    if (header == null) {
      return null;
    }
    int length = Frames.lengthOf(header, header.position(), LogFrame.MAGIC, 0, LogFrame.MAX_BYTES);
    ByteBuffer frame = length < LogFrame.HEADER_BYTES ? null : reader.at(offset, length);
    if (frame == null || LogFrame.intactLength(frame, frame.position()) != length) {
      return null;
    }
    long first = LogFrame.firstPosition(frame, frame.position());
    int count = LogFrame.entryCount(frame, frame.position());
    if (first != expectedPosition || count <= 0) {
      return null;
    }
    return new FrameRef(segment, offset, length, first, count);
  }

  private static void checkContinues(
      List<FrameRef> before, LogSegment segment, long checkpointPosition) {
    long expected = before.isEmpty() ? checkpointPosition + 1 : lastOf(before) + 1;
    boolean continues =
        before.isEmpty()
            ? segment.firstPosition() <= expected
            : segment.firstPosition() == expected;
    if (!continues) {
      throw new StorageException(
          "Expected log segment "
              + segment.name()
              + " to continue the log at position "
              + expected
              + ", but it starts at "
              + segment.firstPosition()
              + ". Segments are missing; restore them, or delete the task hub to start over.");
    }
  }

  private static long lastOf(List<FrameRef> frames) {
    return frames.get(frames.size() - 1).lastPosition();
  }

  /** The position of the last durable entry, or 0 if the log holds none. */
  long lastPosition() {
    return frames.isEmpty() ? 0 : lastOf(frames);
  }

  /** The segments that hold intact frames, in order. */
  List<LogSegment> segments() {
    return segments;
  }

  /** Segments without a single intact frame: never written, or their first write was torn. */
  List<LogSegment> emptySegments() {
    return emptySegments;
  }

  /** The last intact frame, or null if there is none. */
  FrameRef lastFrame() {
    return frames.isEmpty() ? null : frames.get(frames.size() - 1);
  }

  /** The durable entries with a position above {@code position}, read lazily in order. */
  Iterator<LogEntry> entriesAfter(long position) {
    List<FrameRef> needed =
        frames.stream().filter(frame -> frame.lastPosition() > position).toList();
    return new EntryIterator(needed, position);
  }

  private static final class EntryIterator implements Iterator<LogEntry> {
    private final Iterator<FrameRef> frames;
    private final long after;
    private Iterator<LogEntry> current = List.<LogEntry>of().iterator();
    private LogSegment readerSegment;
    private BlobReader reader;

    EntryIterator(List<FrameRef> frames, long after) {
      this.frames = frames.iterator();
      this.after = after;
    }

    @Override
    public boolean hasNext() {
      while (!current.hasNext() && frames.hasNext()) {
        current = read(frames.next()).stream().filter(e -> e.position() > after).iterator();
      }
      return current.hasNext();
    }

    @Override
    public LogEntry next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return current.next();
    }

    private List<LogEntry> read(FrameRef frame) {
      if (frame.segment() != readerSegment) {
        readerSegment = frame.segment();
        reader = new BlobReader(frame.segment().blob(), READ_AHEAD_BYTES);
      }
      ByteBuffer bytes = reader.at(frame.offset(), frame.length());
      if (bytes == null || LogFrame.intactLength(bytes, bytes.position()) != frame.length()) {
        throw new StorageException(
            "Expected the frame at offset "
                + frame.offset()
                + " of "
                + frame.segment().name()
                + " to be intact as at recovery, but it changed; another host may have written it");
      }
      return LogFrame.decode(bytes, bytes.position());
    }
  }
}
