package io.durabletask.kafka.transport;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The counters of a {@link KafkaTransport}: records handed to the producer and their bytes (key
 * plus value, as sent: a large value counts as the small reference that replaces it), tagged {@code
 * topic} = {@value #PARTITIONS} or {@value #CLIENTS}.
 */
public final class TransportMetrics {
  /** Records handed to the producer. */
  public static final String RECORDS_SENT = "durabletask.kafka.records.sent";

  /** Key and value bytes of the records handed to the producer. */
  public static final String BYTES_SENT = "durabletask.kafka.bytes.sent";

  /** The {@code topic} tag of records to the partitions topic. */
  public static final String PARTITIONS = "partitions";

  /** The {@code topic} tag of records to the clients topic. */
  public static final String CLIENTS = "clients";

  private final String partitionsTopic;
  private final Counter partitionRecords;
  private final Counter partitionBytes;
  private final Counter clientRecords;
  private final Counter clientBytes;

  TransportMetrics(MeterRegistry registry, KafkaTransportConfig config) {
    this.partitionsTopic = config.partitionsTopic();
    this.partitionRecords = registry.counter(RECORDS_SENT, "topic", PARTITIONS);
    this.partitionBytes = registry.counter(BYTES_SENT, "topic", PARTITIONS);
    this.clientRecords = registry.counter(RECORDS_SENT, "topic", CLIENTS);
    this.clientBytes = registry.counter(BYTES_SENT, "topic", CLIENTS);
  }

  void recordSent(ProducerRecord<byte[], byte[]> record) {
    int bytes = lengthOf(record.key()) + lengthOf(record.value());
    if (record.topic().equals(partitionsTopic)) {
      partitionRecords.increment();
      partitionBytes.increment(bytes);
    } else {
      clientRecords.increment();
      clientBytes.increment(bytes);
    }
  }

  private static int lengthOf(byte[] bytes) {
    return bytes == null ? 0 : bytes.length;
  }
}
