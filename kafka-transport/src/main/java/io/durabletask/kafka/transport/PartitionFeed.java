package io.durabletask.kafka.transport;

import io.durabletask.kafka.engine.transport.InputRecord;
import io.durabletask.kafka.engine.transport.PartitionReceiver;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands the records of one owned partition to its {@link PartitionReceiver}, in offset order and
 * without gaps in what it was asked for.
 *
 * <p>States: <em>pending</em> from {@link KafkaTransport#startReceiving} until the poll thread has
 * moved the consumer to the start offset ({@link #arm}); <em>receiving</em> until {@link #stop};
 * then <em>stopped</em> for good. Records are delivered only while receiving, and {@link #stop}
 * waits for a delivery in progress, so that no records reach the receiver once it returns. A
 * receiver that throws stops its feed: skipping the failed batch would leave a gap in the input.
 *
 * <p>A record that refers to a large value is handed over with that value, read back from the
 * large-record store. When the value cannot be read, an error names the reference and the offset,
 * and the record is handed over with an empty value instead: no receiver can decode that, so the
 * engine counts and skips it like any undecodable record, and the records after it still arrive.
 */
final class PartitionFeed {

  private static final Logger LOG = LoggerFactory.getLogger(PartitionFeed.class);
  private static final byte[] UNAVAILABLE = new byte[0];

  private final int partition;
  private final PartitionReceiver receiver;
  private final LargeRecords largeRecords;
  private final String logPrefix;
  private long nextOffset;
  private boolean armed;
  private boolean stopped;

  PartitionFeed(
      int partition,
      long nextOffset,
      PartitionReceiver receiver,
      LargeRecords largeRecords,
      String hubName) {
    this.partition = partition;
    this.nextOffset = nextOffset;
    this.receiver = receiver;
    this.largeRecords = largeRecords;
    this.logPrefix = "[" + hubName + "/partition " + partition + "] ";
  }

  int partition() {
    return partition;
  }

  synchronized long nextOffset() {
    return nextOffset;
  }

  /** The consumer now reads from {@link #nextOffset()}: begin delivering. */
  synchronized void arm() {
    armed = true;
  }

  synchronized boolean isStopped() {
    return stopped;
  }

  /** Stops delivering; waits for a delivery in progress on another thread. */
  synchronized void stop() {
    stopped = true;
  }

  /** Delivers the records at or after the next expected offset; ignored unless receiving. */
  synchronized void deliver(List<ConsumerRecord<byte[], byte[]>> records) {
    if (!armed || stopped) {
      return;
    }
    List<InputRecord> batch = toInputRecords(records);
    if (batch.isEmpty()) {
      return;
    }
    handOver(batch);
  }

  private List<InputRecord> toInputRecords(List<ConsumerRecord<byte[], byte[]>> records) {
    List<InputRecord> batch = new ArrayList<>(records.size());
    for (ConsumerRecord<byte[], byte[]> record : records) {
      if (record.offset() >= nextOffset) {
        batch.add(new InputRecord(record.offset(), valueOf(record)));
      }
    }
    return batch;
  }

  private byte[] valueOf(ConsumerRecord<byte[], byte[]> record) {
    try {
      return largeRecords.valueOf(record);
    } catch (LargeRecordUnavailableException e) {
      LOG.error(
          "{}Skipping the record at offset {}, handed over empty: {}",
          logPrefix,
          record.offset(),
          e.getMessage());
      return UNAVAILABLE;
    }
  }

  private void handOver(List<InputRecord> batch) {
    try {
      receiver.receive(batch);
      nextOffset = batch.get(batch.size() - 1).offset() + 1;
    } catch (RuntimeException e) {
      stopped = true;
      LOG.error(
          "{}Expected the receiver to take records from offset {}, but it threw; "
              + "stopped delivering this partition",
          logPrefix,
          batch.get(0).offset(),
          e);
    }
  }
}
