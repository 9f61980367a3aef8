package io.durabletask.kafka.storage;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * What a local lease file holds: the owner, an epoch that grows with every change of owner, and
 * when the lease expires. Stored as {@code key=value} lines so that people can read it.
 */
record LeaseRecord(String ownerId, long epoch, long expiresAtMillis) {

  static final LeaseRecord NONE = new LeaseRecord("", 0, 0);

  boolean isLive(long nowMillis) {
    return !ownerId.isEmpty() && expiresAtMillis > nowMillis;
  }

  LeaseRecord takenBy(String newOwner, long expiresAt) {
    return new LeaseRecord(newOwner, epoch + 1, expiresAt);
  }

  LeaseRecord extendedTo(long expiresAt) {
    return new LeaseRecord(ownerId, epoch, expiresAt);
  }

  LeaseRecord released() {
    return new LeaseRecord("", epoch, 0);
  }

  LeaseRecord broken() {
    return new LeaseRecord("", epoch + 1, 0);
  }

  byte[] toBytes() {
    String text =
        "owner="
            + ownerId
            + "\nepoch="
            + epoch
            + "\nexpires="
            + Instant.ofEpochMilli(expiresAtMillis)
            + "\n";
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** Parses what {@link #toBytes} wrote; anything unreadable counts as no lease. */
  static LeaseRecord parse(byte[] bytes) {
    Map<String, String> fields = new HashMap<>();
    for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
      int equals = line.indexOf('=');
      if (equals > 0) {
        fields.put(line.substring(0, equals), line.substring(equals + 1));
      }
    }
    try {
      return new LeaseRecord(
          fields.getOrDefault("owner", ""),
          Long.parseLong(fields.getOrDefault("epoch", "0")),
          Instant.parse(fields.getOrDefault("expires", "1970-01-01T00:00:00Z")).toEpochMilli());
    } catch (RuntimeException unreadable) {
      return NONE;
    }
  }
}
