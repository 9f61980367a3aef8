package io.durabletask.kafka.transport;

import io.durabletask.kafka.engine.transport.TransportException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive lock on a broker's data folder, held from before formatting until the broker has
 * stopped.
 *
 * <p>Kafka locks its log folder only once the broker part starts, after the controller has opened
 * the metadata log; a second broker on the same folder would corrupt that log and halt the process.
 * This lock refuses the second broker first, whether it runs in this process or another.
 */
final class FolderLock implements AutoCloseable {

  private static final String LOCK_FILE = "embedded-broker.lock";

  private final FileChannel channel;
  private final FileLock lock;

  private FolderLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Locks {@code folder}, creating it when missing.
   *
   * @throws TransportException when another broker holds the folder
   */
  static FolderLock acquire(Path folder) {
    FileChannel channel = openLockFile(folder);
    FileLock lock = tryLock(channel);
    if (lock == null) {
      closeQuietly(channel);
      throw new TransportException(
          "Expected the Kafka data folder "
              + folder
              + " to be free, but another embedded broker (in this process or another) uses it."
              + " Stop that broker, or give this one another folder.");
    }
    return new FolderLock(channel, lock);
  }

  @Override
  public void close() {
    try {
      lock.release();
    } catch (IOException e) {
      throw new TransportException("Expected to unlock " + LOCK_FILE + ", but: " + e, e);
    } finally {
      closeQuietly(channel);
    }
  }

  private static FileChannel openLockFile(Path folder) {
    try {
      Files.createDirectories(folder);
      return FileChannel.open(
          folder.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new TransportException(
          "Expected to create the Kafka data folder " + folder + ", but: " + e, e);
    }
  }

  private static FileLock tryLock(FileChannel channel) {
    try {
      return channel.tryLock();
    } catch (OverlappingFileLockException e) {
      return null;
    } catch (IOException e) {
      closeQuietly(channel);
      throw new TransportException("Expected to lock " + LOCK_FILE + ", but: " + e, e);
    }
  }

  private static void closeQuietly(FileChannel channel) {
    try {
      channel.close();
    } catch (IOException e) {
      // Closing a lock file that could not be used; nothing is lost.
    }
  }
}
