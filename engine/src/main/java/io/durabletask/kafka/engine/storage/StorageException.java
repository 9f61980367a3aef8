package io.durabletask.kafka.engine.storage;

/** Storage failed in a way the partition cannot work around; the message says what failed. */
public class StorageException extends RuntimeException {
  public StorageException(String message) {
    super(message);
  }

  public StorageException(String message, Throwable cause) {
    super(message, cause);
  }
}
