package io.durabletask.kafka.storage;

import io.durabletask.kafka.engine.storage.LogEntry;
import io.durabletask.kafka.engine.storage.PartitionOwnershipLostException;
import io.durabletask.kafka.engine.storage.StorageException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The commit log of one partition: entries appended by the partition thread are written by a
 * dedicated writer thread in group commits, one {@link LogFrame} per write.
 *
 * <p>While a write is in flight, appends queue up; the writer takes all of them (up to {@code
 * maxBatchBytes}) as the next frame. The writer keeps the last, partly filled page of the segment
 * in memory and writes it again in front of the next frame, so frames pack without gaps and every
 * write starts at a page boundary. Futures complete in append order, on the writer thread, once
 * their frame is flushed.
 *
 * <p>States: running; failed (a write failed: that batch, everything queued and every later append
 * fail with the same exception, since the log's end is unknown); closed (after {@link #close}
 * drained the queue).
 */
final class CommitLog implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CommitLog.class);

  private final PageStore store;
  private final String partitionFolder;
  private final Lease lease;
  private final int maxBatchBytes;
  private final String logPrefix;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition queued = lock.newCondition();
  private final Deque<Request> queue = new ArrayDeque<>();
  private long lastAppended;
  private CompletableFuture<Void> lastAppend = CompletableFuture.completedFuture(null);
  private RuntimeException failure;
  private boolean closing;

  private final List<LogSegment> segments = new ArrayList<>();
  private LogSegment current;
  private long end;
  private byte[] partialPage = new byte[0];
  private final AtomicLong writes = new AtomicLong();
  private final Thread writer;

  private sealed interface Request permits Append, Roll {
    CompletableFuture<Void> done();
  }

  private record Append(List<LogEntry> entries, int bytes, CompletableFuture<Void> done)
      implements Request {}

  private record Roll(long nextPosition, CompletableFuture<Void> done) implements Request {}

  /**
   * Starts the writer after recovery: appends continue after {@code lastPosition}, at the end of
   * the last intact frame of the scan if that frame holds {@code lastPosition}.
   */
  CommitLog(
      PageStore store,
      String partitionFolder,
      Lease lease,
      LogScan scan,
      long lastPosition,
      int maxBatchBytes,
      String logPrefix) {
    this.store = store;
    this.partitionFolder = partitionFolder;
    this.lease = lease;
    this.maxBatchBytes = maxBatchBytes;
    this.logPrefix = logPrefix;
    this.lastAppended = lastPosition;
    this.segments.addAll(scan.segments());
    continueAfter(scan.lastFrame(), lastPosition);
    this.writer = new Thread(this::runWriter, "commit-log-" + partitionFolder.replace("/", ""));
    this.writer.setDaemon(true);
    this.writer.start();
  }

  private void continueAfter(LogScan.FrameRef last, long lastPosition) {
    if (last == null || last.lastPosition() != lastPosition) {
      return;
    }
    current = last.segment();
    end = last.end();
    int partial = (int) (end - PageBlob.floorToPage(end));
    ByteBuffer page = current.blob().read(PageBlob.floorToPage(end), partial);
    partialPage = new byte[partial];
    page.get(partialPage);
  }

  /**
   * Queues {@code entries} for the next group commit. The future fails at once with {@link
   * IllegalArgumentException} if their positions do not continue the log.
   */
  CompletableFuture<Void> append(List<LogEntry> entries) {
    lock.lock();
    try {
      if (failure != null || closing) {
        return CompletableFuture.failedFuture(failureOrClosed());
      }
      if (entries.isEmpty()) {
        return lastAppend;
      }
      int bytes;
      try {
        bytes = checkPositions(entries);
      } catch (IllegalArgumentException e) {
        return CompletableFuture.failedFuture(e);
      }
      Append append = new Append(List.copyOf(entries), bytes, new CompletableFuture<>());
      enqueue(append);
      lastAppended = entries.get(entries.size() - 1).position();
      lastAppend = append.done();
      return append.done();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Starts a new segment for the entries appended from now on. The future completes once every
   * entry appended before is durable and the new segment exists.
   */
  CompletableFuture<Void> roll() {
    lock.lock();
    try {
      if (failure != null || closing) {
        return CompletableFuture.failedFuture(failureOrClosed());
      }
      Roll roll = new Roll(lastAppended + 1, new CompletableFuture<>());
      enqueue(roll);
      return roll.done();
    } finally {
      lock.unlock();
    }
  }

  /** Deletes the segments whose entries all lie before {@code position}, oldest first. */
  void truncateBefore(long position) {
    for (LogSegment segment : segmentsBefore(position)) {
      segment.blob().delete(lease);
      synchronized (segments) {
        segments.remove(segment);
      }
      LOG.debug("{}Deleted log segment {}", logPrefix, segment.name());
    }
  }

  private List<LogSegment> segmentsBefore(long position) {
    synchronized (segments) {
      List<LogSegment> before = new ArrayList<>();
      for (int i = 0; i + 1 < segments.size(); i++) {
        if (segments.get(i + 1).firstPosition() <= position) {
          before.add(segments.get(i));
        }
      }
      return before;
    }
  }

  /** The names of the segments the log uses now, oldest first. */
  List<String> segmentNames() {
    synchronized (segments) {
      return segments.stream().map(LogSegment::name).toList();
    }
  }

  /** How many group commits were written since the log was opened. */
  long writeCount() {
    return writes.get();
  }

  /** Writes everything queued, then stops the writer. Appends after this fail. */
  @Override
  public void close() {
    lock.lock();
    try {
      closing = true;
      queued.signalAll();
    } finally {
      lock.unlock();
    }
    joinWriter();
  }

  private void joinWriter() {
    try {
      writer.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StorageException("Interrupted while the commit log wrote its last appends", e);
    }
  }

  private void enqueue(Request request) {
    queue.addLast(request);
    queued.signal();
  }

  private int checkPositions(List<LogEntry> entries) {
    long bytes = 0;
    long expected = lastAppended + 1;
    for (LogEntry entry : entries) {
      if (entry.position() != expected) {
        throw new IllegalArgumentException(
            "Expected to append position " + expected + ", but got " + entry.position());
      }
      expected++;
      bytes += LogFrame.sizeOf(entry);
    }
    if (bytes > LogFrame.MAX_BYTES - LogFrame.HEADER_BYTES) {
      throw new IllegalArgumentException(
          "Expected appends of at most " + LogFrame.MAX_BYTES + " bytes, but got " + bytes);
    }
    return (int) bytes;
  }

  private RuntimeException failureOrClosed() {
    return failure != null
        ? failure
        : new IllegalStateException("Expected an open commit log, but it is closed");
  }

  private void runWriter() {
    List<Request> next;
    while ((next = takeNext()) != null) {
      try {
        handle(next);
      } catch (RuntimeException e) {
        onWriteFailed(next, e);
        return;
      }
    }
  }

  /** Blocks until requests are queued: one roll, or the appends up to the next roll. */
  private List<Request> takeNext() {
    lock.lock();
    try {
      while (queue.isEmpty() && !closing) {
        queued.awaitUninterruptibly();
      }
      if (queue.isEmpty()) {
        return null;
      }
      if (queue.peekFirst() instanceof Roll) {
        return List.of(queue.pollFirst());
      }
      return takeBatch();
    } finally {
      lock.unlock();
    }
  }

  private List<Request> takeBatch() {
    List<Request> batch = new ArrayList<>();
    int bytes = 0;
    while (queue.peekFirst() instanceof Append append
        && (batch.isEmpty() || bytes + append.bytes() <= maxBatchBytes)) {
      batch.add(queue.pollFirst());
      bytes += append.bytes();
    }
    return batch;
  }

  private void handle(List<Request> requests) {
    if (requests.get(0) instanceof Roll roll) {
      startSegment(roll);
      roll.done().complete(null);
      return;
    }
    List<Append> appends = requests.stream().map(Append.class::cast).toList();
    writeGroupCommit(appends);
    appends.forEach(append -> append.done().complete(null));
  }

  private void startSegment(Roll roll) {
    if (current == null || end == 0) {
      return;
    }
    current = createSegment(roll.nextPosition());
    LOG.debug("{}Started log segment {}", logPrefix, current.name());
  }

  private void writeGroupCommit(List<Append> appends) {
    List<LogEntry> entries = appends.stream().flatMap(a -> a.entries().stream()).toList();
    if (current == null) {
      current = createSegment(entries.get(0).position());
    }
    int frameLength = LogFrame.HEADER_BYTES + appends.stream().mapToInt(Append::bytes).sum();
    ByteBuffer pages = ByteBuffer.allocate(PageBlob.ceilToPages(partialPage.length + frameLength));
    pages.put(partialPage);
    LogFrame.encode(pages, partialPage.length, frameLength, entries);
    long newEnd = end + frameLength;
    byte[] newPartialPage = Arrays.copyOfRange(pages.array(), tailStart(newEnd), tailEnd(newEnd));
    current.blob().write(PageBlob.floorToPage(end), pages.clear(), lease);
    current.blob().flush();
    end = newEnd;
    partialPage = newPartialPage;
    writes.incrementAndGet();
    LOG.trace("{}Wrote {} entries in {} bytes", logPrefix, entries.size(), frameLength);
  }

  private int tailStart(long newEnd) {
    return (int) (PageBlob.floorToPage(newEnd) - PageBlob.floorToPage(end));
  }

  private int tailEnd(long newEnd) {
    return (int) (newEnd - PageBlob.floorToPage(end));
  }

  private LogSegment createSegment(long firstPosition) {
    String name = LogSegment.nameOf(partitionFolder, firstPosition);
    PageBlob blob = store.blob(name);
    blob.create(lease);
    LogSegment segment = new LogSegment(name, firstPosition, blob);
    synchronized (segments) {
      segments.add(segment);
    }
    end = 0;
    partialPage = new byte[0];
    return segment;
  }

  private void onWriteFailed(List<Request> requests, RuntimeException cause) {
    lock.lock();
    try {
      failure = cause;
      logFailure(cause);
      requests.forEach(request -> request.done().completeExceptionally(cause));
      queue.forEach(request -> request.done().completeExceptionally(cause));
      queue.clear();
    } finally {
      lock.unlock();
    }
  }

  private void logFailure(RuntimeException cause) {
    if (cause instanceof PartitionOwnershipLostException) {
      LOG.warn("{}Stopped writing the commit log: {}", logPrefix, cause.getMessage());
    } else {
      LOG.warn("{}Commit log write failed; failing every later append", logPrefix, cause);
    }
  }
}
