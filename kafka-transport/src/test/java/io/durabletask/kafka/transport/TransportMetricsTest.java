package io.durabletask.kafka.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

class TransportMetricsTest {
  private final KafkaTransportConfig config = KafkaTransportConfig.of("localhost:9092", "orders");

  @Test
  void shouldCountRecordsAndKeyPlusValueBytesPerTopic() {
    // given
    MeterRegistry meters = new SimpleMeterRegistry();
    TransportMetrics metrics = new TransportMetrics(meters, config);

    // when
    metrics.recordSent(new ProducerRecord<>(config.partitionsTopic(), 3, null, new byte[100]));
    metrics.recordSent(new ProducerRecord<>(config.partitionsTopic(), 4, null, new byte[50]));
    metrics.recordSent(new ProducerRecord<>(config.clientsTopic(), 0, new byte[8], new byte[20]));

    // then
    assertThat(count(meters, TransportMetrics.RECORDS_SENT, TransportMetrics.PARTITIONS))
        .isEqualTo(2);
    assertThat(count(meters, TransportMetrics.BYTES_SENT, TransportMetrics.PARTITIONS))
        .isEqualTo(150);
    assertThat(count(meters, TransportMetrics.RECORDS_SENT, TransportMetrics.CLIENTS)).isEqualTo(1);
    assertThat(count(meters, TransportMetrics.BYTES_SENT, TransportMetrics.CLIENTS)).isEqualTo(28);
  }

  private static double count(MeterRegistry meters, String name, String topic) {
    return meters.get(name).tag("topic", topic).counter().count();
  }
}
