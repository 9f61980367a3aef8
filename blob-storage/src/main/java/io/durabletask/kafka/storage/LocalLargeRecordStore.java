package io.durabletask.kafka.storage;

import io.durabletask.kafka.engine.transport.LargeRecordStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link LargeRecordStore} of the embedded default: one local file per value, in the task hub's
 * folder.
 *
 * <pre>{@code
 * <root>/<hub>/large/2025-01-31/1738281600000-<uuid>   one value, its raw bytes
 * }</pre>
 *
 * <p>A key is {@code <UTC day>/<epoch millis>-<random UUID>} of the moment the value was put; the
 * file's path is the key below the store's folder. The same names serve as block blob names below
 * {@code large/} in the task hub's Azure container, the store that hosts on several machines will
 * share; retention then works on listed names alone, a day folder at a time.
 *
 * <p>{@link #put} writes a temporary file, forces it to disk, renames it to its key and forces the
 * folder, so a value is either complete under its key or absent. {@link #deleteOlderThan} judges
 * age by the time in the key, and removes day folders it leaves empty.
 */
public final class LocalLargeRecordStore implements LargeRecordStore {
  private static final Logger LOG = LoggerFactory.getLogger(LocalLargeRecordStore.class);
  private static final String FOLDER_NAME = "large";
  private static final String TEMP_SUFFIX = ".tmp";
  private static final Pattern KEY =
      Pattern.compile("(\\d{4}-\\d{2}-\\d{2})/(\\d{13})-[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}");

  private final Path folder;
  private final Clock clock;

  /** A store whose values live in {@code folder}. */
  public LocalLargeRecordStore(Path folder) {
    this(folder, Clock.systemUTC());
  }

  /** A store whose values live in {@code folder} and whose keys carry the time of {@code clock}. */
  public LocalLargeRecordStore(Path folder, Clock clock) {
    this.folder = folder.toAbsolutePath().normalize();
    this.clock = clock;
  }

  /** The store of task hub {@code hubName} whose folder is {@code <root>/<hubName>}. */
  public static LocalLargeRecordStore forHub(Path root, String hubName) {
    return new LocalLargeRecordStore(root.resolve(hubName).resolve(FOLDER_NAME));
  }

  @Override
  public String put(byte[] value) {
    Instant now = clock.instant();
    String key = dayOf(now) + "/" + now.toEpochMilli() + "-" + UUID.randomUUID();
    Path target = folder.resolve(key);
    Path temp = target.resolveSibling(target.getFileName() + TEMP_SUFFIX);
    try {
      createDayFolder(target.getParent());
      writeDurably(temp, value);
      moveIntoPlace(temp, target);
      return key;
    } catch (IOException e) {
      deleteQuietly(temp);
      throw LocalFilePageStore.failed("store a large record of " + value.length + " bytes", e);
    }
  }

  @Override
  public Optional<byte[]> get(String key) {
    Path file = fileOf(key);
    try {
      return Optional.of(Files.readAllBytes(file));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw LocalFilePageStore.failed("read the large record " + file, e);
    }
  }

  @Override
  public void delete(String key) {
    Path file = fileOf(key);
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw LocalFilePageStore.failed("delete the large record " + file, e);
    }
  }

  @Override
  public int deleteOlderThan(Instant cutoff) {
    if (!Files.isDirectory(folder)) {
      return 0;
    }
    int deleted = 0;
    for (Path day : children(folder)) {
      if (isDayBefore(day, dayOf(cutoff).plusDays(1))) {
        deleted += deleteFilesOlderThan(day, cutoff);
        deleteFolderIfEmptyAndBefore(day, dayOf(cutoff));
      }
    }
    LOG.debug("Deleted {} large records put before {} in {}", deleted, cutoff, folder);
    return deleted;
  }

  @Override
  public String location() {
    return "folder " + folder;
  }

  private Path fileOf(String key) {
    if (key == null || !KEY.matcher(key).matches()) {
      throw new IllegalArgumentException(
          "Expected a large-record key such as '2025-01-31/1738281600000-<uuid>', but got '"
              + key
              + "'");
    }
    return folder.resolve(key);
  }

  private void createDayFolder(Path day) throws IOException {
    if (Files.isDirectory(day)) {
      return;
    }
    Files.createDirectories(day);
    LocalFilePageStore.forceFolder(folder);
  }

  private static void writeDurably(Path file, byte[] value) throws IOException {
    try (FileChannel channel =
        FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ByteBuffer buffer = ByteBuffer.wrap(value);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      channel.force(true);
    }
  }

  private static void moveIntoPlace(Path temp, Path target) throws IOException {
    try {
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(temp, target);
    }
    LocalFilePageStore.forceFolder(target.getParent());
  }

  private int deleteFilesOlderThan(Path day, Instant cutoff) {
    int deleted = 0;
    for (Path file : children(day)) {
      String name = file.getFileName().toString();
      Long putAt = putTimeOf(day.getFileName() + "/" + name.replace(TEMP_SUFFIX, ""));
      if (putAt != null && putAt < cutoff.toEpochMilli() && deleteQuietly(file)) {
        deleted += name.endsWith(TEMP_SUFFIX) ? 0 : 1;
      }
    }
    return deleted;
  }

  private void deleteFolderIfEmptyAndBefore(Path day, LocalDate limit) {
    if (isDayBefore(day, limit) && children(day).isEmpty()) {
      deleteQuietly(day);
    }
  }

  private static boolean isDayBefore(Path day, LocalDate limit) {
    try {
      return LocalDate.parse(day.getFileName().toString()).isBefore(limit);
    } catch (DateTimeParseException e) {
      return false;
    }
  }

  private static Long putTimeOf(String key) {
    Matcher matcher = KEY.matcher(key);
    return matcher.matches() ? Long.valueOf(matcher.group(2)) : null;
  }

  private List<Path> children(Path parent) {
    List<Path> children = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(parent)) {
      entries.forEach(children::add);
    } catch (NoSuchFileException e) {
      return children;
    } catch (IOException e) {
      throw LocalFilePageStore.failed("list the large records in " + parent, e);
    }
    return children;
  }

  private static LocalDate dayOf(Instant instant) {
    return LocalDate.ofInstant(instant, ZoneOffset.UTC);
  }

  private static boolean deleteQuietly(Path path) {
    try {
      return Files.deleteIfExists(path);
    } catch (IOException e) {
      LOG.warn("Expected to delete {}, but: {}", path, e.toString());
      return false;
    }
  }
}
