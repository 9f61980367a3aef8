package io.durabletask.kafka.engine.transport.memory;

import io.durabletask.kafka.engine.transport.InputRecord;
import java.util.ArrayList;
import java.util.List;

/** The append-only input of one partition; a record's offset is its index. */
final class RecordList {
  private final List<byte[]> records = new ArrayList<>();

  /** Appends the records together and returns the offset of the first. */
  synchronized long append(List<byte[]> values) {
    long first = records.size();
    values.forEach(value -> records.add(value.clone()));
    notifyAll();
    return first;
  }

  /**
   * Waits up to {@code waitMillis} for records at or after {@code offset}; returns at most {@code
   * max} of them, or none.
   */
  synchronized List<InputRecord> read(long offset, int max, long waitMillis)
      throws InterruptedException {
    if (records.size() <= offset && waitMillis > 0) {
      wait(waitMillis);
    }
    List<InputRecord> batch = new ArrayList<>();
    for (long next = offset; next < records.size() && batch.size() < max; next++) {
      batch.add(new InputRecord(next, records.get((int) next)));
    }
    return batch;
  }

  /** Wakes up readers, for example so that a stopping feed notices. */
  synchronized void wakeUp() {
    notifyAll();
  }

  synchronized List<byte[]> snapshot() {
    List<byte[]> copy = new ArrayList<>(records.size());
    records.forEach(value -> copy.add(value.clone()));
    return copy;
  }

  synchronized long endOffset() {
    return records.size();
  }
}
