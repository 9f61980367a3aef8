package io.durabletask.kafka.transport;

import java.time.Duration;

/** Small helpers for the transport's poll threads. */
final class Threads {

  private Threads() {}

  /** Waits until {@code thread} has ended, keeping an interrupt for the caller. */
  static void joinUninterruptibly(Thread thread) {
    if (Thread.currentThread() == thread) {
      return;
    }
    boolean interrupted = false;
    while (thread.isAlive()) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Sleeps; returns false if interrupted (the interrupt flag is set again). */
  static boolean sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
