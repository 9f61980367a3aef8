package io.durabletask.kafka.engine.storage;

/** Another host owns the partition now; this host must stop the partition without committing. */
public class PartitionOwnershipLostException extends StorageException {
  public PartitionOwnershipLostException(String message) {
    super(message);
  }

  public PartitionOwnershipLostException(String message, Throwable cause) {
    super(message, cause);
  }
}
