package io.durabletask.kafka.storage;

import io.durabletask.kafka.engine.storage.PartitionOwnershipLostException;
import io.durabletask.kafka.engine.storage.StorageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One lease file, open in this process.
 *
 * <p>Two mechanisms exclude owners. Across processes, this process holds a {@link FileLock} on the
 * file for as long as any lease object of this process uses it; the operating system frees it when
 * the process dies, so a host that restarts after a crash takes over at once. Within this process,
 * where file locks do not exclude, the {@link LeaseRecord} in memory decides: another owner may
 * acquire only after the record expired, and every change checks, under this object's monitor, that
 * its lease's epoch is still the current one. The file mirrors the record for people and for the
 * next process.
 */
final class LocalLeaseFile {
  private static final Logger LOG = LoggerFactory.getLogger(LocalLeaseFile.class);

  /** The lease files this process has open; guarded by itself. */
  private static final Map<Path, LocalLeaseFile> OPEN = new HashMap<>();

  private final Path path;
  private final String description;
  private final FileChannel channel;
  private final FileLock processLock;
  private int users;
  private LeaseRecord record;

  private LocalLeaseFile(Path path, String description, FileChannel channel, FileLock lock) {
    this.path = path;
    this.description = description;
    this.channel = channel;
    this.processLock = lock;
    this.record = readRecord();
  }

  /** Opens the lease file for one more user in this process, taking the process lock if needed. */
  static LocalLeaseFile join(Path path, String description) {
    Path key = path.toAbsolutePath().normalize();
    synchronized (OPEN) {
      LocalLeaseFile file = OPEN.computeIfAbsent(key, k -> open(k, description));
      file.users++;
      return file;
    }
  }

  /** Ends one user's use; the last one closes the file and frees the process lock. */
  void leave() {
    synchronized (OPEN) {
      users--;
      if (users == 0) {
        OPEN.remove(path);
        closeQuietly();
      }
    }
  }

  private static LocalLeaseFile open(Path path, String description) {
    FileChannel channel = openChannel(path, description);
    FileLock lock = tryLock(channel, description);
    if (lock == null) {
      closeQuietly(channel);
      throw new PartitionOwnershipLostException(
          "Expected to acquire the lease "
              + description
              + ", but another process on this machine holds it. Stop that host, or wait until it"
              + " lets the partition go.");
    }
    return new LocalLeaseFile(path, description, channel, lock);
  }

  private static FileChannel openChannel(Path path, String description) {
    try {
      Files.createDirectories(path.getParent());
      return FileChannel.open(
          path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new StorageException(
          "Expected to open the lease file " + description + ", but it failed: " + e, e);
    }
  }

  private static FileLock tryLock(FileChannel channel, String description) {
    try {
      return channel.tryLock();
    } catch (IOException e) {
      throw new StorageException(
          "Expected to lock the lease file " + description + ", but it failed: " + e, e);
    }
  }

  /**
   * Makes {@code ownerId} the owner for {@code durationMillis} and returns the new epoch.
   *
   * @throws PartitionOwnershipLostException if another owner in this process holds a live lease
   */
  synchronized long take(String ownerId, long nowMillis, long durationMillis) {
    if (record.isLive(nowMillis) && !record.ownerId().equals(ownerId)) {
      throw new PartitionOwnershipLostException(
          "Expected to acquire the lease "
              + description
              + " for owner '"
              + ownerId
              + "', but owner '"
              + record.ownerId()
              + "' holds it until "
              + Instant.ofEpochMilli(record.expiresAtMillis())
              + ".");
    }
    if (!record.ownerId().isEmpty()) {
      LOG.info("Taking over the lease {} from owner '{}'", description, record.ownerId());
    }
    record = record.takenBy(ownerId, nowMillis + durationMillis);
    writeRecord(true);
    return record.epoch();
  }

  synchronized void renew(LocalLease lease, long nowMillis, long durationMillis) {
    checkHeld(lease);
    record = record.extendedTo(nowMillis + durationMillis);
    writeRecord(false);
  }

  synchronized void release(LocalLease lease) {
    if (isHeld(lease)) {
      record = record.released();
      writeRecord(true);
    }
  }

  synchronized void breakLease() {
    record = record.broken();
    writeRecord(true);
  }

  /** Runs a change while no other owner can take the lease, if {@code lease} still holds it. */
  synchronized void whileHeld(LocalLease lease, Runnable change) {
    checkHeld(lease);
    change.run();
  }

  private boolean isHeld(LocalLease lease) {
    return record.epoch() == lease.epoch() && record.ownerId().equals(lease.ownerId());
  }

  private void checkHeld(LocalLease lease) {
    if (isHeld(lease)) {
      return;
    }
    String holder =
        record.ownerId().isEmpty() ? "it was broken" : "owner '" + record.ownerId() + "' holds it";
    throw new PartitionOwnershipLostException(
        "Expected owner '"
            + lease.ownerId()
            + "' to hold the lease "
            + description
            + ", but "
            + holder
            + " now. Stop the partition; another host owns it.");
  }

  private LeaseRecord readRecord() {
    try {
      ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(channel.size(), 4096));
      channel.read(buffer, 0);
      LeaseRecord previous = LeaseRecord.parse(buffer.array());
      return previous.released();
    } catch (IOException e) {
      throw new StorageException(
          "Expected to read the lease file " + description + ", but it failed: " + e, e);
    }
  }

  private void writeRecord(boolean durable) {
    try {
      byte[] bytes = record.toBytes();
      channel.truncate(0);
      channel.write(ByteBuffer.wrap(bytes), 0);
      if (durable) {
        channel.force(false);
      }
    } catch (IOException e) {
      throw new StorageException(
          "Expected to write the lease file " + description + ", but it failed: " + e, e);
    }
  }

  private void closeQuietly() {
    try {
      processLock.release();
    } catch (IOException e) {
      LOG.debug("Could not release the process lock of {}", description, e);
    }
    closeQuietly(channel);
  }

  private static void closeQuietly(FileChannel channel) {
    try {
      channel.close();
    } catch (IOException e) {
      LOG.debug("Could not close a lease file", e);
    }
  }
}
