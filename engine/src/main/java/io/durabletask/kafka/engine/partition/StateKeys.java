package io.durabletask.kafka.engine.partition;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Key layout of a partition's state store.
 *
 * <pre>
 * m                                     -> PartitionMeta
 * i/ utf8(instanceId)                   -> InstanceRecord (without history)
 * h/ int32(len) utf8(instanceId) int32(index) -> HistoryEvent, index from 0 in history order
 * o/ int64(sequence)                    -> OutboxEntry, a message not yet confirmed by the transport
 * </pre>
 *
 * Integers are big-endian, so keys sort in numeric order.
 */
final class StateKeys {
  static final byte[] META = {'m'};
  static final byte[] INSTANCE_PREFIX = {'i', '/'};
  static final byte[] HISTORY_PREFIX = {'h', '/'};
  static final byte[] OUTBOX_PREFIX = {'o', '/'};

  private StateKeys() {}

  static byte[] instance(String instanceId) {
    byte[] id = instanceId.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(2 + id.length).put(INSTANCE_PREFIX).put(id).array();
  }

  static String instanceIdOf(byte[] instanceKey) {
    return new String(
        instanceKey,
        INSTANCE_PREFIX.length,
        instanceKey.length - INSTANCE_PREFIX.length,
        StandardCharsets.UTF_8);
  }

  static byte[] historyPrefix(String instanceId) {
    byte[] id = instanceId.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(6 + id.length).put(HISTORY_PREFIX).putInt(id.length).put(id).array();
  }

  static byte[] history(String instanceId, int index) {
    byte[] prefix = historyPrefix(instanceId);
    return ByteBuffer.allocate(prefix.length + 4).put(prefix).putInt(index).array();
  }

  static byte[] outbox(long sequence) {
    return ByteBuffer.allocate(10).put(OUTBOX_PREFIX).putLong(sequence).array();
  }
}
