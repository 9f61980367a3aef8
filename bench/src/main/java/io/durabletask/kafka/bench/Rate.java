package io.durabletask.kafka.bench;

/**
 * How fast something went: operations per second, and the bytes they carried in MB per second (1 MB
 * = 10^6 bytes).
 */
record Rate(double perSecond, double megabytesPerSecond) {

  /** {@code count} operations of {@code bytesEach} bytes in {@code nanos} nanoseconds. */
  static Rate of(long count, long bytesEach, long nanos) {
    double seconds = nanos / 1e9;
    return new Rate(count / seconds, count * (double) bytesEach / 1e6 / seconds);
  }
}
