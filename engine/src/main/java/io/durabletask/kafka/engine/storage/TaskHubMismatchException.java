package io.durabletask.kafka.engine.storage;

/** The task hub in storage does not match the configuration, for example its partition count. */
public class TaskHubMismatchException extends StorageException {
  public TaskHubMismatchException(String message) {
    super(message);
  }
}
