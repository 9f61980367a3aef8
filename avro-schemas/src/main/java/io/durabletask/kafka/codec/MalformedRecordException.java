package io.durabletask.kafka.codec;

/** Bytes that are not a record of the expected type; the caller records and skips them. */
public class MalformedRecordException extends RuntimeException {
  public MalformedRecordException(String message, Throwable cause) {
    super(message, cause);
  }
}
