package io.durabletask.kafka.engine;

import io.durabletask.kafka.avro.ClientResponse;
import io.durabletask.kafka.avro.PartitionMessage;
import io.durabletask.kafka.engine.client.Client;
import io.durabletask.kafka.engine.client.LocalPartitions;
import io.durabletask.kafka.engine.partition.LocalClients;
import io.durabletask.kafka.engine.partition.PartitionProcessor;
import io.durabletask.kafka.engine.partition.PartitionScheduler;
import io.durabletask.kafka.engine.storage.TaskHubInfo;
import io.durabletask.kafka.engine.storage.TaskHubStore;
import io.durabletask.kafka.engine.transport.Transport;
import io.durabletask.kafka.engine.transport.TransportListener;
import io.durabletask.kafka.engine.workitem.ActivityCompletion;
import io.durabletask.kafka.engine.workitem.CompletionOutcome;
import io.durabletask.kafka.engine.workitem.OrchestratorCompletion;
import io.durabletask.kafka.engine.workitem.WorkItemListener;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine on one host: runs the partitions the transport assigns to this host, routes work-item
 * completions to them, and owns the host's client component.
 */
public final class Engine implements TransportListener, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Engine.class);
  private static final long STOP_TIMEOUT_SECONDS = 30;

  private final EngineConfig config;
  private final Transport transport;
  private final TaskHubStore store;
  private final WorkItemListener workItems;
  private final Client client;
  private final Map<Integer, PartitionProcessor> partitions = new ConcurrentHashMap<>();
  private final PartitionScheduler scheduler;
  private volatile TaskHubInfo taskHub;

  public Engine(
      EngineConfig config, Transport transport, TaskHubStore store, WorkItemListener workItems) {
    this.config = config;
    this.transport = transport;
    this.store = store;
    this.workItems = workItems;
    this.scheduler = PartitionScheduler.forHost("partitions-" + config.hubName());
    this.client =
        new Client(
            "client-" + UUID.randomUUID(),
            transport,
            config.partitionCount(),
            config.clientRouting() == EngineConfig.ClientRouting.LOCAL
                ? this::tryDeliverLocally
                : LocalPartitions.NONE);
  }

  /**
   * Checks the task hub in storage, then joins the transport. Partitions start as they are
   * assigned.
   */
  public void start() {
    taskHub = store.createOrCheck(config.hubName(), config.partitionCount());
    transport.start(client.clientId(), this);
    log.info(
        "[hub {}] started with {} partitions, client {}",
        config.hubName(),
        config.partitionCount(),
        client.clientId());
  }

  public Client client() {
    return client;
  }

  public EngineConfig config() {
    return config;
  }

  public TaskHubInfo taskHub() {
    return taskHub;
  }

  /** The partitions running on this host now. */
  public List<Integer> runningPartitions() {
    List<Integer> running = new ArrayList<>();
    partitions.forEach(
        (id, processor) -> {
          if (processor.status() == PartitionProcessor.Status.RUNNING) {
            running.add(id);
          }
        });
    return running;
  }

  /** Bytes of instance state the partitions of this host keep in memory. */
  public long cachedInstanceBytes() {
    return partitions.values().stream().mapToLong(PartitionProcessor::cachedBytes).sum();
  }

  /** Instances whose full state the partitions of this host keep in memory. */
  public int cachedInstances() {
    return partitions.values().stream().mapToInt(PartitionProcessor::cachedInstances).sum();
  }

  public CompletableFuture<CompletionOutcome> completeOrchestrator(OrchestratorCompletion c) {
    PartitionProcessor processor = partitions.get(partitionOf(c.instanceId()));
    return processor == null
        ? CompletableFuture.completedFuture(CompletionOutcome.NOT_OWNED)
        : processor.completeOrchestrator(c);
  }

  public CompletableFuture<CompletionOutcome> completeActivity(ActivityCompletion c) {
    PartitionProcessor processor = partitions.get(partitionOf(c.instanceId()));
    return processor == null
        ? CompletableFuture.completedFuture(CompletionOutcome.NOT_OWNED)
        : processor.completeActivity(c);
  }

  public int partitionOf(String instanceId) {
    return PartitionHash.partitionOf(instanceId, config.partitionCount());
  }

  private boolean tryDeliverLocally(int partition, PartitionMessage message, Runnable onRefused) {
    PartitionProcessor processor = partitions.get(partition);
    return processor != null && processor.deliverRequest(message, onRefused);
  }

  private boolean tryRespondLocally(ClientResponse response) {
    if (!client.clientId().equals(response.getClientId())) {
      return false;
    }
    client.handleResponse(response);
    return true;
  }

  @Override
  public void onPartitionsAssigned(Collection<Integer> assigned) {
    List<Integer> alreadyRunning = assigned.stream().filter(partitions::containsKey).toList();
    if (!alreadyRunning.isEmpty()) {
      onPartitionsRevoked(alreadyRunning);
    }
    for (int partition : assigned) {
      PartitionProcessor processor =
          new PartitionProcessor(
              partition,
              config.partitionCount(),
              store.partition(partition),
              transport,
              workItems,
              config.clientRouting() == EngineConfig.ClientRouting.LOCAL
                  ? this::tryRespondLocally
                  : LocalClients.NONE,
              config.clock(),
              config.checkpointPolicy(),
              config.commitPolicy(),
              config.instanceCacheBytes() / config.partitionCount(),
              scheduler);
      partitions.put(partition, processor);
      processor.start();
    }
  }

  @Override
  public void onPartitionsRevoked(Collection<Integer> revoked) {
    List<CompletableFuture<Void>> stopping = new ArrayList<>();
    for (int partition : revoked) {
      transport.stopReceiving(partition);
      PartitionProcessor processor = partitions.remove(partition);
      if (processor != null) {
        stopping.add(processor.stop());
      }
    }
    awaitAll(stopping);
  }

  @Override
  public void onClientResponse(byte[] record) {
    client.handleResponse(record);
  }

  /** Stops every partition, then leaves the transport and storage. */
  @Override
  public void close() {
    onPartitionsRevoked(List.copyOf(partitions.keySet()));
    transport.close();
    client.failAll(new IllegalStateException("the host is stopping"));
    scheduler.close();
    store.close();
    log.info("[hub {}] stopped", config.hubName());
  }

  private static void awaitAll(List<CompletableFuture<Void>> futures) {
    try {
      CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
          .get(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      log.warn("partitions did not stop cleanly: {}", e.toString());
    }
  }
}
