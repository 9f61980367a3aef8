package io.durabletask.kafka.engine.partition;

/** The partition cannot go on on this host; it stops and releases nothing more. */
public class PartitionFailedException extends RuntimeException {
  public PartitionFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
