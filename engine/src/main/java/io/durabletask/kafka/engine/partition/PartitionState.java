package io.durabletask.kafka.engine.partition;

import io.durabletask.kafka.avro.DedupEntry;
import io.durabletask.kafka.avro.HistoryEvent;
import io.durabletask.kafka.avro.InstanceRecord;
import io.durabletask.kafka.avro.OutboxEntry;
import io.durabletask.kafka.avro.PartitionMessage;
import io.durabletask.kafka.avro.PartitionMeta;
import io.durabletask.kafka.avro.PartitionOrigin;
import io.durabletask.kafka.avro.RuntimeStatus;
import io.durabletask.kafka.codec.Codecs;
import io.durabletask.kafka.engine.query.QueryKey;
import io.durabletask.kafka.engine.storage.Bytes;
import io.durabletask.kafka.engine.storage.StateStore;
import java.util.ArrayDeque;
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
 * {@link #takeWrites}.
 *
 * <p>Instances live in a bounded cache over the state store. Every instance has a small summary in
 * memory (id, created time, status, completed time) that listings and filters use; the full state
 * (record and history) of an instance that is not terminal always stays cached, since the
 * partition's loop holds on to it. A terminal instance leaves the cache, oldest first, once the
 * cache holds more than its budget and the instance's last change is in the state store; it is read
 * back from the store when needed. A cache hit never reads the store.
 *
 * <p>Only the partition's thread touches it.
 */
final class PartitionState {
  private final PartitionMeta meta;
  private final StateStore store;
  private final long cacheBudgetBytes;

  /** The instances whose full state is in memory. */
  private final Map<String, InstanceState> cached = new HashMap<>();

  /** Every instance of the partition, cached or not. */
  private final Map<String, InstanceSummary> summaries = new HashMap<>();

  /** The summaries by (createdTime, instanceId): the order of QueryInstances. */
  private final TreeMap<QueryKey, InstanceSummary> byCreatedTime = new TreeMap<>();

  /** Cached terminal instances in the order they ended: the next to leave the cache first. */
  private final ArrayDeque<InstanceState> evictionOrder = new ArrayDeque<>();

  private long cachedBytes;
  private long writtenPosition;

  private final TreeMap<Long, OutboxEntry> outbox = new TreeMap<>();
  private final Map<Integer, Long> dedup = new HashMap<>();
  private final Map<Integer, Long> sent = new HashMap<>();

  private final Set<InstanceState> dirtyInstances = new LinkedHashSet<>();
  private final Set<String> deletedInstances = new LinkedHashSet<>();
  private final List<OutboxEntry> addedOutbox = new ArrayList<>();
  private final List<Long> removedOutbox = new ArrayList<>();

  // TODO(#4): the summaries of all instances stay in memory (about 200 bytes each); hubs with many
  // millions of instances per partition need the listing indexes in the state store instead.
  private PartitionState(PartitionMeta meta, StateStore store, long cacheBudgetBytes) {
    this.meta = meta;
    this.store = store;
    this.cacheBudgetBytes = cacheBudgetBytes;
    meta.getDedup().forEach(entry -> dedup.put(entry.getPartition(), entry.getLastSequence()));
    meta.getSent().forEach(entry -> sent.put(entry.getPartition(), entry.getLastSequence()));
  }

  private static PartitionMeta emptyMeta(int partition) {
    return new PartitionMeta(
        partition, 0L, 0L, 1L, 0L, new ArrayList<>(), 0L, new ArrayList<>(), 0L);
  }

  /** Reads the state of a partition from its state store, with an unbounded instance cache. */
  static PartitionState load(StateStore store, int partition) {
    return load(store, partition, Long.MAX_VALUE);
  }

  /**
   * Reads the state of a partition from its state store: the summaries of all instances, the full
   * state of those that are not terminal, and the outbox.
   */
  static PartitionState load(StateStore store, int partition, long cacheBudgetBytes) {
    byte[] metaBytes = store.get(StateKeys.META);
    if (metaBytes == null) {
      return new PartitionState(emptyMeta(partition), store, cacheBudgetBytes);
    }
    PartitionState state =
        new PartitionState(Codecs.PARTITION_META.decode(metaBytes), store, cacheBudgetBytes);
    state.writtenPosition = store.position();
    state.loadInstances();
    state.loadOutbox();
    return state;
  }

  private void loadInstances() {
    store.scan(
        StateKeys.INSTANCE_PREFIX,
        (key, value) -> {
          InstanceRecord record = Codecs.INSTANCE_RECORD.decode(value);
          addSummary(new InstanceSummary(record));
          if (!InstanceState.isTerminal(record.getStatus())) {
            cache(readHistory(withMutableLists(record), value.length));
          }
        });
  }

  /** The full state of a stored instance, or null. */
  private InstanceState readInstance(String instanceId) {
    byte[] value = store.get(StateKeys.instance(instanceId));
    if (value == null) {
      return null;
    }
    return readHistory(withMutableLists(Codecs.INSTANCE_RECORD.decode(value)), value.length);
  }

  private InstanceState readHistory(InstanceRecord record, int recordBytes) {
    List<HistoryEvent> history = new ArrayList<>(record.getHistoryLength());
    long[] historyBytes = {0};
    store.scan(
        StateKeys.historyPrefix(record.getInstanceId()),
        (historyKey, event) -> {
          history.add(Codecs.HISTORY_EVENT.decode(event));
          historyBytes[0] += event.length;
        });
    InstanceState instance = new InstanceState(record, history, history.size());
    instance.historyBytes = historyBytes[0];
    instance.sizeBytes = recordBytes + historyBytes[0];
    instance.pendingWritePosition = writtenPosition;
    return instance;
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

  private void loadOutbox() {
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

  // ---- instances ----

  /** The instance, read back from the state store if it left the cache; null if there is none. */
  InstanceState instance(String instanceId) {
    InstanceState instance = cached.get(instanceId);
    if (instance != null || !summaries.containsKey(instanceId)) {
      return instance;
    }
    instance = readInstance(instanceId);
    if (instance == null) {
      throw new IllegalStateException(
          "Expected instance " + instanceId + " in the state store, but it is missing");
    }
    cache(instance);
    return instance;
  }

  /** The instances whose full state is in memory; every instance that is not terminal is. */
  Collection<InstanceState> cachedInstances() {
    return cached.values();
  }

  /** The number of instances of the partition. */
  int instanceCount() {
    return summaries.size();
  }

  /** The ids of every instance of the partition. */
  List<String> instanceIds() {
    return new ArrayList<>(summaries.keySet());
  }

  /** Every instance's summary, in no order. The view must not be used across changes. */
  Collection<InstanceSummary> summaries() {
    return summaries.values();
  }

  /**
   * The summaries of instances created at or after {@code from} (null: all), in (createdTime,
   * instanceId) order. The view must not be used across changes to the set of instances.
   */
  NavigableMap<QueryKey, InstanceSummary> summariesByCreatedTime(QueryKey from) {
    return from == null ? byCreatedTime : byCreatedTime.tailMap(from, true);
  }

  /** The current status of a listed instance. */
  RuntimeStatus status(InstanceSummary summary) {
    InstanceState instance = cached.get(summary.instanceId());
    return instance != null ? instance.status() : summary.status();
  }

  /** The completed time of a listed instance, or its last update when it has none. */
  long completedTime(InstanceSummary summary) {
    InstanceState instance = cached.get(summary.instanceId());
    return instance != null ? InstanceSummary.completedTimeOf(instance.record) : summary.endTime();
  }

  /** The record of a listed instance; one that left the cache is read without caching it again. */
  InstanceRecord record(InstanceSummary summary) {
    InstanceState instance = cached.get(summary.instanceId());
    if (instance != null) {
      return instance.record;
    }
    byte[] value = store.get(StateKeys.instance(summary.instanceId()));
    if (value == null) {
      throw new IllegalStateException(
          "Expected instance " + summary.instanceId() + " in the state store, but it is missing");
    }
    return Codecs.INSTANCE_RECORD.decode(value);
  }

  void putInstance(InstanceState instance) {
    InstanceState replaced = instance(instance.id());
    if (replaced != null) {
      forget(replaced);
    }
    addSummary(new InstanceSummary(instance.record));
    cache(instance);
    deletedInstances.remove(instance.id());
    dirtyInstances.add(instance);
  }

  void removeInstance(InstanceState instance) {
    forget(instance);
    dirtyInstances.remove(instance);
    deletedInstances.add(instance.id());
  }

  private void forget(InstanceState instance) {
    instance.forgotten = true;
    InstanceSummary summary = summaries.remove(instance.id());
    if (summary != null) {
      byCreatedTime.remove(summary.key());
    }
    if (cached.remove(instance.id()) == instance) {
      cachedBytes -= instance.sizeBytes;
    }
  }

  private void addSummary(InstanceSummary summary) {
    summaries.put(summary.instanceId(), summary);
    byCreatedTime.put(summary.key(), summary);
  }

  private void cache(InstanceState instance) {
    cached.put(instance.id(), instance);
    cachedBytes += instance.sizeBytes;
    if (instance.isTerminal()) {
      evictionOrder.add(instance);
    }
  }

  /** The bytes of instance state in memory, as encoded in the state store. */
  long cachedBytes() {
    return cachedBytes;
  }

  /** The number of instances whose full state is in memory. */
  int cachedCount() {
    return cached.size();
  }

  /**
   * Records that the state store holds every write taken up to {@code position}, then lets terminal
   * instances whose state is stored leave the cache until it is within its budget.
   */
  void onWritten(long position) {
    writtenPosition = Math.max(writtenPosition, position);
    while (cachedBytes > cacheBudgetBytes && !evictionOrder.isEmpty()) {
      InstanceState oldest = evictionOrder.peek();
      if (cached.get(oldest.id()) != oldest || !oldest.isTerminal()) {
        evictionOrder.poll();
      } else if (dirtyInstances.contains(oldest) || oldest.pendingWritePosition > writtenPosition) {
        return;
      } else {
        evictionOrder.poll();
        evict(oldest);
      }
    }
  }

  private void evict(InstanceState instance) {
    cached.remove(instance.id());
    cachedBytes -= instance.sizeBytes;
    InstanceSummary summary = summaries.get(instance.id());
    if (summary != null) {
      summary.update(instance.record);
    }
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
    return takeWrites(meta.getPosition());
  }

  /**
   * Serializes everything that changed since the last call, as one state-store batch that brings
   * the store to {@code position}.
   */
  StateWrites takeWrites(long position) {
    StateWrites writes = new StateWrites();
    deletedInstances.forEach(id -> writes.deleteInstance(id));
    dirtyInstances.forEach(instance -> putInstance(writes, instance, position));
    addedOutbox.forEach(entry -> writes.putOutbox(entry));
    removedOutbox.forEach(writes::deleteOutbox);
    writes.putMeta(snapshotMeta());
    deletedInstances.clear();
    dirtyInstances.clear();
    addedOutbox.clear();
    removedOutbox.clear();
    return writes;
  }

  private void putInstance(StateWrites writes, InstanceState instance, long position) {
    long sizeBefore = instance.sizeBytes;
    writes.putInstance(instance);
    instance.pendingWritePosition = position;
    if (cached.get(instance.id()) == instance) {
      cachedBytes += instance.sizeBytes - sizeBefore;
      if (instance.isTerminal()) {
        evictionOrder.add(instance);
      }
    }
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

    /** Puts the instance's record and new history events, and updates its size in bytes. */
    void putInstance(InstanceState instance) {
      String id = instance.id();
      if (instance.historyReset) {
        deletePrefixes.add(StateKeys.historyPrefix(id));
        instance.historyReset = false;
        instance.historyBytes = 0;
      }
      for (int i = instance.persistedHistory; i < instance.history.size(); i++) {
        byte[] event = Codecs.HISTORY_EVENT.encode(instance.history.get(i));
        puts.put(new Bytes(StateKeys.history(id, i)), event);
        instance.historyBytes += event.length;
      }
      instance.persistedHistory = instance.history.size();
      instance.record.setHistoryLength(instance.history.size());
      byte[] record = Codecs.INSTANCE_RECORD.encode(instance.record);
      puts.put(new Bytes(StateKeys.instance(id)), record);
      instance.sizeBytes = record.length + instance.historyBytes;
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
