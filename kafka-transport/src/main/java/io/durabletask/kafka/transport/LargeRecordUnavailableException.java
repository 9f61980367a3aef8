package io.durabletask.kafka.transport;

/**
 * A received record refers to a large value that cannot be read: it is missing from the store, or
 * does not match its length and checksum. The record cannot be delivered and is skipped.
 */
final class LargeRecordUnavailableException extends RuntimeException {
  LargeRecordUnavailableException(String message) {
    super(message);
  }
}
