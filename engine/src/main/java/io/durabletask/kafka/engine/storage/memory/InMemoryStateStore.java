package io.durabletask.kafka.engine.storage.memory;

import io.durabletask.kafka.engine.storage.Bytes;
import io.durabletask.kafka.engine.storage.StateStore;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/**
 * A {@link StateStore} held in a sorted map, in the unsigned byte order RocksDB uses. It is the
 * in-memory twin of the RocksDB cache: thread-safe, and it hands out copies of its values so that
 * callers cannot change what it holds.
 */
public final class InMemoryStateStore implements StateStore {
  private final TreeMap<Bytes, byte[]> entries;
  private long position;

  public InMemoryStateStore() {
    this(new TreeMap<>(), 0);
  }

  private InMemoryStateStore(TreeMap<Bytes, byte[]> entries, long position) {
    this.entries = entries;
    this.position = position;
  }

  @Override
  public synchronized byte[] get(byte[] key) {
    byte[] value = entries.get(new Bytes(key));
    return value == null ? null : value.clone();
  }

  /** Visits a copy of the matching entries, so {@code visitor} may read or write the store. */
  @Override
  public void scan(byte[] prefix, BiConsumer<byte[], byte[]> visitor) {
    for (Map.Entry<Bytes, byte[]> entry : matching(prefix)) {
      visitor.accept(entry.getKey().get().clone(), entry.getValue().clone());
    }
  }

  @Override
  public synchronized void write(
      Map<Bytes, byte[]> puts, Iterable<byte[]> deletePrefixes, long position) {
    if (position < this.position) {
      throw new IllegalArgumentException(
          "Expected a batch at position " + this.position + " or later, but got " + position);
    }
    deletePrefixes.forEach(this::deletePrefix);
    puts.forEach(this::put);
    this.position = position;
  }

  @Override
  public synchronized long position() {
    return position;
  }

  /** A copy of every entry, in key order. */
  public synchronized SortedMap<Bytes, byte[]> contents() {
    return copyOf(entries);
  }

  /** The bytes of all keys and values. */
  public synchronized long bytes() {
    long bytes = 0;
    for (Map.Entry<Bytes, byte[]> entry : entries.entrySet()) {
      bytes += entry.getKey().get().length + entry.getValue().length;
    }
    return bytes;
  }

  /** An independent store with the same entries and position. */
  public synchronized InMemoryStateStore copy() {
    return new InMemoryStateStore(copyOf(entries), position);
  }

  private synchronized List<Map.Entry<Bytes, byte[]>> matching(byte[] prefix) {
    List<Map.Entry<Bytes, byte[]>> result = new ArrayList<>();
    for (Map.Entry<Bytes, byte[]> entry : entries.tailMap(new Bytes(prefix), true).entrySet()) {
      if (!Bytes.startsWith(entry.getKey().get(), prefix)) {
        break;
      }
      result.add(Map.entry(entry.getKey(), entry.getValue()));
    }
    return result;
  }

  private void deletePrefix(byte[] prefix) {
    Iterator<Bytes> keys = entries.tailMap(new Bytes(prefix), true).keySet().iterator();
    while (keys.hasNext() && Bytes.startsWith(keys.next().get(), prefix)) {
      keys.remove();
    }
  }

  private void put(Bytes key, byte[] value) {
    if (value == null) {
      entries.remove(key);
    } else {
      entries.put(new Bytes(key.get().clone()), value.clone());
    }
  }

  private static TreeMap<Bytes, byte[]> copyOf(TreeMap<Bytes, byte[]> source) {
    TreeMap<Bytes, byte[]> copy = new TreeMap<>();
    source.forEach((key, value) -> copy.put(key, value.clone()));
    return copy;
  }
}
