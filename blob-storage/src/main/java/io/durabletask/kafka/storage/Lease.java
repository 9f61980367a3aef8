package io.durabletask.kafka.storage;

import io.durabletask.kafka.engine.storage.PartitionOwnershipLostException;

/**
 * An owner's exclusive right to change the blobs of one partition, until it expires or another
 * owner breaks it.
 *
 * <p>States: held (after {@link PageStore#acquireLease}, extended by {@link #renew}), expired (not
 * renewed in time; still usable until another owner acquires it), lost (another owner acquired or
 * broke it; every change presenting it fails), released.
 */
public interface Lease {

  /** The name of the lease in its {@link PageStore}. */
  String name();

  String ownerId();

  /**
   * Extends the lease by its duration.
   *
   * @throws PartitionOwnershipLostException if another owner took it
   */
  void renew();

  /** Gives the lease up, if this owner still holds it, so another owner can acquire it at once. */
  void release();
}
