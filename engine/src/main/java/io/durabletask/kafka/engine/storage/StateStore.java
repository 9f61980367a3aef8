package io.durabletask.kafka.engine.storage;

import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The local cache of a partition's state: an ordered key-value map of encoded records.
 *
 * <p>Writes come in batches that each bring the store to a new position. A batch is applied
 * atomically: after a crash the store holds the state as of some whole batch. The store need not be
 * durable on its own (RocksDB runs without its write-ahead log); the commit log and checkpoints are
 * the durable truth.
 */
public interface StateStore {

  /** The value under {@code key}, or null. */
  byte[] get(byte[] key);

  /** Calls {@code visitor} for every key that starts with {@code prefix}, in key order. */
  void scan(byte[] prefix, BiConsumer<byte[], byte[]> visitor);

  /**
   * Applies a batch: {@code puts} (a null value deletes the key), and deletes of every key that
   * starts with one of {@code deletePrefixes}. The deletes happen before the puts.
   */
  void write(Map<Bytes, byte[]> puts, Iterable<byte[]> deletePrefixes, long position);

  /** The position of the last batch written, 0 when empty. */
  long position();
}
