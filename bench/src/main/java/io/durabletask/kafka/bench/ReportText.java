package io.durabletask.kafka.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * The report as text: a header with the machine and settings, the baselines, and a table with one
 * row per scenario and mode. A dash marks a figure that does not apply to the row's mode. Ratios
 * have three significant digits, so a small one may read {@code 1.98e-05}. The columns are
 * explained in {@code docs/performance.md}.
 */
final class ReportText {
  private static final String GAP = "  ";
  private static final List<Column> COLUMNS =
      List.of(
          Column.left("workload", Row::workload),
          Column.left("mode", Row::mode),
          Column.right("n", row -> String.valueOf(row.count())),
          Column.right("conc", row -> String.valueOf(row.concurrency())),
          Column.right("orch/s", row -> format("%.1f", row.orchestrationsPerSecond())),
          Column.right("MB/s", row -> format("%.2f", row.payloadMegabytesPerSecond())),
          Column.right("p50 ms", row -> format("%.2f", row.p50Millis())),
          Column.right("p95 ms", row -> format("%.2f", row.p95Millis())),
          Column.right("p99 ms", row -> format("%.2f", row.p99Millis())),
          Column.right("max ms", row -> format("%.2f", row.maxMillis())),
          Column.right(
              "cpu ms/orch", row -> format("%.2f", row.cpuSecondsPerOrchestration() * 1e3)),
          Column.right("kafka rec/orch", row -> format("%.1f", row.kafkaRecordsPerOrchestration())),
          Column.right(
              "kafka KB/orch", row -> format("%.1f", row.kafkaBytesPerOrchestration() / 1e3)),
          Column.right("writes/orch", row -> format("%.2f", row.storageWritesPerOrchestration())),
          Column.right(
              "write KB/orch", row -> format("%.1f", row.storageBytesPerOrchestration() / 1e3)),
          Column.right(
              "ckpt KB/orch", row -> format("%.1f", row.checkpointBytesPerOrchestration() / 1e3)),
          Column.right("heap MB", row -> format("%.0f", row.peakHeapMegabytes())),
          Column.right("live MB", row -> format("%.0f", row.liveHeapMegabytes())),
          Column.right("vs kafka", row -> format("%.3g", row.throughputToRawKafka())),
          Column.right("vs store", row -> format("%.3g", row.storageWritesToRawPageStore())));

  private ReportText() {}

  /** What the bench runs on and with which options; printed before it starts. */
  static String header(Machine machine, Settings settings) {
    return String.format(
        Locale.ROOT,
        "durabletask-kafka bench%n"
            + "machine: %d cores, max heap %d MB, Java %s, %s%n"
            + "settings: %d partitions, %d SDK workers, concurrency %s, %d latency runs,"
            + " throughput instances %s, warm-up %d s%n",
        machine.cores(),
        machine.maxHeapMegabytes(),
        machine.java(),
        machine.os(),
        settings.partitions(),
        settings.workers(),
        settings.concurrency() == null ? "per workload" : settings.concurrency(),
        settings.latencyRuns(),
        settings.instances() == null ? "per workload" : settings.instances(),
        settings.warmupSeconds());
  }

  /** The baselines and the table of rows. */
  static String results(Baselines baselines, List<Row> rows) {
    return baselines(baselines) + System.lineSeparator() + table(rows);
  }

  static String baselines(Baselines baselines) {
    KafkaBaseline.Result kafka = baselines.kafka();
    PageStoreBaseline.Result pages = baselines.pageStore();
    return String.format(
        Locale.ROOT,
        "baselines (same process, broker and disk):%n"
            + "  raw Kafka, %d partitions, %d records of %d B: produced %.0f records/s (%.2f MB/s),"
            + " consumed %.0f records/s (%.2f MB/s)%n"
            + "  raw page store, append + flush: %d B frames %.0f appends/s (%.2f MB/s),"
            + " %d B batches %.0f appends/s (%.2f MB/s)%n",
        kafka.partitions(),
        kafka.records(),
        kafka.recordBytes(),
        kafka.produced().perSecond(),
        kafka.produced().megabytesPerSecond(),
        kafka.consumed().perSecond(),
        kafka.consumed().megabytesPerSecond(),
        pages.frameBytes(),
        pages.frames().perSecond(),
        pages.frames().megabytesPerSecond(),
        pages.batchBytes(),
        pages.batches().perSecond(),
        pages.batches().megabytesPerSecond());
  }

  /** The rows under a header line, in aligned columns. */
  static String table(List<Row> rows) {
    List<List<String>> lines = new ArrayList<>();
    lines.add(COLUMNS.stream().map(Column::header).toList());
    for (Row row : rows) {
      lines.add(COLUMNS.stream().map(column -> column.cell().apply(row)).toList());
    }
    int[] widths = widths(lines);
    StringBuilder table = new StringBuilder();
    for (List<String> line : lines) {
      appendLine(table, line, widths);
    }
    return table.toString();
  }

  private static int[] widths(List<List<String>> lines) {
    int[] widths = new int[COLUMNS.size()];
    for (List<String> line : lines) {
      for (int c = 0; c < widths.length; c++) {
        widths[c] = Math.max(widths[c], line.get(c).length());
      }
    }
    return widths;
  }

  private static void appendLine(StringBuilder table, List<String> cells, int[] widths) {
    List<String> padded = new ArrayList<>(cells.size());
    for (int c = 0; c < cells.size(); c++) {
      padded.add(COLUMNS.get(c).pad(cells.get(c), widths[c]));
    }
    table.append(String.join(GAP, padded).stripTrailing()).append(System.lineSeparator());
  }

  private static String format(String pattern, Double value) {
    return value == null ? "-" : String.format(Locale.ROOT, pattern, value);
  }

  /** A column of the table: its header, how a row fills it, and which side it aligns to. */
  private record Column(String header, Function<Row, String> cell, boolean alignLeft) {
    static Column left(String header, Function<Row, String> cell) {
      return new Column(header, cell, true);
    }

    static Column right(String header, Function<Row, String> cell) {
      return new Column(header, cell, false);
    }

    String pad(String text, int width) {
      String filler = " ".repeat(width - text.length());
      return alignLeft ? text + filler : filler + text;
    }
  }
}
