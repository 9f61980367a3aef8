package io.durabletask.kafka.storage;

import java.util.Optional;

/**
 * One blob of the commit log, named after the position of its first entry: {@code
 * p03/log-00000000000000000001}. A new segment starts after each checkpoint, so that the segments
 * before it can be deleted as a whole.
 */
record LogSegment(String name, long firstPosition, PageBlob blob) {
  static final String PREFIX = "log-";

  static String nameOf(String partitionFolder, long firstPosition) {
    return partitionFolder + PREFIX + String.format("%020d", firstPosition);
  }

  /** The segment of a listed blob name, or empty if the name is not a segment's. */
  static Optional<LogSegment> parse(PageStore store, String partitionFolder, String name) {
    String suffix = name.substring(partitionFolder.length());
    if (!suffix.startsWith(PREFIX)) {
      return Optional.empty();
    }
    try {
      long first = Long.parseLong(suffix.substring(PREFIX.length()));
      return Optional.of(new LogSegment(name, first, store.blob(name)));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
