package io.durabletask.kafka.storage;

import io.durabletask.kafka.engine.storage.Bytes;
import io.durabletask.kafka.engine.storage.StateStore;
import io.durabletask.kafka.engine.storage.StorageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import org.rocksdb.FlushOptions;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Snapshot;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local cache of one partition's state in RocksDB, without its write-ahead log: the commit log
 * and the checkpoints are the durable truth, and a cache lost in a crash is rebuilt from them.
 *
 * <p>Everything lives in the default column family, so that a batch and its position land in one
 * memtable and a crash keeps a whole prefix of batches:
 *
 * <pre>
 * 0x00 'p'      -> position of the last batch written (8 bytes, big-endian)
 * 0x00 'h'      -> hub id of the task hub incarnation that wrote the cache (UTF-8)
 * 0x01 key      -> the engine's value of key
 * </pre>
 */
public final class RocksDbStateStore implements StateStore, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RocksDbStateStore.class);
  private static final byte META = 0x00;
  private static final byte DATA = 0x01;
  private static final byte[] POSITION_KEY = {META, 'p'};
  private static final byte[] HUB_ID_KEY = {META, 'h'};

  static {
    RocksDB.loadLibrary();
  }

  private final Path folder;
  private final Options options;
  private final WriteOptions writeOptions;
  private final RocksDB db;
  private volatile long position;

  private RocksDbStateStore(Path folder, Options options, RocksDB db) {
    this.folder = folder;
    this.options = options;
    this.writeOptions = new WriteOptions().setDisableWAL(true);
    this.db = db;
    this.position = readPosition();
  }

  /**
   * Opens the cache in {@code folder}, creating it if missing.
   *
   * @throws StorageException if the folder cannot be used, saying which and why
   */
  public static RocksDbStateStore open(Path folder) {
    Options options = new Options().setCreateIfMissing(true);
    try {
      Files.createDirectories(folder);
      return new RocksDbStateStore(folder, options, RocksDB.open(options, folder.toString()));
    } catch (IOException | RocksDBException e) {
      options.close();
      throw new StorageException(
          "Expected to open the RocksDB cache in "
              + folder
              + ", but it failed: "
              + e
              + ". Check that the folder is writable and that no other host uses the same data"
              + " folder.",
          e);
    }
  }

  /** Deletes the cache in {@code folder}, which must be closed. */
  public static void delete(Path folder) {
    if (!Files.exists(folder)) {
      return;
    }
    try (Stream<Path> files = Files.walk(folder)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(file);
      }
    } catch (IOException e) {
      throw new StorageException(
          "Expected to delete the RocksDB cache in " + folder + ", but it failed: " + e, e);
    }
  }

  @Override
  public byte[] get(byte[] key) {
    try {
      return db.get(dataKey(key));
    } catch (RocksDBException e) {
      throw failed("read a key", e);
    }
  }

  @Override
  public void scan(byte[] prefix, BiConsumer<byte[], byte[]> visitor) {
    byte[] start = dataKey(prefix);
    try (RocksIterator iterator = db.newIterator()) {
      for (iterator.seek(start); iterator.isValid(); iterator.next()) {
        byte[] key = iterator.key();
        if (!Bytes.startsWith(key, start)) {
          return;
        }
        visitor.accept(Arrays.copyOfRange(key, 1, key.length), iterator.value());
      }
    }
  }

  @Override
  public void write(Map<Bytes, byte[]> puts, Iterable<byte[]> deletePrefixes, long position) {
    try (WriteBatch batch = new WriteBatch()) {
      for (byte[] prefix : deletePrefixes) {
        byte[] start = dataKey(prefix);
        batch.deleteRange(start, successor(start));
      }
      for (Map.Entry<Bytes, byte[]> put : puts.entrySet()) {
        putOrDelete(batch, dataKey(put.getKey().get()), put.getValue());
      }
      batch.put(POSITION_KEY, encodePosition(position));
      db.write(writeOptions, batch);
      this.position = position;
    } catch (RocksDBException e) {
      throw failed("write a batch at position " + position, e);
    }
  }

  @Override
  public long position() {
    return position;
  }

  /** The hub id of the task hub that wrote this cache, or empty if none did. */
  public String hubId() {
    try {
      byte[] hubId = db.get(HUB_ID_KEY);
      return hubId == null ? "" : new String(hubId, StandardCharsets.UTF_8);
    } catch (RocksDBException e) {
      throw failed("read the hub id", e);
    }
  }

  /** Puts records loaded from a checkpoint, in one batch. */
  void load(List<Map.Entry<byte[], byte[]>> records) {
    try (WriteBatch batch = new WriteBatch()) {
      for (Map.Entry<byte[], byte[]> record : records) {
        batch.put(dataKey(record.getKey()), record.getValue());
      }
      db.write(writeOptions, batch);
    } catch (RocksDBException e) {
      throw failed("load records from a checkpoint", e);
    }
  }

  /** Marks the cache as holding the state of {@code hubId} at {@code position}. */
  void stamp(String hubId, long position) {
    try (WriteBatch batch = new WriteBatch()) {
      batch.put(HUB_ID_KEY, hubId.getBytes(StandardCharsets.UTF_8));
      batch.put(POSITION_KEY, encodePosition(position));
      db.write(writeOptions, batch);
      this.position = position;
    } catch (RocksDBException e) {
      throw failed("stamp the cache", e);
    }
  }

  /** A consistent view of the state as it is now; later writes do not show in it. */
  StateSnapshot snapshot() {
    return new StateSnapshot(db);
  }

  @Override
  public void close() {
    try (FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
      db.flush(flush);
    } catch (RocksDBException e) {
      LOG.warn("Could not flush the RocksDB cache in {}; it will be rebuilt", folder, e);
    }
    db.close();
    writeOptions.close();
    options.close();
  }

  private long readPosition() {
    try {
      byte[] bytes = db.get(POSITION_KEY);
      return bytes == null ? 0 : ByteBuffer.wrap(bytes).getLong();
    } catch (RocksDBException e) {
      throw failed("read the position", e);
    }
  }

  private static void putOrDelete(WriteBatch batch, byte[] key, byte[] value)
      throws RocksDBException {
    if (value == null) {
      batch.delete(key);
    } else {
      batch.put(key, value);
    }
  }

  private static byte[] dataKey(byte[] key) {
    byte[] prefixed = new byte[key.length + 1];
    prefixed[0] = DATA;
    System.arraycopy(key, 0, prefixed, 1, key.length);
    return prefixed;
  }

  /** The smallest key greater than every key that starts with {@code prefix}. */
  static byte[] successor(byte[] prefix) {
    int last = prefix.length - 1;
    while (prefix[last] == (byte) 0xFF) {
      last--;
    }
    byte[] next = Arrays.copyOf(prefix, last + 1);
    next[last]++;
    return next;
  }

  private static byte[] encodePosition(long position) {
    return ByteBuffer.allocate(8).putLong(position).array();
  }

  private StorageException failed(String action, RocksDBException cause) {
    return new StorageException(
        "Expected to " + action + " in the RocksDB cache in " + folder + ", but: " + cause, cause);
  }

  /** A RocksDB snapshot of the data keys; close it to let RocksDB drop what it retains. */
  static final class StateSnapshot implements AutoCloseable {
    private final RocksDB db;
    private final Snapshot snapshot;
    private final ReadOptions readOptions;

    private StateSnapshot(RocksDB db) {
      this.db = db;
      this.snapshot = db.getSnapshot();
      this.readOptions = new ReadOptions().setSnapshot(snapshot);
    }

    /** Calls {@code visitor} for every key and value in key order. */
    void forEach(BiConsumer<byte[], byte[]> visitor) {
      try (RocksIterator iterator = db.newIterator(readOptions)) {
        for (iterator.seek(new byte[] {DATA}); iterator.isValid(); iterator.next()) {
          byte[] key = iterator.key();
          if (key[0] != DATA) {
            return;
          }
          visitor.accept(Arrays.copyOfRange(key, 1, key.length), iterator.value());
        }
      }
    }

    @Override
    public void close() {
      readOptions.close();
      db.releaseSnapshot(snapshot);
    }
  }
}
