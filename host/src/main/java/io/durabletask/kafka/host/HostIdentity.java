package io.durabletask.kafka.host;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The id of a host in the hosts group, kept in its data folder, so that a host restarted on the
 * same folder rejoins the group as the same static member and takes its partitions back at once.
 *
 * <pre>{@code
 * <data>/host-ids/<n>.id   one id per slot, generated when the slot is first taken
 * }</pre>
 *
 * <p>A running host holds an exclusive lock on its slot's file, so hosts that share a data folder
 * each take a slot of their own: the lowest one no running host holds. A host restarted after a
 * crash finds the lock of its old process gone and takes the same slot and id again. Hosts on
 * different folders generate their ids independently, at random. A copy of a folder carries its ids
 * along: a host started on the copy takes the place of the one running on the original, which stops
 * (see {@link Host#failure()}).
 *
 * <p>States: {@link #claim} takes a slot and holds it until {@link #close}; closing twice does
 * nothing.
 */
final class HostIdentity implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HostIdentity.class);
  private static final String FOLDER = "host-ids";
  private static final Pattern LEGAL_ID = Pattern.compile("[A-Za-z0-9._-]{1,200}");
  private static final int MAX_SLOTS = 1024;

  /**
   * Slot files claimed in this JVM. They are skipped without being opened: on Linux, closing any
   * channel of a file drops every lock this process holds on it.
   */
  private static final Set<Path> CLAIMED_HERE = new HashSet<>();

  private final String id;
  private final Path file;
  private final FileChannel channel;
  private final FileLock lock;

  private HostIdentity(String id, Path file, FileChannel channel, FileLock lock) {
    this.id = id;
    this.file = file;
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Takes the lowest free slot of the data folder, and its id, generating one for a new slot.
   *
   * @throws HostStartupException when the folder cannot hold the slot files
   */
  static synchronized HostIdentity claim(Path dataDir) {
    Path folder = dataDir.toAbsolutePath().normalize().resolve(FOLDER);
    createFolder(folder);
    for (int slot = 0; slot < MAX_SLOTS; slot++) {
      Path file = folder.resolve(slot + ".id");
      HostIdentity identity = CLAIMED_HERE.contains(file) ? null : tryClaim(file);
      if (identity != null) {
        CLAIMED_HERE.add(file);
        return identity;
      }
    }
    throw new HostStartupException(
        "Expected a free host slot in "
            + folder.toAbsolutePath()
            + ", but all "
            + MAX_SLOTS
            + " are held by running hosts. Give this host a data folder of its own.");
  }

  /** The host's id, unique among the hosts of the task hub. */
  String id() {
    return id;
  }

  /** Gives the slot up; its id stays in the file for the next host on this folder. */
  @Override
  public void close() {
    synchronized (HostIdentity.class) {
      if (!CLAIMED_HERE.remove(file)) {
        return;
      }
      try {
        lock.release();
        channel.close();
      } catch (IOException e) {
        log.warn("Expected to release the host id in {}, but: {}", file, e.toString());
      }
    }
  }

  private static HostIdentity tryClaim(Path file) {
    FileChannel channel = open(file);
    try {
      FileLock lock = tryLock(channel);
      if (lock == null) {
        channel.close();
        return null;
      }
      return new HostIdentity(readOrCreate(file, channel), file, channel, lock);
    } catch (IOException | RuntimeException e) {
      closeQuietly(channel);
      throw new HostStartupException(
          "Expected to read or write the host id in "
              + file.toAbsolutePath()
              + ", but: "
              + e
              + ". Check the permissions of the data folder.",
          e);
    }
  }

  private static String readOrCreate(Path file, FileChannel channel) throws IOException {
    String stored = read(channel);
    if (LEGAL_ID.matcher(stored).matches()) {
      return stored;
    }
    if (!stored.isEmpty()) {
      log.warn("Expected a host id in {}, but found '{}'; generating a new one", file, stored);
    }
    String created = "host-" + UUID.randomUUID();
    write(channel, created);
    log.info("Generated host id {} in {}", created, file);
    return created;
  }

  /** Reads through the locked channel: closing another channel would drop this JVM's lock. */
  private static String read(FileChannel channel) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(channel.size(), 4096));
    int read = 0;
    while (buffer.hasRemaining() && read >= 0) {
      read = channel.read(buffer, buffer.position());
    }
    return new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8).strip();
  }

  private static void write(FileChannel channel, String id) throws IOException {
    channel.truncate(0);
    channel.write(ByteBuffer.wrap((id + "\n").getBytes(StandardCharsets.UTF_8)), 0);
    channel.force(true);
  }

  private static FileChannel open(Path file) {
    try {
      return FileChannel.open(
          file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new HostStartupException(
          "Expected to open the host id file "
              + file.toAbsolutePath()
              + ", but: "
              + e
              + ". Check the permissions of the data folder.",
          e);
    }
  }

  /** The lock, or null when another host (in this process or another) holds it. */
  private static FileLock tryLock(FileChannel channel) throws IOException {
    try {
      return channel.tryLock();
    } catch (OverlappingFileLockException e) {
      return null;
    }
  }

  private static void createFolder(Path folder) {
    try {
      Files.createDirectories(folder);
    } catch (IOException e) {
      throw new HostStartupException(
          "Expected to create " + folder.toAbsolutePath() + ", but: " + e + ".", e);
    }
  }

  private static void closeQuietly(FileChannel channel) {
    try {
      channel.close();
    } catch (IOException e) {
      log.debug("Could not close a host id file", e);
    }
  }
}
