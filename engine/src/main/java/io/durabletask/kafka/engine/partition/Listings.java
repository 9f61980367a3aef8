package io.durabletask.kafka.engine.partition;

import io.durabletask.kafka.avro.HistoryEvent;
import io.durabletask.kafka.avro.HistoryPage;
import io.durabletask.kafka.avro.HistoryQuery;
import io.durabletask.kafka.avro.InstanceFilter;
import io.durabletask.kafka.avro.InstanceIdPage;
import io.durabletask.kafka.avro.InstanceIdsQuery;
import io.durabletask.kafka.avro.InstanceKey;
import io.durabletask.kafka.avro.InstancePage;
import io.durabletask.kafka.avro.InstanceQueryResponse;
import io.durabletask.kafka.avro.InstanceRecord;
import io.durabletask.kafka.avro.InstanceSnapshot;
import io.durabletask.kafka.avro.InstancesQuery;
import io.durabletask.kafka.avro.RuntimeStatus;
import io.durabletask.kafka.codec.AvroCodec;
import io.durabletask.kafka.codec.Codecs;
import io.durabletask.kafka.engine.query.QueryKey;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The read-only answers of a partition: instance snapshots, pages of instance listings, and pages
 * of histories.
 *
 * <p>A page holds at most the requested count and stops early, after at least one item, before its
 * encoded size would pass the requested bytes, so that the answer fits one transport record.
 */
final class Listings {
  private static final AvroCodec<InstanceSnapshot> SNAPSHOT =
      AvroCodec.of(InstanceSnapshot.getClassSchema());

  /** Encoded bytes of an instance key besides its id: the time and the lengths. */
  private static final int KEY_OVERHEAD_BYTES = 16;

  private Listings() {}

  static InstanceQueryResponse queryResponse(InstanceState instance, boolean includeIo) {
    return instance == null
        ? new InstanceQueryResponse(false, null)
        : new InstanceQueryResponse(true, snapshot(instance, includeIo));
  }

  static InstanceSnapshot snapshot(InstanceState instance, boolean includeIo) {
    return snapshot(instance.record, includeIo);
  }

  static InstanceSnapshot snapshot(InstanceRecord r, boolean includeIo) {
    return InstanceSnapshot.newBuilder()
        .setInstanceId(r.getInstanceId())
        .setName(r.getName())
        .setVersion(r.getVersion())
        .setStatus(r.getStatus())
        .setCreatedTime(r.getCreatedTime())
        .setLastUpdatedTime(r.getLastUpdatedTime())
        .setCompletedTime(r.getCompletedTime())
        .setScheduledStartTime(r.getScheduledStartTime())
        .setInput(includeIo ? r.getInput() : null)
        .setOutput(includeIo ? r.getOutput() : null)
        .setCustomStatus(r.getCustomStatus())
        .setFailureDetails(r.getFailureDetails())
        .setExecutionId(r.getExecutionId())
        .setParentInstanceId(
            r.getParentInstance() == null ? null : r.getParentInstance().getInstanceId())
        .setTags(r.getTags())
        .build();
  }

  // ---- QueryInstances ----

  /** The partition's first matches after the query's key, in (createdTime, instanceId) order. */
  static InstancePage instancePage(PartitionState state, InstancesQuery query) {
    InstanceFilter filter = query.getFilter();
    QueryKey after = QueryKey.fromAvro(query.getAfter());
    int maxCount = Math.max(1, query.getMaxCount());
    List<InstanceSnapshot> rows = new ArrayList<>();
    long bytes = 0;
    for (Map.Entry<QueryKey, InstanceSummary> entry :
        state.summariesByCreatedTime(startOf(filter, after)).entrySet()) {
      QueryKey key = entry.getKey();
      InstanceSummary summary = entry.getValue();
      if (isAfterRange(filter, key)) {
        break;
      }
      if ((after != null && key.compareTo(after) <= 0)
          || !matches(filter, summary, state.status(summary))) {
        continue;
      }
      if (rows.size() == maxCount) {
        return new InstancePage(rows, true);
      }
      InstanceSnapshot row = snapshot(state.record(summary), query.getIncludeInputsAndOutputs());
      int size = SNAPSHOT.encode(row).length;
      if (!rows.isEmpty() && bytes + size > query.getMaxBytes()) {
        return new InstancePage(rows, true);
      }
      rows.add(row);
      bytes += size;
    }
    return new InstancePage(rows, false);
  }

  private static QueryKey startOf(InstanceFilter filter, QueryKey after) {
    Long from = filter.getCreatedTimeFrom();
    QueryKey fromKey = from == null ? null : QueryKey.atTime(from);
    if (after == null || (fromKey != null && fromKey.compareTo(after) > 0)) {
      return fromKey;
    }
    return after;
  }

  private static boolean isAfterRange(InstanceFilter filter, QueryKey key) {
    Long to = filter.getCreatedTimeTo();
    return to != null && key.time() > to;
  }

  /** True when the filter selects the instance, now in {@code status}; bounds are inclusive. */
  static boolean matches(InstanceFilter filter, InstanceSummary summary, RuntimeStatus status) {
    List<RuntimeStatus> statuses = filter.getStatuses();
    Long from = filter.getCreatedTimeFrom();
    Long to = filter.getCreatedTimeTo();
    String prefix = filter.getInstanceIdPrefix();
    return (statuses.isEmpty() || statuses.contains(status))
        && (from == null || summary.createdTime() >= from)
        && (to == null || summary.createdTime() <= to)
        && (prefix == null || summary.instanceId().startsWith(prefix));
  }

  // ---- ListInstanceIds ----

  /** The partition's first terminal matches after the query's key, by (completedTime, id). */
  static InstanceIdPage instanceIdPage(PartitionState state, InstanceIdsQuery query) {
    // TODO(#4): keep an index by completed time instead of sorting the matches for every page.
    QueryKey after = QueryKey.fromAvro(query.getAfter());
    List<QueryKey> matches = new ArrayList<>();
    for (InstanceSummary summary : state.summaries()) {
      QueryKey key = new QueryKey(state.completedTime(summary), summary.instanceId());
      if (matches(query, state.status(summary), key)
          && (after == null || key.compareTo(after) > 0)) {
        matches.add(key);
      }
    }
    matches.sort(null);
    int maxCount = Math.max(1, query.getMaxCount());
    List<InstanceKey> keys = new ArrayList<>();
    long bytes = 0;
    for (QueryKey key : matches) {
      int size = KEY_OVERHEAD_BYTES + key.instanceId().getBytes(StandardCharsets.UTF_8).length;
      if (keys.size() == maxCount || (!keys.isEmpty() && bytes + size > query.getMaxBytes())) {
        return new InstanceIdPage(keys, true);
      }
      keys.add(key.toAvro());
      bytes += size;
    }
    return new InstanceIdPage(keys, false);
  }

  private static boolean matches(InstanceIdsQuery query, RuntimeStatus status, QueryKey key) {
    List<RuntimeStatus> statuses = query.getStatuses();
    Long from = query.getCompletedTimeFrom();
    Long to = query.getCompletedTimeTo();
    return InstanceState.isTerminal(status)
        && (statuses.isEmpty() || statuses.contains(status))
        && (from == null || key.time() >= from)
        && (to == null || key.time() <= to);
  }

  // ---- StreamInstanceHistory ----

  /** Events of the current execution's history from the query's index on. */
  static HistoryPage historyPage(PartitionState state, HistoryQuery query) {
    InstanceState instance = state.instance(query.getInstanceId());
    String executionId = query.getExecutionId();
    if (instance == null || (executionId != null && !executionId.equals(instance.executionId()))) {
      return new HistoryPage(false, null, new ArrayList<>(), false);
    }
    List<HistoryEvent> events = new ArrayList<>();
    long bytes = 0;
    List<HistoryEvent> history = instance.history;
    for (int i = Math.max(0, query.getStartIndex()); i < history.size(); i++) {
      int size = Codecs.HISTORY_EVENT.encode(history.get(i)).length;
      if (!events.isEmpty() && bytes + size > query.getMaxBytes()) {
        return new HistoryPage(true, instance.executionId(), events, true);
      }
      events.add(history.get(i));
      bytes += size;
    }
    return new HistoryPage(true, instance.executionId(), events, false);
  }
}
