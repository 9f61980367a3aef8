package io.durabletask.kafka.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchReportTest {
  private static final Machine MACHINE =
      new Machine(2, 4_294, "17.0.15 (OpenJDK)", "Linux 6 amd64");
  private static final Settings SETTINGS =
      new Settings(
          List.of("hello-sequence-3"),
          List.of("latency", "throughput"),
          500,
          null,
          null,
          16,
          90,
          12,
          200_000);
  private static final Baselines BASELINES =
      new Baselines(
          new KafkaBaseline.Result(
              12, 200_000, 200, new Rate(104_697, 20.94), new Rate(266_995, 53.4)),
          new PageStoreBaseline.Result(1024, new Rate(5_221, 5.35), 65536, new Rate(3_133, 205.3)));
  private static final Row LATENCY =
      new Row(
          "hello-sequence-3",
          "latency",
          500,
          1,
          18.2,
          null,
          null,
          36.48,
          79.23,
          130.56,
          130.56,
          0.0755,
          4,
          700,
          8.4,
          5_800,
          0,
          1.2,
          269,
          120,
          null,
          null);
  private static final Row THROUGHPUT =
      new Row(
          "hello-sequence-3",
          "throughput",
          10_000,
          200,
          97.4,
          102.7,
          null,
          null,
          null,
          null,
          null,
          0.0156,
          4,
          700,
          6.56,
          4_700,
          1_000,
          1.1,
          349,
          180,
          0.00098,
          0.1289);

  @Test
  void shouldPrintOneAlignedLinePerRowWithDashesWhereAFigureDoesNotApply() {
    // given
    List<Row> rows = List.of(LATENCY, THROUGHPUT);

    // when
    List<String> lines = ReportText.table(rows).lines().toList();

    // then
    assertThat(lines).hasSize(3);
    assertThat(lines.get(0))
        .startsWith("workload          mode            n  conc  orch/s  MB/s  p50 ms");
    assertThat(lines.get(1))
        .startsWith(
            "hello-sequence-3  latency       500     1       -     -   36.48   79.23  130.56");
    assertThat(lines.get(2))
        .startsWith("hello-sequence-3  throughput  10000   200   102.7     -       -")
        .endsWith("349      180  0.000980     0.129");
    assertThat(lines.get(1)).contains("75.50").endsWith("269      120         -         -");
  }

  @Test
  void shouldPrintTheMachineAndTheBaselines() {
    // given / when
    String header = ReportText.header(MACHINE, SETTINGS);
    String baselines = ReportText.baselines(BASELINES);

    // then
    assertThat(header)
        .contains("machine: 2 cores, max heap 4294 MB, Java 17.0.15 (OpenJDK), Linux 6 amd64")
        .contains("12 partitions, 16 SDK workers, concurrency per workload, 500 latency runs")
        .contains("throughput instances per workload, warm-up 90 s");
    assertThat(baselines)
        .contains("raw Kafka, 12 partitions, 200000 records of 200 B: produced 104697 records/s")
        .contains("(20.94 MB/s), consumed 266995 records/s (53.40 MB/s)")
        .contains("1024 B frames 5221 appends/s (5.35 MB/s)")
        .contains("65536 B batches 3133 appends/s (205.30 MB/s)");
  }

  @Test
  void shouldWriteOneJsonDocumentWithNullsWhereAFigureDoesNotApply() throws Exception {
    // given
    Report report = new Report(MACHINE, SETTINGS, BASELINES, List.of(LATENCY, THROUGHPUT));

    // when
    JsonNode json = new ObjectMapper().readTree(ReportJson.render(report));

    // then
    assertThat(json.path("machine").path("cores").asInt()).isEqualTo(2);
    assertThat(json.path("settings").path("instances").isNull()).isTrue();
    assertThat(json.path("baselines").path("kafka").path("produced").path("perSecond").asDouble())
        .isEqualTo(104_697);
    assertThat(json.path("baselines").path("pageStore").path("frameBytes").asInt()).isEqualTo(1024);
    JsonNode latency = json.path("rows").get(0);
    assertThat(latency.path("workload").asText()).isEqualTo("hello-sequence-3");
    assertThat(latency.path("p99Millis").asDouble()).isEqualTo(130.56);
    assertThat(latency.path("orchestrationsPerSecond").isNull()).isTrue();
    JsonNode throughput = json.path("rows").get(1);
    assertThat(throughput.path("count").asInt()).isEqualTo(10_000);
    assertThat(throughput.path("throughputToRawKafka").asDouble()).isEqualTo(0.00098);
    assertThat(throughput.path("cpuSecondsPerOrchestration").asDouble()).isEqualTo(0.0156);
  }
}
