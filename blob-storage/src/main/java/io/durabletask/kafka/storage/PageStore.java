package io.durabletask.kafka.storage;

import io.durabletask.kafka.engine.storage.PartitionOwnershipLostException;
import io.durabletask.kafka.engine.storage.StorageException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A container of named page blobs, small documents and leases: a folder of files locally, a blob
 * container in Azure Storage.
 *
 * <p>Names are relative paths with {@code /} separators, such as {@code
 * p03/log-00000000000000000001}.
 *
 * <p>How an Azure implementation maps onto this: a page blob is a {@code PageBlobClient}; {@link
 * PageBlob#write} is {@code uploadPages} (split at 4 MiB, after a {@code resize} when the write
 * goes past the blob's size) with the lease as a request condition; a document is a block blob
 * created with {@code If-None-Match: *}; a lease is a {@code BlobLeaseClient} lease on the blob of
 * the lease's name, whose id is proposed on every blob the owner creates, so that a write by a host
 * that lost the lease fails with 412 and surfaces as {@link PartitionOwnershipLostException}.
 */
public interface PageStore extends AutoCloseable {

  /** Where the container is, for messages: a folder path or a container URL. */
  String location();

  /**
   * Creates the container if it is missing, and checks that it can be written.
   *
   * @throws StorageException if it cannot be created or written, saying which and what to do
   */
  void createIfMissing();

  /** A handle on the page blob of that name; the blob need not exist. */
  PageBlob blob(String name);

  /** The names of the page blobs and documents that start with {@code prefix}, in name order. */
  List<String> list(String prefix);

  /** The content of a small document, or empty if there is none. */
  Optional<byte[]> readDocument(String name);

  /**
   * Creates a small document atomically if none of that name exists.
   *
   * @return false, changing nothing, if the document exists already
   */
  boolean createDocument(String name, byte[] content);

  /**
   * Takes the lease of that name for {@code ownerId}, which then must renew it within {@code
   * duration}. Writes must present the lease; once another owner holds it, they fail.
   *
   * @throws PartitionOwnershipLostException if another live owner holds the lease
   */
  Lease acquireLease(String name, String ownerId, Duration duration);

  /** Ends whatever lease of that name is held, so another owner can acquire it at once. */
  void breakLease(String name);

  /** Releases open handles; leases are not released. */
  @Override
  void close();
}
