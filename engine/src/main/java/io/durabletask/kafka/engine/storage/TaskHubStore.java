package io.durabletask.kafka.engine.storage;

/**
 * The storage of a whole task hub: its description ({@code taskhub.json}) and one {@link
 * PartitionStore} per partition.
 */
public interface TaskHubStore extends AutoCloseable {

  /**
   * Creates the task hub in storage if it is missing, or checks the one there.
   *
   * @throws TaskHubMismatchException if the stored hub has another partition count; nothing is
   *     changed then
   * @throws StorageException if storage cannot be read or written
   */
  TaskHubInfo createOrCheck(String hubName, int partitionCount);

  /**
   * Whether the task hub exists in storage; creates and changes nothing.
   *
   * @throws StorageException if storage cannot be read
   */
  boolean exists(String hubName);

  /** The store of one partition. */
  PartitionStore partition(int partition);

  @Override
  void close();
}
