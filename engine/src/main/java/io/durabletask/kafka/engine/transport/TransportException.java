package io.durabletask.kafka.engine.transport;

/** The transport cannot serve the task hub as configured; the message says what to change. */
public class TransportException extends RuntimeException {
  public TransportException(String message) {
    super(message);
  }

  public TransportException(String message, Throwable cause) {
    super(message, cause);
  }
}
