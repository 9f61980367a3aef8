package io.durabletask.kafka.engine;

import io.durabletask.kafka.avro.ClientOrigin;
import io.durabletask.kafka.avro.ClientResponse;
import io.durabletask.kafka.avro.PartitionMessage;
import io.durabletask.kafka.avro.TaskHubCreated;
import io.durabletask.kafka.codec.Codecs;
import io.durabletask.kafka.engine.client.Client;
import io.durabletask.kafka.engine.client.LocalPartitions;
import io.durabletask.kafka.engine.partition.LocalClients;
import io.durabletask.kafka.engine.partition.PartitionFailedException;
import io.durabletask.kafka.engine.partition.PartitionProcessor;
import io.durabletask.kafka.engine.partition.PartitionScheduler;
import io.durabletask.kafka.engine.storage.TaskHubInfo;
import io.durabletask.kafka.engine.storage.TaskHubStore;
import io.durabletask.kafka.engine.transport.Transport;
import io.durabletask.kafka.engine.transport.TransportException;
import io.durabletask.kafka.engine.transport.TransportListener;
import io.durabletask.kafka.engine.workitem.ActivityCompletion;
import io.durabletask.kafka.engine.workitem.CompletionOutcome;
import io.durabletask.kafka.engine.workitem.OrchestratorCompletion;
import io.durabletask.kafka.engine.workitem.WorkItemListener;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
 *
 * <p>A partition that fails (a storage write failed, its lease was lost, recovery could not read
 * its blobs) is started again while it stays assigned to this host, after a pause that doubles with
 * every failure in a row, from {@value #FIRST_RESTART_DELAY_MILLIS} ms to {@value
 * #MAX_RESTART_DELAY_MILLIS} ms. Requests of this host's clients that the failed partition took
 * directly fail at once, since their log entries may not have become durable; requests that came
 * through the transport are read again by the restarted partition.
 */
public final class Engine implements TransportListener, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Engine.class);
  private static final long STOP_TIMEOUT_SECONDS = 30;
  static final long FIRST_RESTART_DELAY_MILLIS = 500;
  static final long MAX_RESTART_DELAY_MILLIS = 30_000;

  private final EngineConfig config;
  private final Transport transport;
  private final TaskHubStore store;
  private final WorkItemListener workItems;
  private final Client client;
  private final Map<Integer, PartitionProcessor> partitions = new ConcurrentHashMap<>();
  private final PartitionScheduler scheduler;
  private final Map<Integer, Integer> failuresInARow = new ConcurrentHashMap<>();
  private final Map<Integer, Throwable> lastFailures = new ConcurrentHashMap<>();
  private final Object assignment = new Object();
  private volatile boolean closing;
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

  /**
   * Writes the hub's creation marker to every partition's input, so that a host whose storage holds
   * another hub refuses the records that follow (see {@link TaskHubCreated}), and waits until the
   * transport holds them. A host does this after {@link #start} when the inputs hold no record:
   * when it created the hub, and again when retention emptied them.
   *
   * @throws TransportException if the transport does not take them
   */
  public void markInputs() {
    TaskHubCreated marker = new TaskHubCreated(taskHub.hubId(), taskHub.createdTimeMillis());
    byte[] record =
        Codecs.PARTITION_MESSAGE.encode(
            new PartitionMessage(new ClientOrigin(client.clientId(), 0L), marker));
    List<CompletableFuture<Void>> sent = new ArrayList<>();
    for (int partition = 0; partition < config.partitionCount(); partition++) {
      sent.add(transport.sendToPartition(partition, record));
    }
    try {
      CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new))
          .get(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransportException("Interrupted while marking the partitions' inputs", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new TransportException(
          "Expected to write the task hub's creation marker to every partition, but: " + e, e);
    }
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

  /** Why the partition last failed on this host, if it did. */
  public Optional<Throwable> lastFailure(int partition) {
    return Optional.ofNullable(lastFailures.get(partition));
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
    synchronized (assignment) {
      List<Integer> alreadyRunning = assigned.stream().filter(partitions::containsKey).toList();
      if (!alreadyRunning.isEmpty()) {
        onPartitionsRevoked(alreadyRunning);
      }
      assigned.forEach(this::startPartition);
    }
  }

  private void startPartition(int partition) {
    PartitionProcessor processor = newProcessor(partition);
    partitions.put(partition, processor);
    processor.ended().thenRun(() -> onPartitionEnded(processor));
    processor.start().thenRun(() -> failuresInARow.remove(partition));
  }

  private PartitionProcessor newProcessor(int partition) {
    return new PartitionProcessor(
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
        taskHub.hubId(),
        scheduler);
  }

  /** A partition that failed while it is still this host's starts again after a pause. */
  private void onPartitionEnded(PartitionProcessor processor) {
    int partition = processor.partition();
    if (processor.status() != PartitionProcessor.Status.FAILED
        || partitions.get(partition) != processor) {
      return;
    }
    transport.stopReceiving(partition);
    lastFailures.put(partition, processor.failure());
    client.failLocalRequests(partition, unavailable(partition, processor.failure()));
    int failures = failuresInARow.merge(partition, 1, Integer::sum);
    long delay = restartDelayMillis(failures);
    log.warn(
        "[partition {}] failed ({} in a row), starting it again in {} ms: {}",
        partition,
        failures,
        delay,
        String.valueOf(processor.failure()));
    CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS)
        .execute(() -> restart(processor));
  }

  static long restartDelayMillis(int failuresInARow) {
    int doublings = Math.min(Math.max(0, failuresInARow - 1), 16);
    return Math.min(MAX_RESTART_DELAY_MILLIS, FIRST_RESTART_DELAY_MILLIS << doublings);
  }

  private void restart(PartitionProcessor failed) {
    synchronized (assignment) {
      int partition = failed.partition();
      if (!closing && partitions.remove(partition, failed)) {
        startPartition(partition);
      }
    }
  }

  private static PartitionFailedException unavailable(int partition, Throwable cause) {
    return new PartitionFailedException(
        "Expected partition "
            + partition
            + " to make the request durable, but the partition failed ("
            + cause
            + "); the request may not have been applied. The partition starts again by itself;"
            + " retry the call",
        cause);
  }

  @Override
  public void onPartitionsRevoked(Collection<Integer> revoked) {
    synchronized (assignment) {
      List<CompletableFuture<Void>> stopping = new ArrayList<>();
      for (int partition : revoked) {
        transport.stopReceiving(partition);
        failuresInARow.remove(partition);
        PartitionProcessor processor = partitions.remove(partition);
        if (processor != null) {
          stopping.add(processor.stop());
        }
      }
      awaitAll(stopping);
    }
  }

  @Override
  public void onClientResponse(byte[] record) {
    client.handleResponse(record);
  }

  /** Stops every partition, then leaves the transport and storage. */
  @Override
  public void close() {
    closing = true;
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
