package io.durabletask.kafka.engine;

import java.nio.charset.StandardCharsets;

/**
 * Maps an instance id to its partition: 32-bit FNV-1a over the UTF-8 bytes of the id, as an
 * unsigned number, modulo the partition count. The mapping is part of the storage format: changing
 * it would strand existing instances.
 */
public final class PartitionHash {
  private static final int FNV_OFFSET_BASIS = 0x811c9dc5;
  private static final int FNV_PRIME = 0x01000193;

  private PartitionHash() {}

  public static int partitionOf(String instanceId, int partitionCount) {
    return (int) (Integer.toUnsignedLong(fnv1a(instanceId)) % partitionCount);
  }

  static int fnv1a(String text) {
    int hash = FNV_OFFSET_BASIS;
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      hash ^= b & 0xff;
      hash *= FNV_PRIME;
    }
    return hash;
  }
}
