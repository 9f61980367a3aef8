package io.durabletask.kafka.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class BenchScenarioTest {
  private static final Baselines BASELINES =
      new Baselines(
          new KafkaBaseline.Result(12, 100_000, 200, new Rate(50_000, 10), new Rate(100_000, 20)),
          new PageStoreBaseline.Result(1024, new Rate(4_000, 4.1), 65536, new Rate(2_000, 131)));

  @Test
  void shouldCountInputThreeActivityOutputsAndOutputAsThePayloadOfAnEchoSequence() {
    // given
    int size = 10_000;

    // when
    Scenario scenario = Scenario.payload(size);

    // then
    assertThat(scenario.payloadBytes()).isEqualTo(50_000);
    assertThat(scenario.name()).isEqualTo("payload-10KB");
    assertThat((String) scenario.input()).hasSize(size).isEqualTo(scenario.expected());
  }

  @Test
  void shouldRunFewerLargePayloadsAtOnceSoThatEightCopiesFitIn256MiB() {
    // given / when / then
    assertThat(Scenario.defaultPayloadConcurrency(1_000)).isEqualTo(1_000);
    assertThat(Scenario.defaultPayloadConcurrency(100_000)).isEqualTo(335);
    assertThat(Scenario.defaultPayloadConcurrency(1_000_000)).isEqualTo(33);
    assertThat(Scenario.defaultPayloadConcurrency(16_000_000)).isEqualTo(16);
  }

  @Test
  void shouldLabelPayloadSizesInDecimalUnits() {
    // given / when / then
    assertThat(Scenario.sizeLabel(1_000)).isEqualTo("1KB");
    assertThat(Scenario.sizeLabel(100_000)).isEqualTo("100KB");
    assertThat(Scenario.sizeLabel(1_000_000)).isEqualTo("1MB");
    assertThat(Scenario.sizeLabel(1_500)).isEqualTo("1500B");
  }

  @Test
  void shouldExpectTheGreetingsAndTheSumOfSquares() {
    // given / when
    Scenario hello = Scenario.helloSequence(3);
    Scenario fanOut = Scenario.fanOutFanIn(100);

    // then
    assertThat(hello.expected()).isEqualTo("Hello, Tokyo! Hello, Seattle! Hello, London!");
    assertThat(hello.payloadBytes()).isZero();
    assertThat(fanOut.expected()).isEqualTo(338_350L);
    assertThat(fanOut.defaultInstances()).isEqualTo(1_000);
  }

  @Test
  void shouldDivideUsageByOrchestrationsAndRatesByTheBaselines() {
    // given 1,000 payload-1KB instances in 2 s, with 4 Kafka records and 8 writes each
    Usage usage =
        new Usage(
            3_000_000_000L,
            4_000,
            800_000,
            8_000,
            16_000_000,
            1_000_000,
            8_000,
            500_000_000,
            200_000_000);
    Measurement measurement =
        new Measurement(
            Scenario.payload(1_000), Mode.THROUGHPUT, 1_000, 200, 2_000_000_000L, null, usage);

    // when
    Row row = Row.of(measurement, BASELINES);

    // then
    assertThat(row.orchestrationsPerSecond()).isEqualTo(500.0);
    assertThat(row.payloadMegabytesPerSecond()).isCloseTo(2.5, within(1e-9));
    assertThat(row.cpuSecondsPerOrchestration()).isCloseTo(0.003, within(1e-12));
    assertThat(row.kafkaRecordsPerOrchestration()).isEqualTo(4.0);
    assertThat(row.kafkaBytesPerOrchestration()).isEqualTo(800.0);
    assertThat(row.storageWritesPerOrchestration()).isEqualTo(8.0);
    assertThat(row.storageBytesPerOrchestration()).isEqualTo(16_000.0);
    assertThat(row.checkpointBytesPerOrchestration()).isEqualTo(1_000.0);
    assertThat(row.peakHeapMegabytes()).isEqualTo(500.0);
    assertThat(row.liveHeapMegabytes()).isEqualTo(200.0);
    assertThat(row.throughputToRawKafka()).isCloseTo(0.01, within(1e-12));
    assertThat(row.storageWritesToRawPageStore()).isCloseTo(1.0, within(1e-12));
    assertThat(row.p50Millis()).isNull();
  }

  @Test
  void shouldReportPercentilesInMillisecondsAndNoRatesInLatencyMode() {
    // given 100 runs of 1 to 100 ms
    Histogram latencies = new Histogram(3);
    for (int millis = 1; millis <= 100; millis++) {
      latencies.recordValue(millis * 1_000L);
    }
    Usage usage = new Usage(0, 0, 0, 0, 0, 0, 0, 0, 0);
    Measurement measurement =
        new Measurement(
            Scenario.helloSequence(3), Mode.LATENCY, 100, 1, 5_050_000_000L, latencies, usage);

    // when
    Row row = Row.of(measurement, BASELINES);

    // then
    assertThat(row.p50Millis()).isCloseTo(50.0, within(0.05));
    assertThat(row.p95Millis()).isCloseTo(95.0, within(0.1));
    assertThat(row.p99Millis()).isCloseTo(99.0, within(0.1));
    assertThat(row.maxMillis()).isCloseTo(100.0, within(0.1));
    assertThat(row.orchestrationsPerSecond()).isNull();
    assertThat(row.payloadMegabytesPerSecond()).isNull();
    assertThat(row.throughputToRawKafka()).isNull();
  }
}
