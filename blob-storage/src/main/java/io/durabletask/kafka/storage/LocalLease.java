package io.durabletask.kafka.storage;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/** A lease on a local lease file; see {@link LocalLeaseFile} for how owners exclude each other. */
final class LocalLease implements Lease {
  private final String name;
  private final String ownerId;
  private final Duration duration;
  private final Clock clock;
  private final LocalLeaseFile file;
  private final long epoch;
  private boolean released;

  private LocalLease(
      String name, String ownerId, Duration duration, Clock clock, LocalLeaseFile file) {
    this.name = name;
    this.ownerId = ownerId;
    this.duration = duration;
    this.clock = clock;
    this.file = file;
    this.epoch = file.take(ownerId, clock.millis(), duration.toMillis());
  }

  static LocalLease acquire(
      Path path, String name, String description, String ownerId, Duration duration, Clock clock) {
    LocalLeaseFile file = LocalLeaseFile.join(path, description);
    try {
      return new LocalLease(name, ownerId, duration, clock, file);
    } catch (RuntimeException e) {
      file.leave();
      throw e;
    }
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String ownerId() {
    return ownerId;
  }

  long epoch() {
    return epoch;
  }

  @Override
  public void renew() {
    file.renew(this, clock.millis(), duration.toMillis());
  }

  @Override
  public synchronized void release() {
    if (released) {
      return;
    }
    released = true;
    file.release(this);
    file.leave();
  }

  /** Runs {@code change} if this lease is still the current one, excluding a takeover meanwhile. */
  void whileHeld(Runnable change) {
    file.whileHeld(this, change);
  }
}
