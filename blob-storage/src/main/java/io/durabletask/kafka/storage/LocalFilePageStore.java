package io.durabletask.kafka.storage;

import io.durabletask.kafka.engine.storage.StorageException;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link PageStore} over the files of one folder: a blob is a file, a name's {@code /} is a
 * subfolder. Writes are positional {@link FileChannel} writes, made durable by {@code
 * force(false)}; new files are made durable by forcing their folder too. Leases are lock files: see
 * {@link LocalLeaseFile}. Writes and flushes are counted in {@link PageStoreMetrics}.
 */
public final class LocalFilePageStore implements PageStore {
  private static final Logger LOG = LoggerFactory.getLogger(LocalFilePageStore.class);
  private static final String TEMP_MARKER = ".tmp-";

  private final Path folder;
  private final Clock clock;
  private final PageStoreMetrics metrics;
  private final Map<String, LocalPageBlob> blobs = new ConcurrentHashMap<>();

  public LocalFilePageStore(Path folder) {
    this(folder, Clock.systemUTC());
  }

  /** A store whose leases expire by {@code clock}. */
  public LocalFilePageStore(Path folder, Clock clock) {
    this(folder, clock, PageStoreMetrics.none());
  }

  /** A store that counts its page-blob writes and flushes in {@code meters}. */
  public LocalFilePageStore(Path folder, MeterRegistry meters) {
    this(folder, Clock.systemUTC(), new PageStoreMetrics(meters));
  }

  private LocalFilePageStore(Path folder, Clock clock, PageStoreMetrics metrics) {
    this.folder = folder.toAbsolutePath().normalize();
    this.clock = clock;
    this.metrics = metrics;
  }

  @Override
  public String location() {
    return "folder " + folder;
  }

  @Override
  public void createIfMissing() {
    try {
      Files.createDirectories(folder);
      Files.delete(Files.createTempFile(folder, ".probe", TEMP_MARKER));
    } catch (IOException e) {
      throw new StorageException(
          "Expected to create and write files in the folder "
              + folder
              + ", but could not ("
              + e
              + "). Give the user running the host write access to it, or configure another"
              + " data folder.",
          e);
    }
  }

  @Override
  public PageBlob blob(String name) {
    return blobs.computeIfAbsent(
        checkName(name), n -> new LocalPageBlob(n, resolve(n), metrics.forBlob(n)));
  }

  @Override
  public List<String> list(String prefix) {
    List<String> names = new ArrayList<>();
    try {
      Files.walkFileTree(folder, new PrefixCollector(prefix, names));
    } catch (IOException e) {
      throw failed("list the files under " + folder, e);
    }
    Collections.sort(names);
    return names;
  }

  @Override
  public Optional<byte[]> readDocument(String name) {
    try {
      return Optional.of(Files.readAllBytes(resolve(checkName(name))));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw failed("read " + resolve(name), e);
    }
  }

  @Override
  public boolean createDocument(String name, byte[] content) {
    Path target = resolve(checkName(name));
    Path temp = target.resolveSibling(target.getFileName() + TEMP_MARKER + UUID.randomUUID());
    try {
      Files.createDirectories(target.getParent());
      writeDurably(temp, content);
      return linkUnlessExists(target, temp);
    } catch (IOException e) {
      throw failed("create " + target, e);
    } finally {
      deleteQuietly(temp);
    }
  }

  @Override
  public Lease acquireLease(String name, String ownerId, Duration duration) {
    Path path = resolve(checkName(name));
    return LocalLease.acquire(path, name, describe(name), ownerId, duration, clock);
  }

  @Override
  public void breakLease(String name) {
    LocalLeaseFile file = LocalLeaseFile.join(resolve(checkName(name)), describe(name));
    try {
      file.breakLease();
    } finally {
      file.leave();
    }
  }

  @Override
  public void close() {
    blobs.values().forEach(LocalPageBlob::closeChannel);
    blobs.clear();
  }

  private String describe(String name) {
    return name + " in " + location();
  }

  private Path resolve(String name) {
    return name.isEmpty() ? folder : folder.resolve(name);
  }

  private String nameOf(Path file) {
    return folder.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
  }

  private static String checkName(String name) {
    boolean valid =
        !name.isEmpty()
            && !name.startsWith("/")
            && !name.endsWith("/")
            && !name.contains("\\")
            && Stream.of(name.split("/")).noneMatch(part -> part.isEmpty() || part.equals(".."));
    if (!valid) {
      throw new IllegalArgumentException(
          "Expected a relative blob name without empty or '..' parts, but got '" + name + "'");
    }
    return name;
  }

  private static void writeDurably(Path file, byte[] content) throws IOException {
    try (FileChannel channel =
        FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      channel.write(ByteBuffer.wrap(content));
      channel.force(true);
    }
  }

  private static boolean linkUnlessExists(Path target, Path temp) throws IOException {
    try {
      Files.createLink(target, temp);
      forceFolder(target.getParent());
      return true;
    } catch (FileAlreadyExistsException e) {
      return false;
    }
  }

  /** Makes the creation or deletion of files in {@code folder} durable, where the OS allows it. */
  static void forceFolder(Path folder) {
    try (FileChannel channel = FileChannel.open(folder, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      LOG.debug("Cannot force the folder {} on this platform", folder, e);
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      LOG.debug("Could not delete {}", file, e);
    }
  }

  static StorageException failed(String action, IOException cause) {
    return new StorageException("Expected to " + action + ", but it failed: " + cause, cause);
  }

  /**
   * Collects the names that start with a prefix, visiting only the folders that can hold such
   * names; files that vanish during the walk are skipped.
   */
  private final class PrefixCollector extends SimpleFileVisitor<Path> {
    private final String prefix;
    private final List<String> names;

    PrefixCollector(String prefix, List<String> names) {
      this.prefix = prefix;
      this.names = names;
    }

    @Override
    public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) {
      if (dir.equals(folder)) {
        return FileVisitResult.CONTINUE;
      }
      String name = nameOf(dir) + "/";
      boolean mayHoldMatches = name.startsWith(prefix) || prefix.startsWith(name);
      return mayHoldMatches ? FileVisitResult.CONTINUE : FileVisitResult.SKIP_SUBTREE;
    }

    @Override
    public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
      String name = nameOf(file);
      if (attributes.isRegularFile() && name.startsWith(prefix) && !name.contains(TEMP_MARKER)) {
        names.add(name);
      }
      return FileVisitResult.CONTINUE;
    }

    @Override
    public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
      if (e instanceof NoSuchFileException) {
        return FileVisitResult.CONTINUE;
      }
      throw e;
    }
  }
}
