package io.durabletask.kafka.bench;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/** How a workload is driven: one instance at a time, or many at once. */
enum Mode {
  /** One instance at a time; the time of each from scheduling to its completion at the client. */
  LATENCY("latency"),
  /** Many instances at once, with bounded concurrency; completed orchestrations per second. */
  THROUGHPUT("throughput");

  private final String cliName;

  Mode(String cliName) {
    this.cliName = cliName;
  }

  /** The name on the command line and in the report. */
  String cliName() {
    return cliName;
  }

  static Optional<Mode> byName(String name) {
    return Arrays.stream(values()).filter(mode -> mode.cliName.equals(name)).findFirst();
  }

  static String names() {
    return Arrays.stream(values()).map(Mode::cliName).collect(Collectors.joining(", "));
  }
}
