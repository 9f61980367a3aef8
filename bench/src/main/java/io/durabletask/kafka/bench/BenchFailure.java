package io.durabletask.kafka.bench;

/** The bench cannot go on: an instance did not complete as expected, or a baseline failed. */
final class BenchFailure extends RuntimeException {
  BenchFailure(String message) {
    super(message);
  }

  BenchFailure(String message, Throwable cause) {
    super(message, cause);
  }
}
