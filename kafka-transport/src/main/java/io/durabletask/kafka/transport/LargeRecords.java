package io.durabletask.kafka.transport;

import io.durabletask.kafka.avro.LargeRecordReference;
import io.durabletask.kafka.codec.AvroCodec;
import io.durabletask.kafka.codec.Codecs;
import io.durabletask.kafka.codec.MalformedRecordException;
import io.durabletask.kafka.engine.transport.LargeRecordStore;
import io.durabletask.kafka.engine.transport.TransportException;
import java.util.List;
import java.util.zip.CRC32C;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * Carries record values larger than one Kafka record may be through a {@link LargeRecordStore}.
 *
 * <p>Sending: a value of at most {@link #threshold()} bytes goes as it is. A larger value is first
 * put into the store, durably, and the record carries a {@link LargeRecordReference} (key, length,
 * CRC-32C) instead, marked by the header {@value #HEADER}. So the broker never sees a record above
 * the threshold, which stays below the producer's {@code max.request.size}.
 *
 * <p>Receiving: {@link #valueOf} returns the value of an unmarked record as it is, and reads the
 * value of a marked record back from the store, checking its length and CRC-32C.
 *
 * <p>Without a store, a value above the threshold cannot be sent. Thread-safe.
 */
final class LargeRecords {

  /** The header that marks a record whose value is a {@link LargeRecordReference}. */
  static final String HEADER = "durabletask-large-record";

  /** Room the producer needs beyond the value: batch and record headers, key, our header. */
  static final int RECORD_OVERHEAD = 16 * 1024;

  private static final byte[] FORMAT_VERSION = {1};
  private static final AvroCodec<LargeRecordReference> CODEC = referenceCodec();

  private final LargeRecordStore store;
  private final int threshold;

  /**
   * @param store where large values go, or null when none is configured
   * @param threshold the largest value sent as it is
   */
  LargeRecords(LargeRecordStore store, int threshold) {
    this.store = store;
    this.threshold = threshold;
  }

  /** The threshold of {@code config}, lowered so that a record of that size fits one request. */
  static int thresholdFor(KafkaTransportConfig config, int maxRequestSize) {
    return Math.max(1, Math.min(config.largeRecordThreshold(), maxRequestSize - RECORD_OVERHEAD));
  }

  int threshold() {
    return threshold;
  }

  /**
   * The record to produce for {@code value}: the value itself, or a reference to it after storing
   * it.
   *
   * @throws TransportException if the value is above the threshold and cannot be stored
   */
  ProducerRecord<byte[], byte[]> toProducerRecord(
      String topic, int partition, byte[] key, byte[] value) {
    if (value.length <= threshold) {
      return new ProducerRecord<>(topic, partition, key, value);
    }
    // TODO(#4): the caller waits for the store (20-40 ms for 1-5 MB with fsync, measured on local
    // files); a queue per destination would keep the order without holding up a partition's loop.
    byte[] reference = CODEC.encode(store(topic, partition, value));
    List<Header> headers = List.of(new RecordHeader(HEADER, FORMAT_VERSION));
    return new ProducerRecord<>(topic, partition, key, reference, headers);
  }

  /**
   * The value a received record stands for.
   *
   * @throws LargeRecordUnavailableException if the record is a reference that cannot be resolved
   */
  byte[] valueOf(ConsumerRecord<byte[], byte[]> record) {
    if (record.headers().lastHeader(HEADER) == null) {
      return record.value();
    }
    LargeRecordReference reference = decode(record.value());
    return checked(reference, read(reference));
  }

  private LargeRecordReference store(String topic, int partition, byte[] value) {
    if (store == null) {
      throw new TransportException(
          "Expected a record of at most "
              + threshold
              + " bytes for partition "
              + partition
              + " of topic '"
              + topic
              + "', or a large-record store to hold it, but it has "
              + value.length
              + " bytes and no large-record store is configured");
    }
    try {
      String key = store.put(value);
      return new LargeRecordReference(key, (long) value.length, crc32c(value));
    } catch (RuntimeException e) {
      throw new TransportException(
          "Expected to store a record of "
              + value.length
              + " bytes for partition "
              + partition
              + " of topic '"
              + topic
              + "' in the large-record store ("
              + store.location()
              + "), but: "
              + e.getMessage(),
          e);
    }
  }

  private static LargeRecordReference decode(byte[] value) {
    try {
      return CODEC.decode(value);
    } catch (MalformedRecordException e) {
      throw new LargeRecordUnavailableException(
          "Expected a large-record reference in a record marked with header '"
              + HEADER
              + "', but: "
              + e.getMessage());
    }
  }

  private byte[] read(LargeRecordReference reference) {
    if (store == null) {
      throw unavailable(reference, "no large-record store is configured on this host");
    }
    try {
      return store
          .get(reference.getKey())
          .orElseThrow(
              () ->
                  unavailable(
                      reference,
                      "it is not there (deleted after the retention, or put into another store)"));
    } catch (LargeRecordUnavailableException e) {
      throw e;
    } catch (RuntimeException e) {
      throw unavailable(reference, "reading it failed: " + e.getMessage());
    }
  }

  private byte[] checked(LargeRecordReference reference, byte[] value) {
    long crc = crc32c(value);
    if (value.length != reference.getLength() || crc != reference.getCrc32c()) {
      throw unavailable(
          reference,
          "the stored value has " + value.length + " bytes and CRC-32C " + Long.toHexString(crc));
    }
    return value;
  }

  private LargeRecordUnavailableException unavailable(LargeRecordReference reference, String why) {
    return new LargeRecordUnavailableException(
        "Expected the large record '"
            + reference.getKey()
            + "' ("
            + reference.getLength()
            + " bytes, CRC-32C "
            + Long.toHexString(reference.getCrc32c())
            + ") in the large-record store"
            + (store == null ? "" : " (" + store.location() + ")")
            + ", but "
            + why);
  }

  private static long crc32c(byte[] value) {
    CRC32C crc = new CRC32C();
    crc.update(value);
    return crc.getValue();
  }

  private static AvroCodec<LargeRecordReference> referenceCodec() {
    Codecs.trustGeneratedClasses();
    return AvroCodec.of(LargeRecordReference.getClassSchema());
  }
}
