package io.durabletask.kafka.bench;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One orchestration the bench runs many times: its name on the worker, its input, the output every
 * instance must return, and how many payload bytes one instance moves.
 *
 * @param name the name in the report, such as {@code payload-10KB}
 * @param orchestration the orchestration's name on the SDK worker
 * @param outputType the type the output is read as before it is compared with {@code expected}
 * @param payloadBytes the application payload one instance moves (see {@link
 *     #payloadBytesOfEchoSequence}); 0 for the scenarios whose payloads are a few bytes
 * @param defaultInstances how many instances the throughput mode runs unless told otherwise
 * @param defaultConcurrency how many instances the throughput mode runs at once unless told
 *     otherwise
 */
record Scenario(
    String name,
    String orchestration,
    Object input,
    Object expected,
    Class<?> outputType,
    long payloadBytes,
    int defaultInstances,
    int defaultConcurrency) {

  static final int DEFAULT_INSTANCES = 10_000;

  /**
   * Enough instances at once to keep both cores busy with 16 single-threaded SDK workers while each
   * partition's group commits linger for up to 100 ms under load.
   */
  static final int DEFAULT_CONCURRENCY = 1_000;

  /**
   * The payload bytes the instances of a payload scenario may hold at once: an echo sequence keeps
   * about eight copies of its payload in the host and the SDK while it runs (history, work items,
   * messages), and the heap of bin/bench is 4 GB.
   */
  static final long PAYLOAD_IN_FLIGHT_BYTES = 256L * 1024 * 1024;

  static final int FAN_OUT_INSTANCES = 1_000;
  static final List<String> CITIES = List.of("Tokyo", "Seattle", "London", "Lagos", "Lima");

  /** {@code length} activities one after the other, each greeting a city. */
  static Scenario helloSequence(int length) {
    String[] cities = CITIES.subList(0, length).toArray(String[]::new);
    String expected =
        Arrays.stream(cities).map(BenchOrchestrations::greeting).collect(Collectors.joining(" "));
    return new Scenario(
        "hello-sequence-" + length,
        BenchOrchestrations.HELLO_SEQUENCE,
        cities,
        expected,
        String.class,
        0,
        DEFAULT_INSTANCES,
        DEFAULT_CONCURRENCY);
  }

  /** {@code width} activities in parallel, squaring 1 to {@code width}; the sum of the squares. */
  static Scenario fanOutFanIn(int width) {
    long sumOfSquares = (long) width * (width + 1) * (2L * width + 1) / 6;
    return new Scenario(
        "fan-out-fan-in-" + width,
        BenchOrchestrations.FAN_OUT_FAN_IN,
        width,
        sumOfSquares,
        Long.class,
        0,
        FAN_OUT_INSTANCES,
        DEFAULT_CONCURRENCY);
  }

  /** The echo sequence with an input string of {@code bytes} ASCII characters. */
  static Scenario payload(int bytes) {
    String text = asciiText(bytes);
    return new Scenario(
        "payload-" + sizeLabel(bytes),
        BenchOrchestrations.ECHO_SEQUENCE,
        text,
        text,
        String.class,
        payloadBytesOfEchoSequence(bytes),
        defaultPayloadInstances(bytes),
        defaultPayloadConcurrency(bytes));
  }

  /** Fewer instances at once for larger payloads, so that the heap holds what they carry. */
  static int defaultPayloadConcurrency(int bytes) {
    long copies = 8L * bytes;
    return (int) Math.max(16, Math.min(DEFAULT_CONCURRENCY, PAYLOAD_IN_FLIGHT_BYTES / copies));
  }

  /**
   * The payload bytes one echo sequence moves: its input, the output of each of its {@value
   * BenchOrchestrations#ECHO_STEPS} activities, and its own output, each {@code bytes} long. The
   * activities' inputs are the previous outputs and are not counted again, nor are JSON quotes,
   * histories or Kafka and storage framing.
   */
  static long payloadBytesOfEchoSequence(int bytes) {
    return (long) bytes * (1 + BenchOrchestrations.ECHO_STEPS + 1);
  }

  /** Fewer instances for larger payloads, so that every size takes comparable time. */
  static int defaultPayloadInstances(int bytes) {
    if (bytes >= 1_000_000) {
      return 500;
    }
    if (bytes >= 100_000) {
      return 2_000;
    }
    return DEFAULT_INSTANCES;
  }

  /** {@code 1_000} is {@code 1KB}, {@code 1_000_000} is {@code 1MB}: decimal units. */
  static String sizeLabel(int bytes) {
    if (bytes >= 1_000_000 && bytes % 1_000_000 == 0) {
      return bytes / 1_000_000 + "MB";
    }
    if (bytes >= 1_000 && bytes % 1_000 == 0) {
      return bytes / 1_000 + "KB";
    }
    return bytes + "B";
  }

  private static String asciiText(int bytes) {
    StringBuilder text = new StringBuilder(bytes);
    for (int i = 0; i < bytes; i++) {
      text.append((char) ('a' + i % 26));
    }
    return text.toString();
  }
}
