package io.durabletask.kafka.host;

/** The host cannot start as configured; the message says what is wrong and what to do. */
public class HostStartupException extends RuntimeException {
  public HostStartupException(String message) {
    super(message);
  }

  public HostStartupException(String message, Throwable cause) {
    super(message, cause);
  }
}
