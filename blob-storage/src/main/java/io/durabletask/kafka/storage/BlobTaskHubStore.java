package io.durabletask.kafka.storage;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.durabletask.kafka.engine.storage.PartitionStore;
import io.durabletask.kafka.engine.storage.StorageException;
import io.durabletask.kafka.engine.storage.TaskHubInfo;
import io.durabletask.kafka.engine.storage.TaskHubMismatchException;
import io.durabletask.kafka.engine.storage.TaskHubStore;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The storage of a task hub: a {@link PageStore} container named after the hub, and a local data
 * folder for the RocksDB caches.
 *
 * <pre>{@code
 * <container>/taskhub.json      name, partition count, created time, format version, hub id
 * <container>/p<NN>/...         one folder per partition, see BlobPartitionStore
 * <dataDir>/<hub>/cache/p<NN>/  the RocksDB cache of partition NN
 * }</pre>
 *
 * <p>With local files, the container is {@code <root>/<hub>} and the data folder is usually the
 * same root: see {@link #local}.
 */
public final class BlobTaskHubStore implements TaskHubStore {
  private static final Logger LOG = LoggerFactory.getLogger(BlobTaskHubStore.class);
  static final String TASK_HUB_JSON = "taskhub.json";
  static final int FORMAT_VERSION = 1;
  private static final Pattern HUB_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,62}");
  private static final Pattern PARTITION_BLOB = Pattern.compile("p\\d+/.*");

  private final Function<String, PageStore> containers;
  private final Path dataDir;
  private final BlobStorageOptions options;
  private final ScheduledExecutorService scheduler;
  private final ObjectMapper json =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
  private final List<BlobPartitionStore> partitions = new ArrayList<>();
  private PageStore store;
  private TaskHubInfo info;

  /** The JSON form of {@link TaskHubInfo} in {@code taskhub.json}. */
  private record TaskHubJson(
      String name, int partitionCount, String createdTime, int formatVersion, String hubId) {}

  /**
   * A task hub store whose hub lives in the container {@code containers} gives for the hub's name,
   * caching partition state under {@code dataDir}.
   */
  public BlobTaskHubStore(
      Function<String, PageStore> containers, Path dataDir, BlobStorageOptions options) {
    this.containers = containers;
    this.dataDir = dataDir;
    this.options = options;
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread thread = new Thread(task, "lease-renewal");
              thread.setDaemon(true);
              return thread;
            });
  }

  /** A task hub store over local files in {@code <root>/<hub>}, with the default options. */
  public static BlobTaskHubStore local(Path root) {
    return local(root, BlobStorageOptions.defaults());
  }

  /** A task hub store over local files: the hub lives in {@code <root>/<hub>}. */
  public static BlobTaskHubStore local(Path root, BlobStorageOptions options) {
    return new BlobTaskHubStore(hub -> new LocalFilePageStore(root.resolve(hub)), root, options);
  }

  /** As {@link #local(Path, BlobStorageOptions)}, counting page writes in {@code meters}. */
  public static BlobTaskHubStore local(
      Path root, BlobStorageOptions options, MeterRegistry meters) {
    return new BlobTaskHubStore(
        hub -> new LocalFilePageStore(root.resolve(hub), meters), root, options);
  }

  /**
   * Whether this store accepts {@code hubName}: 1 to 63 ASCII letters, digits, '-' and '_',
   * starting with a letter or digit, so that it is also a folder name and a Kafka topic prefix.
   */
  public static boolean isValidHubName(String hubName) {
    return hubName != null && HUB_NAME.matcher(hubName).matches();
  }

  @Override
  public synchronized boolean exists(String hubName) {
    checkArguments(hubName, 1);
    if (store != null && info.name().equals(hubName)) {
      return true;
    }
    PageStore container = containers.apply(hubName);
    try {
      return readInfo(container).isPresent();
    } finally {
      container.close();
    }
  }

  @Override
  public synchronized TaskHubInfo createOrCheck(String hubName, int partitionCount) {
    checkArguments(hubName, partitionCount);
    PageStore container = containerFor(hubName);
    container.createIfMissing();
    TaskHubInfo found =
        readInfo(container).orElseGet(() -> create(container, hubName, partitionCount));
    check(found, container, hubName, partitionCount);
    store = container;
    info = found;
    return found;
  }

  @Override
  public synchronized PartitionStore partition(int partition) {
    if (info == null) {
      throw new IllegalStateException(
          "Expected createOrCheck before partition(" + partition + "), but it was not called");
    }
    if (partition < 0 || partition >= info.partitionCount()) {
      throw new IllegalArgumentException(
          "Expected a partition from 0 to "
              + (info.partitionCount() - 1)
              + ", but got "
              + partition);
    }
    Path cache =
        dataDir.resolve(info.name()).resolve("cache").resolve("p%02d".formatted(partition));
    BlobPartitionStore created =
        new BlobPartitionStore(partition, store, info.hubId(), cache, options, scheduler);
    partitions.add(created);
    return created;
  }

  @Override
  public synchronized void close() {
    for (BlobPartitionStore partition : partitions) {
      closeQuietly(partition);
    }
    partitions.clear();
    scheduler.shutdownNow();
    if (store != null) {
      store.close();
    }
  }

  private PageStore containerFor(String hubName) {
    if (store != null && info.name().equals(hubName)) {
      return store;
    }
    if (store != null) {
      store.close();
    }
    store = null;
    info = null;
    return containers.apply(hubName);
  }

  private static void checkArguments(String hubName, int partitionCount) {
    if (!isValidHubName(hubName)) {
      throw new IllegalArgumentException(
          "Expected a task hub name of letters, digits, '-' and '_' (at most 63), but got '"
              + hubName
              + "'");
    }
    if (partitionCount < 1) {
      throw new IllegalArgumentException(
          "Expected at least one partition, but got " + partitionCount);
    }
  }

  private TaskHubInfo create(PageStore container, String hubName, int partitionCount) {
    checkNoPartitionData(container);
    TaskHubInfo created =
        new TaskHubInfo(
            hubName,
            partitionCount,
            System.currentTimeMillis(),
            FORMAT_VERSION,
            UUID.randomUUID().toString());
    if (container.createDocument(TASK_HUB_JSON, toJson(created))) {
      LOG.info(
          "Created task hub '{}' with {} partitions in {}",
          hubName,
          partitionCount,
          container.location());
      return created;
    }
    return readInfo(container).orElseThrow();
  }

  private void checkNoPartitionData(PageStore container) {
    Optional<String> leftover =
        container.list("p").stream().filter(n -> PARTITION_BLOB.matcher(n).matches()).findFirst();
    if (leftover.isPresent() && readInfo(container).isEmpty()) {
      throw new StorageException(
          "Expected no partition data in "
              + container.location()
              + " for a new task hub, but found "
              + leftover.get()
              + " without a "
              + TASK_HUB_JSON
              + ". Restore "
              + TASK_HUB_JSON
              + ", or delete the folder to start the task hub anew.");
    }
  }

  private static void check(
      TaskHubInfo found, PageStore container, String hubName, int partitionCount) {
    if (!found.name().equals(hubName)) {
      throw new TaskHubMismatchException(
          "Expected task hub '"
              + hubName
              + "' in "
              + container.location()
              + ", but "
              + TASK_HUB_JSON
              + " there describes task hub '"
              + found.name()
              + "'. Use another name, or delete that task hub.");
    }
    if (found.partitionCount() != partitionCount) {
      throw new TaskHubMismatchException(
          "Expected task hub '"
              + hubName
              + "' in "
              + container.location()
              + " to have "
              + partitionCount
              + " partitions, but it has "
              + found.partitionCount()
              + ". Configure "
              + found.partitionCount()
              + " partitions, or delete the task hub to recreate it with "
              + partitionCount
              + ".");
    }
    if (found.formatVersion() > FORMAT_VERSION) {
      throw new StorageException(
          "Expected task hub '"
              + hubName
              + "' in "
              + container.location()
              + " to have storage format "
              + FORMAT_VERSION
              + " or older, but it has format "
              + found.formatVersion()
              + ". Run a newer version of the host.");
    }
  }

  private Optional<TaskHubInfo> readInfo(PageStore container) {
    return container.readDocument(TASK_HUB_JSON).map(bytes -> fromJson(bytes, container));
  }

  private byte[] toJson(TaskHubInfo hub) {
    TaskHubJson document =
        new TaskHubJson(
            hub.name(),
            hub.partitionCount(),
            Instant.ofEpochMilli(hub.createdTimeMillis()).toString(),
            hub.formatVersion(),
            hub.hubId());
    try {
      return json.writeValueAsBytes(document);
    } catch (IOException e) {
      throw new IllegalStateException("Expected to write " + TASK_HUB_JSON + ", but: " + e, e);
    }
  }

  private TaskHubInfo fromJson(byte[] bytes, PageStore container) {
    try {
      TaskHubJson document = json.readValue(bytes, TaskHubJson.class);
      return new TaskHubInfo(
          document.name(),
          document.partitionCount(),
          Instant.parse(document.createdTime()).toEpochMilli(),
          document.formatVersion(),
          document.hubId());
    } catch (IOException | RuntimeException e) {
      throw new StorageException(
          "Expected "
              + TASK_HUB_JSON
              + " in "
              + container.location()
              + " to describe a task hub, but it cannot be read ("
              + e.getMessage()
              + "). Restore it, or delete the task hub to start anew.",
          e);
    }
  }

  private static void closeQuietly(BlobPartitionStore partition) {
    try {
      partition.close();
    } catch (RuntimeException e) {
      LOG.warn("Could not close a partition store", e);
    }
  }
}
