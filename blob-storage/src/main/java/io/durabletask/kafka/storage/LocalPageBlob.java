package io.durabletask.kafka.storage;

import io.durabletask.kafka.engine.storage.StorageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** A page blob in a file of a {@link LocalFilePageStore}; the channel is opened on first use. */
final class LocalPageBlob implements PageBlob {
  private final String name;
  private final Path path;
  private final PageStoreMetrics.BlobCounters counters;
  private FileChannel channel;

  LocalPageBlob(String name, Path path, PageStoreMetrics.BlobCounters counters) {
    this.name = name;
    this.path = path;
    this.counters = counters;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public boolean exists() {
    return Files.exists(path);
  }

  @Override
  public void create(Lease lease) {
    local(lease).whileHeld(this::createFile);
  }

  @Override
  public long length() {
    try {
      return Files.size(path);
    } catch (NoSuchFileException e) {
      return 0;
    } catch (IOException e) {
      throw LocalFilePageStore.failed("read the size of " + path, e);
    }
  }

  @Override
  public void write(long offset, ByteBuffer pages, Lease lease) {
    int length = pages.remaining();
    checkAligned(offset, length);
    local(lease).whileHeld(() -> writeFully(offset, pages));
    counters.recordWrite(length);
  }

  @Override
  public synchronized void flush() {
    try {
      if (channel != null) {
        channel.force(false);
        counters.recordFlush();
      }
    } catch (IOException e) {
      throw LocalFilePageStore.failed("flush " + path, e);
    }
  }

  @Override
  public ByteBuffer read(long offset, int maxLength) {
    int length = (int) Math.max(0, Math.min(maxLength, length() - offset));
    ByteBuffer buffer = ByteBuffer.allocate(length);
    if (length > 0) {
      readFully(offset, buffer);
    }
    return buffer.flip();
  }

  @Override
  public void delete(Lease lease) {
    local(lease).whileHeld(this::deleteFile);
  }

  synchronized void closeChannel() {
    try {
      if (channel != null) {
        channel.close();
      }
    } catch (IOException e) {
      throw LocalFilePageStore.failed("close " + path, e);
    } finally {
      channel = null;
    }
  }

  private void createFile() {
    try {
      Files.createDirectories(path.getParent());
      Files.createFile(path);
      LocalFilePageStore.forceFolder(path.getParent());
    } catch (FileAlreadyExistsException e) {
      return;
    } catch (IOException e) {
      throw LocalFilePageStore.failed("create " + path, e);
    }
  }

  private void deleteFile() {
    closeChannel();
    try {
      if (Files.deleteIfExists(path)) {
        LocalFilePageStore.forceFolder(path.getParent());
      }
    } catch (IOException e) {
      throw LocalFilePageStore.failed("delete " + path, e);
    }
  }

  private synchronized void writeFully(long offset, ByteBuffer pages) {
    try {
      FileChannel file = channel();
      long at = offset;
      while (pages.hasRemaining()) {
        at += file.write(pages, at);
      }
    } catch (IOException e) {
      throw LocalFilePageStore.failed("write " + path + " at offset " + offset, e);
    }
  }

  private synchronized void readFully(long offset, ByteBuffer buffer) {
    try {
      FileChannel file = channel();
      while (buffer.hasRemaining()) {
        if (file.read(buffer, offset + buffer.position()) < 0) {
          break;
        }
      }
    } catch (IOException e) {
      throw LocalFilePageStore.failed("read " + path + " at offset " + offset, e);
    }
  }

  private FileChannel channel() throws IOException {
    if (channel == null) {
      channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }
    return channel;
  }

  private void checkAligned(long offset, int length) {
    if (offset % PAGE_SIZE != 0 || length % PAGE_SIZE != 0) {
      throw new IllegalArgumentException(
          "Expected a write of whole 512-byte pages to "
              + name
              + ", but got "
              + length
              + " bytes at offset "
              + offset);
    }
  }

  private static LocalLease local(Lease lease) {
    if (lease instanceof LocalLease local) {
      return local;
    }
    throw new StorageException(
        "Expected a lease of a LocalFilePageStore, but got " + lease.getClass().getName());
  }
}
