package io.durabletask.kafka.engine.client;

import io.durabletask.kafka.avro.InstanceFilter;
import io.durabletask.kafka.avro.PurgeInstances;
import io.durabletask.kafka.avro.PurgeResult;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One purge through the client: the first round goes to the partitions of the named instances, or
 * to every partition for a filter. With {@code recursive}, each round's answers name the
 * sub-orchestrations of the purged instances, and the next round purges those, until a round names
 * none. Each instance is asked for once, so the total counts every purged instance once.
 */
final class RecursivePurge {
  private final Client client;
  private final boolean recursive;
  private final Set<String> asked = ConcurrentHashMap.newKeySet();
  private final AtomicInteger purged = new AtomicInteger();

  RecursivePurge(Client client, boolean recursive) {
    this.client = client;
    this.recursive = recursive;
  }

  CompletableFuture<Integer> purge(Collection<String> instanceIds) {
    return purgeRound(instanceIds).thenApply(ignored -> purged.get());
  }

  CompletableFuture<Integer> purge(InstanceFilter filter) {
    return client
        .purgeOnAll(new PurgeInstances(List.of(), filter, recursive))
        .thenCompose(this::continueWith)
        .thenApply(ignored -> purged.get());
  }

  private CompletableFuture<Void> purgeRound(Collection<String> instanceIds) {
    Map<Integer, List<String>> byPartition = new TreeMap<>();
    for (String instanceId : instanceIds) {
      if (asked.add(instanceId)) {
        byPartition
            .computeIfAbsent(client.partitionOf(instanceId), p -> new ArrayList<>())
            .add(instanceId);
      }
    }
    if (byPartition.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    List<CompletableFuture<PurgeResult>> answers = new ArrayList<>();
    byPartition.forEach(
        (partition, ids) ->
            answers.add(client.purgeOn(partition, new PurgeInstances(ids, null, recursive))));
    return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
        .thenCompose(
            ignored -> continueWith(answers.stream().map(CompletableFuture::join).toList()));
  }

  private CompletableFuture<Void> continueWith(List<PurgeResult> results) {
    List<String> children = new ArrayList<>();
    for (PurgeResult result : results) {
      purged.addAndGet(result.getPurgedCount());
      children.addAll(result.getSubOrchestrationIds());
    }
    return recursive ? purgeRound(children) : CompletableFuture.completedFuture(null);
  }
}
