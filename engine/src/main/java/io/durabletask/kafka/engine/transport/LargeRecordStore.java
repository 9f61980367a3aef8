package io.durabletask.kafka.engine.transport;

import java.time.Instant;
import java.util.Optional;

/**
 * Keeps record values that are too large for one record of the transport, such as a 5 MB
 * orchestration input on a Kafka broker that accepts records of at most 1 MB.
 *
 * <p>The transport stores such a value here before it sends the record, sends a small reference in
 * its place, and reads the value back on the receiving side, so the engine only ever sees the
 * original bytes. Every host of the task hub must reach the same store: a value put by one host is
 * read by the host that owns the receiving partition, which may run on another machine.
 *
 * <p>Values are immutable once put. They are removed by {@link #deleteOlderThan} once no reader can
 * need them any more, that is after the transport's own retention.
 *
 * <p>Implementations are thread-safe, and retry transient failures themselves: a failure they
 * report is final for that call.
 */
public interface LargeRecordStore extends AutoCloseable {

  /**
   * Stores a value durably: when this returns, a crash of this host cannot lose it.
   *
   * @return the key under which every host of the task hub can read the value
   * @throws io.durabletask.kafka.engine.storage.StorageException if the value could not be stored
   */
  String put(byte[] value);

  /**
   * The value stored under {@code key}, or empty when there is none: never stored, deleted, or
   * expired.
   *
   * @throws IllegalArgumentException if {@code key} is not a key this store hands out
   * @throws io.durabletask.kafka.engine.storage.StorageException if the store could not be read
   */
  Optional<byte[]> get(String key);

  /** Deletes the value under {@code key}; does nothing when there is none. */
  void delete(String key);

  /**
   * Deletes every value stored before {@code cutoff}.
   *
   * @return how many values were deleted
   */
  int deleteOlderThan(Instant cutoff);

  /** Where the values are, for messages: a folder path or a container URL. */
  String location();

  /** Releases what the store holds open; the values stay. */
  @Override
  default void close() {}
}
