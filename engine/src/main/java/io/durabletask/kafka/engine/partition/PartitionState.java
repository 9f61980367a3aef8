package io.durabletask.kafka.engine.partition;

import io.durabletask.kafka.avro.DedupEntry;
import io.durabletask.kafka.avro.HistoryEvent;
import io.durabletask.kafka.avro.InstanceRecord;
import io.durabletask.kafka.avro.OutboxEntry;
import io.durabletask.kafka.avro.PartitionMessage;
import io.durabletask.kafka.avro.PartitionMeta;
import io.durabletask.kafka.avro.PartitionOrigin;
import io.durabletask.kafka.codec.Codecs;
import io.durabletask.kafka.engine.query.QueryKey;
import io.durabletask.kafka.engine.storage.Bytes;
import io.durabletask.kafka.engine.storage.StateStore;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;

/**
 * The state of one partition in memory, and the bookkeeping of what changed since the last call to
 * {@link #takeWrites()}.
 *
 * <p>Only the partition's thread touches it.
 */
final class PartitionState {
  private final PartitionMeta meta;
  private final Map<String, InstanceState> instances = new HashMap<>();

  /** The instances by (createdTime, instanceId): the order of QueryInstances. */
  private final TreeMap<QueryKey, InstanceState> byCreatedTime = new TreeMap<>();

  private final TreeMap<Long, OutboxEntry> outbox = new TreeMap<>();
  private final Map<Integer, Long> dedup = new HashMap<>();
  private final Map<Integer, Long> sent = new HashMap<>();

  private final Set<InstanceState> dirtyInstances = new LinkedHashSet<>();
  private final Set<String> deletedInstances = new LinkedHashSet<>();
  private final List<OutboxEntry> addedOutbox = new ArrayList<>();
  private final List<Long> removedOutbox = new ArrayList<>();

  // TODO(#4): keep a bounded cache of instances in memory and read misses from the state store;
  // today every instance of the partition stays in memory.
  private PartitionState(PartitionMeta meta) {
    this.meta = meta;
    meta.getDedup().forEach(entry -> dedup.put(entry.getPartition(), entry.getLastSequence()));
    meta.getSent().forEach(entry -> sent.put(entry.getPartition(), entry.getLastSequence()));
  }

  static PartitionState empty(int partition) {
    return new PartitionState(
        new PartitionMeta(partition, 0L, 0L, 1L, 0L, new ArrayList<>(), 0L, new ArrayList<>(), 0L));
  }

  /** Reads the whole state of a partition from its state store. */
  static PartitionState load(StateStore store, int partition) {
    byte[] metaBytes = store.get(StateKeys.META);
    if (metaBytes == null) {
      return empty(partition);
    }
    PartitionState state = new PartitionState(Codecs.PARTITION_META.decode(metaBytes));
    state.loadInstances(store);
    state.loadOutbox(store);
    return state;
  }

  private void loadInstances(StateStore store) {
    store.scan(
        StateKeys.INSTANCE_PREFIX,
        (key, value) -> {
          InstanceRecord record = withMutableLists(Codecs.INSTANCE_RECORD.decode(value));
          List<HistoryEvent> history = new ArrayList<>(record.getHistoryLength());
          store.scan(
              StateKeys.historyPrefix(record.getInstanceId()),
              (historyKey, event) -> history.add(Codecs.HISTORY_EVENT.decode(event)));
          InstanceState instance = new InstanceState(record, history, history.size());
          instances.put(record.getInstanceId(), instance);
          byCreatedTime.put(createdKey(instance), instance);
        });
  }

  /**
   * Decoded Avro arrays cannot remove elements through their iterators, which the state machine
   * does when timers fire, activities complete and waiters are answered.
   */
  private static InstanceRecord withMutableLists(InstanceRecord record) {
    record.setPendingMessages(new ArrayList<>(record.getPendingMessages()));
    record.setActivities(new ArrayList<>(record.getActivities()));
    record.setTimers(new ArrayList<>(record.getTimers()));
    record.setWaiters(new ArrayList<>(record.getWaiters()));
    return record;
  }

  private void loadOutbox(StateStore store) {
    store.scan(
        StateKeys.OUTBOX_PREFIX,
        (key, value) -> {
          OutboxEntry entry = Codecs.OUTBOX_ENTRY.decode(value);
          outbox.put(entry.getSequence(), entry);
        });
  }

  int partition() {
    return meta.getPartitionId();
  }

  long position() {
    return meta.getPosition();
  }

  void setPosition(long position) {
    meta.setPosition(position);
  }

  long nextInputOffset() {
    return meta.getNextInputOffset();
  }

  void setNextInputOffset(long offset) {
    meta.setNextInputOffset(offset);
  }

  void addSkippedRecords(int count) {
    meta.setSkippedRecords(meta.getSkippedRecords() + count);
  }

  long skippedRecords() {
    return meta.getSkippedRecords();
  }

  InstanceState instance(String instanceId) {
    return instances.get(instanceId);
  }

  Collection<InstanceState> instances() {
    return instances.values();
  }

  /**
   * The instances created at or after {@code from} (null: all), in (createdTime, instanceId) order.
   * The view must not be used across changes to the set of instances.
   */
  NavigableMap<QueryKey, InstanceState> instancesByCreatedTime(QueryKey from) {
    return from == null ? byCreatedTime : byCreatedTime.tailMap(from, true);
  }

  void putInstance(InstanceState instance) {
    InstanceState replaced = instances.put(instance.id(), instance);
    if (replaced != null) {
      byCreatedTime.remove(createdKey(replaced));
    }
    byCreatedTime.put(createdKey(instance), instance);
    deletedInstances.remove(instance.id());
    dirtyInstances.add(instance);
  }

  void removeInstance(InstanceState instance) {
    instances.remove(instance.id());
    byCreatedTime.remove(createdKey(instance));
    dirtyInstances.remove(instance);
    deletedInstances.add(instance.id());
  }

  private static QueryKey createdKey(InstanceState instance) {
    return new QueryKey(instance.record.getCreatedTime(), instance.id());
  }

  /** The request time of the latest task-hub wipe this partition applied; 0 if none. */
  long wipedAt() {
    return meta.getWipedAt();
  }

  void setWipedAt(long wipedAt) {
    meta.setWipedAt(wipedAt);
  }

  void markDirty(InstanceState instance) {
    dirtyInstances.add(instance);
  }

  /**
   * Accepts the next message from another partition. Its sequence number must follow the last one
   * accepted from that sender: a lower one is a duplicate, and a higher one follows a message that
   * is missing and will be sent again, so both are refused.
   */
  MessageOrder tryAcceptSequence(int fromPartition, long sequence) {
    long last = dedup.getOrDefault(fromPartition, 0L);
    if (sequence <= last) {
      return MessageOrder.DUPLICATE;
    }
    if (sequence > last + 1) {
      return MessageOrder.GAP;
    }
    dedup.put(fromPartition, sequence);
    return MessageOrder.NEXT;
  }

  /** Queues a message for another partition and returns its outbox entry. */
  OutboxEntry addToOutbox(int destination, Object body) {
    long index = meta.getNextSequence();
    meta.setNextSequence(index + 1);
    long sequence = sent.getOrDefault(destination, 0L) + 1;
    sent.put(destination, sequence);
    PartitionMessage message =
        new PartitionMessage(
            new PartitionOrigin(meta.getPartitionId(), sequence, meta.getWipedAt()), body);
    OutboxEntry entry = new OutboxEntry(index, destination, message);
    outbox.put(index, entry);
    addedOutbox.add(entry);
    return entry;
  }

  /** How a message from another partition fits the messages accepted from it before. */
  enum MessageOrder {
    NEXT,
    DUPLICATE,
    GAP
  }

  long nextSequence() {
    return meta.getNextSequence();
  }

  void confirmOutbox(long confirmedSequence) {
    while (!outbox.isEmpty() && outbox.firstKey() <= confirmedSequence) {
      removedOutbox.add(outbox.pollFirstEntry().getKey());
    }
    meta.setConfirmedSequence(Math.max(meta.getConfirmedSequence(), confirmedSequence));
  }

  long confirmedSequence() {
    return meta.getConfirmedSequence();
  }

  Collection<OutboxEntry> outbox() {
    return outbox.values();
  }

  /** The outbox entries with a sequence number above {@code sequence}, in order. */
  Collection<OutboxEntry> outboxAfter(long sequence) {
    return outbox.tailMap(sequence, false).values();
  }

  /** Serializes everything that changed since the last call, as one state-store batch. */
  StateWrites takeWrites() {
    StateWrites writes = new StateWrites();
    deletedInstances.forEach(id -> writes.deleteInstance(id));
    dirtyInstances.forEach(writes::putInstance);
    addedOutbox.forEach(entry -> writes.putOutbox(entry));
    removedOutbox.forEach(writes::deleteOutbox);
    writes.putMeta(snapshotMeta());
    deletedInstances.clear();
    dirtyInstances.clear();
    addedOutbox.clear();
    removedOutbox.clear();
    return writes;
  }

  private PartitionMeta snapshotMeta() {
    meta.setDedup(toEntries(dedup));
    meta.setSent(toEntries(sent));
    return meta;
  }

  private static List<DedupEntry> toEntries(Map<Integer, Long> sequences) {
    List<DedupEntry> entries = new ArrayList<>(sequences.size());
    sequences.forEach((partition, sequence) -> entries.add(new DedupEntry(partition, sequence)));
    return entries;
  }

  /** One batch of state-store writes, already encoded. */
  static final class StateWrites {
    final Map<Bytes, byte[]> puts = new HashMap<>();
    final List<byte[]> deletePrefixes = new ArrayList<>();

    void putInstance(InstanceState instance) {
      String id = instance.id();
      if (instance.historyReset) {
        deletePrefixes.add(StateKeys.historyPrefix(id));
        instance.historyReset = false;
      }
      for (int i = instance.persistedHistory; i < instance.history.size(); i++) {
        byte[] event = Codecs.HISTORY_EVENT.encode(instance.history.get(i));
        puts.put(new Bytes(StateKeys.history(id, i)), event);
      }
      instance.persistedHistory = instance.history.size();
      instance.record.setHistoryLength(instance.history.size());
      puts.put(new Bytes(StateKeys.instance(id)), Codecs.INSTANCE_RECORD.encode(instance.record));
    }

    void deleteInstance(String instanceId) {
      deletePrefixes.add(StateKeys.historyPrefix(instanceId));
      puts.put(new Bytes(StateKeys.instance(instanceId)), null);
    }

    void putOutbox(OutboxEntry entry) {
      puts.put(new Bytes(StateKeys.outbox(entry.getSequence())), Codecs.OUTBOX_ENTRY.encode(entry));
    }

    void deleteOutbox(long sequence) {
      puts.put(new Bytes(StateKeys.outbox(sequence)), null);
    }

    void putMeta(PartitionMeta meta) {
      puts.put(new Bytes(StateKeys.META), Codecs.PARTITION_META.encode(meta));
    }
  }
}
