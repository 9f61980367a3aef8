package io.durabletask.kafka.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A workload as named on the command line. Each stands for one scenario, except {@code
 * payload-sweep}, which stands for one scenario per payload size.
 */
enum Workload {
  HELLO_SEQUENCE_3("hello-sequence-3"),
  HELLO_SEQUENCE_5("hello-sequence-5"),
  FAN_OUT_FAN_IN_100("fan-out-fan-in-100"),
  PAYLOAD_SWEEP("payload-sweep");

  /** The payload sizes of {@code payload-sweep}, in bytes: 1 KB, 10 KB, 100 KB and 1 MB. */
  static final List<Integer> PAYLOAD_SIZES = List.of(1_000, 10_000, 100_000, 1_000_000);

  private final String cliName;

  Workload(String cliName) {
    this.cliName = cliName;
  }

  /** The name on the command line. */
  String cliName() {
    return cliName;
  }

  /** The scenarios this workload runs, in order. */
  List<Scenario> scenarios() {
    return switch (this) {
      case HELLO_SEQUENCE_3 -> List.of(Scenario.helloSequence(3));
      case HELLO_SEQUENCE_5 -> List.of(Scenario.helloSequence(5));
      case FAN_OUT_FAN_IN_100 -> List.of(Scenario.fanOutFanIn(100));
      case PAYLOAD_SWEEP -> PAYLOAD_SIZES.stream().map(Scenario::payload).toList();
    };
  }

  static Optional<Workload> byName(String name) {
    return Arrays.stream(values()).filter(workload -> workload.cliName.equals(name)).findFirst();
  }

  static String names() {
    return Arrays.stream(values()).map(Workload::cliName).collect(Collectors.joining(", "));
  }
}
