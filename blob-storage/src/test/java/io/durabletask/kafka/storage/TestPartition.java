package io.durabletask.kafka.storage;

import io.durabletask.kafka.engine.storage.Bytes;
import io.durabletask.kafka.engine.storage.LogEntry;
import io.durabletask.kafka.engine.storage.Recovery;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * A toy engine over one partition of a real {@link BlobTaskHubStore}: each log entry is a {@code
 * key=value} update, applied to the state store at the entry's position.
 */
final class TestPartition implements AutoCloseable {
  static final String HUB = "testhub";
  static final int PARTITIONS = 2;

  final BlobTaskHubStore hub;
  final BlobPartitionStore store;
  final Recovery recovery;
  private long position;

  private TestPartition(BlobTaskHubStore hub, BlobPartitionStore store, Recovery recovery) {
    this.hub = hub;
    this.store = store;
    this.recovery = recovery;
    this.position = recovery.statePosition();
  }

  /** Opens partition 0 of the test hub in local files under {@code root}. */
  static TestPartition open(Path root) {
    return open(hub -> new LocalFilePageStore(root.resolve(hub)), root, options("owner-a"));
  }

  static TestPartition open(
      Function<String, PageStore> containers, Path dataDir, BlobStorageOptions options) {
    BlobTaskHubStore hub = new BlobTaskHubStore(containers, dataDir, options);
    try {
      hub.createOrCheck(HUB, PARTITIONS);
      BlobPartitionStore store = (BlobPartitionStore) hub.partition(0);
      return new TestPartition(hub, store, store.open());
    } catch (RuntimeException e) {
      hub.close();
      throw e;
    }
  }

  static BlobStorageOptions options(String ownerId) {
    return BlobStorageOptions.defaults().withOwnerId(ownerId).withCheckpointChunkBytes(4096);
  }

  static Path cacheFolder(Path dataDir) {
    return dataDir.resolve(HUB).resolve("cache").resolve("p00");
  }

  static Path partitionFolder(Path root) {
    return root.resolve(HUB).resolve("p00");
  }

  /** Appends one update and applies it to the state at once, as the engine does. */
  CompletableFuture<Void> put(String key, String value) {
    LogEntry entry = new LogEntry(++position, (key + "=" + value).getBytes(StandardCharsets.UTF_8));
    CompletableFuture<Void> durable = store.append(List.of(entry));
    apply(entry);
    return durable;
  }

  /** Applies every replayed entry and returns their positions. */
  List<Long> replay() {
    List<Long> positions = new ArrayList<>();
    for (Iterator<LogEntry> entries = recovery.replay(); entries.hasNext(); ) {
      LogEntry entry = entries.next();
      positions.add(entry.position());
      apply(entry);
      position = entry.position();
    }
    return positions;
  }

  /** Every key and value of the state. */
  Map<String, String> state() {
    Map<String, String> state = new TreeMap<>();
    recovery.state().scan(new byte[0], (key, value) -> state.put(text(key), text(value)));
    return state;
  }

  long position() {
    return position;
  }

  private void apply(LogEntry entry) {
    String[] update = text(entry.payload()).split("=", 2);
    recovery
        .state()
        .write(
            Map.of(new Bytes(update[0].getBytes(StandardCharsets.UTF_8)), bytes(update[1])),
            List.of(),
            entry.position());
  }

  static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    hub.close();
  }
}
