/**
 * The storage of a task hub over page blobs: the commit log, checkpoints and leases of each
 * partition in a {@link io.durabletask.kafka.storage.PageStore} (local files now, Azure page blobs
 * later), and the RocksDB cache of each partition's state on local disk.
 *
 * <p>Layout of a task hub {@code orders} with local files under {@code <root>}:
 *
 * <pre>{@code
 * <root>/orders/taskhub.json                      name, partitions, created time, format, hub id
 * <root>/orders/p03/lease                         owner id, epoch, expiry (plus an OS file lock)
 * <root>/orders/p03/log-00000000000000000042      commit log segment from position 42
 * <root>/orders/p03/checkpoint-<position>-<n>     the current checkpoint
 * <root>/orders/p03/pointer                       which checkpoint is current (2 slots of 512 B)
 * <root>/orders/cache/p03/                        RocksDB cache; deleting it loses nothing
 * }</pre>
 *
 * <p>Every blob format is framed the same way (see {@code Frames}): magic, length, CRC32C. Recovery
 * trusts a frame only if all three agree.
 */
package io.durabletask.kafka.storage;
