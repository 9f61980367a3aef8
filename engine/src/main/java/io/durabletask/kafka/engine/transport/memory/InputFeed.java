package io.durabletask.kafka.engine.transport.memory;

import io.durabletask.kafka.engine.transport.InputRecord;
import io.durabletask.kafka.engine.transport.PartitionReceiver;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers one partition's records to its receiver on a thread of its own, from a start offset on,
 * in batches of what has arrived.
 *
 * <p>States: running from {@link #start} until {@link #stop}, which waits for a delivery in
 * progress, so that nothing reaches the receiver once it returns. A receiver that throws stops the
 * feed: skipping the batch would leave a gap in the input.
 */
final class InputFeed {
  private static final Logger log = LoggerFactory.getLogger(InputFeed.class);
  private static final int MAX_BATCH = 256;
  private static final long WAIT_MILLIS = 200;
  private static final long STOP_TIMEOUT_MILLIS = 10_000;

  private final int partition;
  private final RecordList input;
  private final PartitionReceiver receiver;
  private final Thread thread;
  private long nextOffset;
  private volatile boolean stopped;

  InputFeed(int partition, long nextOffset, RecordList input, PartitionReceiver receiver) {
    this.partition = partition;
    this.nextOffset = nextOffset;
    this.input = input;
    this.receiver = receiver;
    this.thread = new Thread(this::run, "memory-transport-" + partition);
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  void stop() {
    stopped = true;
    input.wakeUp();
    if (Thread.currentThread() != thread) {
      join();
    }
  }

  private void run() {
    try {
      while (!stopped) {
        deliver(input.read(nextOffset, MAX_BATCH, WAIT_MILLIS));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      log.error("[partition {}] the receiver failed, delivery stops: {}", partition, e.toString());
    }
  }

  private void deliver(List<InputRecord> batch) {
    if (batch.isEmpty() || stopped) {
      return;
    }
    receiver.receive(batch);
    nextOffset += batch.size();
  }

  private void join() {
    try {
      thread.join(STOP_TIMEOUT_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
