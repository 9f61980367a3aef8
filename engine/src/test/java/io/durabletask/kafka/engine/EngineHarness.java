package io.durabletask.kafka.engine;

import io.durabletask.kafka.avro.CreateInstanceRequest;
import io.durabletask.kafka.avro.CreateInstanceResponse;
import io.durabletask.kafka.avro.DeliveryOutcome;
import io.durabletask.kafka.avro.EventRaised;
import io.durabletask.kafka.avro.FailureDetails;
import io.durabletask.kafka.avro.HistoryEvent;
import io.durabletask.kafka.avro.HistoryPage;
import io.durabletask.kafka.avro.InstanceFilter;
import io.durabletask.kafka.avro.InstanceMessage;
import io.durabletask.kafka.avro.InstanceQueryResponse;
import io.durabletask.kafka.avro.InstanceSnapshot;
import io.durabletask.kafka.avro.OrchestratorAction;
import io.durabletask.kafka.avro.RuntimeStatus;
import io.durabletask.kafka.avro.WaitCondition;
import io.durabletask.kafka.engine.client.Client;
import io.durabletask.kafka.engine.partition.CheckpointPolicy;
import io.durabletask.kafka.engine.partition.HistoryEvents;
import io.durabletask.kafka.engine.query.QueryKey;
import io.durabletask.kafka.engine.query.QueryPage;
import io.durabletask.kafka.engine.storage.TaskHubStore;
import io.durabletask.kafka.engine.storage.memory.InMemoryTaskHubStore;
import io.durabletask.kafka.engine.transport.PartitionReceiver;
import io.durabletask.kafka.engine.transport.Transport;
import io.durabletask.kafka.engine.transport.TransportListener;
import io.durabletask.kafka.engine.transport.memory.InMemoryTransport;
import io.durabletask.kafka.engine.workitem.ActivityCompletion;
import io.durabletask.kafka.engine.workitem.ActivityWorkItem;
import io.durabletask.kafka.engine.workitem.CompletionOutcome;
import io.durabletask.kafka.engine.workitem.OrchestratorCompletion;
import io.durabletask.kafka.engine.workitem.OrchestratorWorkItem;
import io.durabletask.kafka.engine.workitem.WorkItemListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * Runs an {@link Engine} in-process, by default over the in-memory transport and storage, and plays
 * the part of the workers: work items queue up here until a test takes and completes them.
 *
 * <p>{@link #restart} closes the engine and starts a new one on the same transport inputs and
 * storage, as a host restart would. Work items of a stopped partition are dropped from the queues,
 * since the engine will never accept their completions.
 */
public final class EngineHarness implements AutoCloseable {
  public static final Duration TIMEOUT = Duration.ofSeconds(10);
  public static final String HUB = "test-hub";

  private final EngineConfig config;
  private final Transport transport;
  private final TaskHubStore store;
  private final WorkItemQueue<OrchestratorWorkItem> orchestrations = new WorkItemQueue<>();
  private final WorkItemQueue<ActivityWorkItem> activities = new WorkItemQueue<>();
  private volatile Engine engine;
  private final Client transportClient;
  private volatile boolean viaTransport;
  private final AtomicInteger responsesThroughTransport = new AtomicInteger();

  private EngineHarness(EngineConfig config, Transport transport, TaskHubStore store) {
    this.config = config;
    this.transport = transport;
    this.store = store;
    this.transportClient =
        new Client("transport-client-" + UUID.randomUUID(), transport, config.partitionCount());
  }

  /** Starts an engine with {@code partitionCount} partitions and the default checkpoint policy. */
  public static EngineHarness start(int partitionCount) {
    return start(partitionCount, CheckpointPolicy.DEFAULT);
  }

  public static EngineHarness start(int partitionCount, CheckpointPolicy checkpointPolicy) {
    return start(
        new EngineConfig(HUB, partitionCount, checkpointPolicy, System::currentTimeMillis));
  }

  /** Starts an engine over the in-memory transport and storage, and waits for its partitions. */
  public static EngineHarness start(EngineConfig config) {
    return start(
        config, new InMemoryTransport(config.partitionCount()), new InMemoryTaskHubStore());
  }

  /**
   * Starts an engine over other layers, so that the same scenarios run on them. {@link #restart}
   * needs a transport that can be started again once closed, as the in-memory one can.
   */
  public static EngineHarness start(EngineConfig config, Transport transport, TaskHubStore store) {
    EngineHarness harness = new EngineHarness(config, transport, store);
    harness.startEngine();
    return harness;
  }

  public Engine engine() {
    return engine;
  }

  /** The in-memory transport; fails if the harness runs over another one. */
  public InMemoryTransport transport() {
    if (transport instanceof InMemoryTransport memory) {
      return memory;
    }
    throw new IllegalStateException(
        "Expected the in-memory transport, but the harness runs over " + transport);
  }

  /** The in-memory storage; fails if the harness runs over another one. */
  public InMemoryTaskHubStore store() {
    if (store instanceof InMemoryTaskHubStore memory) {
      return memory;
    }
    throw new IllegalStateException(
        "Expected the in-memory storage, but the harness runs over " + store);
  }

  public EngineConfig config() {
    return config;
  }

  public int partitionOf(String instanceId) {
    return PartitionHash.partitionOf(instanceId, config.partitionCount());
  }

  /** An instance id starting with {@code prefix} that lives on {@code partition}. */
  public String idOnPartition(String prefix, int partition) {
    for (int i = 0; ; i++) {
      String id = prefix + "-" + i;
      if (partitionOf(id) == partition) {
        return id;
      }
    }
  }

  // ---- lifecycle ----

  /** Closes the engine and starts a new one on the same transport inputs and storage. */
  public void restart() {
    restart(() -> {});
  }

  /**
   * Closes the engine, runs {@code whileStopped} (for example {@code store()::dropCaches}), and
   * starts a new engine on the same transport inputs and storage.
   */
  public void restart(Runnable whileStopped) {
    engine.close();
    whileStopped.run();
    startEngine();
  }

  @Override
  public void close() {
    engine.close();
  }

  // ---- clients ----

  /**
   * Runs {@code steps} with the harness's requests sent through the transport, as a client on
   * another host sends them, rather than handed to the local partitions.
   */
  public void viaTransport(Runnable steps) {
    viaTransport = true;
    try {
      steps.run();
    } finally {
      viaTransport = false;
    }
  }

  /** How many client responses, for any client, went through the transport so far. */
  public int responsesThroughTransport() {
    return responsesThroughTransport.get();
  }

  private Client client() {
    return viaTransport ? transportClient : engine.client();
  }

  /** A request to create {@code instanceId} now, with a fresh execution id. */
  public static CreateInstanceRequest.Builder newInstance(String instanceId, String name) {
    return CreateInstanceRequest.newBuilder()
        .setInstanceId(instanceId)
        .setName(name)
        .setExecutionId(UUID.randomUUID().toString())
        .setRequestTime(System.currentTimeMillis());
  }

  public CreateInstanceResponse startInstance(String instanceId, String name, String input) {
    return createInstance(newInstance(instanceId, name).setInput(input).build());
  }

  public CreateInstanceResponse createInstance(CreateInstanceRequest request) {
    return await(client().createInstance(request), "a create response");
  }

  /** The instance now, with inputs and outputs; null when it does not exist. */
  public InstanceSnapshot query(String instanceId) {
    return query(instanceId, WaitCondition.NONE).getInstance();
  }

  public InstanceQueryResponse query(String instanceId, WaitCondition waitFor) {
    return await(client().queryInstance(instanceId, true, waitFor), "a query response");
  }

  /** Waits until the instance is COMPLETED, FAILED or TERMINATED, and returns it then. */
  public InstanceSnapshot awaitCompletion(String instanceId) {
    InstanceQueryResponse response = query(instanceId, WaitCondition.COMPLETED);
    if (!response.getExists()) {
      throw new AssertionError("Expected instance " + instanceId + " to exist, but it does not");
    }
    return response.getInstance();
  }

  public DeliveryOutcome raiseEvent(String instanceId, String name, String input) {
    return sendToInstance(
        instanceId, HistoryEvents.of(System.currentTimeMillis(), new EventRaised(name, input)));
  }

  /** Sends a history event to an instance through the client, as an external sender would. */
  public DeliveryOutcome sendToInstance(String instanceId, HistoryEvent event) {
    return await(
        client().sendInstanceMessage(new InstanceMessage(instanceId, null, event)),
        "the partition to take a message");
  }

  // ---- listings, purge and wipe ----

  public QueryPage<InstanceSnapshot> queryInstances(
      InstanceFilter filter, boolean includeIo, int pageSize, QueryKey after) {
    return await(
        client().queryInstances(filter, includeIo, pageSize, after), "a page of instances");
  }

  /** Every page of the query, in order, each as a list of instance ids. */
  public List<List<String>> queryAllPages(InstanceFilter filter, int pageSize) {
    List<List<String>> pages = new ArrayList<>();
    QueryKey after = null;
    do {
      QueryPage<InstanceSnapshot> page = queryInstances(filter, false, pageSize, after);
      pages.add(page.items().stream().map(InstanceSnapshot::getInstanceId).toList());
      after = page.next();
    } while (after != null);
    return pages;
  }

  public QueryPage<String> listInstanceIds(
      List<RuntimeStatus> statuses,
      Long completedFrom,
      Long completedTo,
      int pageSize,
      QueryKey after) {
    return await(
        client().listInstanceIds(statuses, completedFrom, completedTo, pageSize, after),
        "a page of instance ids");
  }

  public HistoryPage readHistory(String instanceId, String executionId, int startIndex) {
    return await(client().readHistory(instanceId, executionId, startIndex), "a page of history");
  }

  public int purge(Collection<String> instanceIds, boolean recursive) {
    return await(client().purgeInstances(instanceIds, recursive), "a purge count");
  }

  public int purge(InstanceFilter filter, boolean recursive) {
    return await(client().purgeInstances(filter, recursive), "a purge count");
  }

  public int wipeTaskHub() {
    return await(client().wipeTaskHub(), "a wipe count");
  }

  // ---- workers ----

  public OrchestratorWorkItem nextOrchestratorWorkItem() {
    return required(pollOrchestratorWorkItem(item -> true, TIMEOUT), "an orchestrator work item");
  }

  public OrchestratorWorkItem nextOrchestratorWorkItem(String instanceId) {
    return required(
        pollOrchestratorWorkItem(item -> item.instanceId().equals(instanceId), TIMEOUT),
        "an orchestrator work item for " + instanceId);
  }

  /** The next matching orchestrator work item, or null if none comes within {@code timeout}. */
  public OrchestratorWorkItem pollOrchestratorWorkItem(
      Predicate<OrchestratorWorkItem> filter, Duration timeout) {
    return orchestrations.poll(filter, timeout);
  }

  public ActivityWorkItem nextActivityWorkItem() {
    return required(pollActivityWorkItem(item -> true, TIMEOUT), "an activity work item");
  }

  public ActivityWorkItem nextActivityWorkItem(String instanceId) {
    return required(
        pollActivityWorkItem(item -> item.instanceId().equals(instanceId), TIMEOUT),
        "an activity work item for " + instanceId);
  }

  public ActivityWorkItem pollActivityWorkItem(
      Predicate<ActivityWorkItem> filter, Duration timeout) {
    return activities.poll(filter, timeout);
  }

  /** The work items handed out and not taken yet. */
  public List<OrchestratorWorkItem> queuedOrchestratorWorkItems() {
    return orchestrations.snapshot();
  }

  public CompletionOutcome completeEpisode(
      OrchestratorWorkItem item, OrchestratorAction... actions) {
    return completeEpisode(item, List.of(actions), null);
  }

  public CompletionOutcome completeEpisode(
      OrchestratorWorkItem item, List<OrchestratorAction> actions, String customStatus) {
    return complete(
        new OrchestratorCompletion(item.instanceId(), item.dispatchId(), actions, customStatus));
  }

  /** Takes the instance's next episode and completes it with {@code actions}. */
  public OrchestratorWorkItem runEpisode(String instanceId, OrchestratorAction... actions) {
    OrchestratorWorkItem item = nextOrchestratorWorkItem(instanceId);
    CompletionOutcome outcome = completeEpisode(item, actions);
    if (outcome != CompletionOutcome.ACCEPTED) {
      throw new AssertionError("Expected the episode to be accepted, but got " + outcome);
    }
    return item;
  }

  public CompletionOutcome complete(OrchestratorCompletion completion) {
    return await(engine.completeOrchestrator(completion), "an episode completion outcome");
  }

  public CompletionOutcome completeActivity(ActivityWorkItem item, String result) {
    return complete(activityCompletion(item, result, null));
  }

  public CompletionOutcome failActivity(ActivityWorkItem item, FailureDetails failure) {
    return complete(activityCompletion(item, null, failure));
  }

  public CompletionOutcome complete(ActivityCompletion completion) {
    return await(engine.completeActivity(completion), "an activity completion outcome");
  }

  // ---- reading history ----

  /** The simple type names of the events, in order, such as "OrchestratorStarted". */
  public static List<String> typesOf(List<HistoryEvent> events) {
    return events.stream().map(event -> event.getEvent().getClass().getSimpleName()).toList();
  }

  /** The payloads of the events of one type, in order. */
  public static <T> List<T> eventsOf(List<HistoryEvent> events, Class<T> type) {
    return events.stream()
        .map(HistoryEvent::getEvent)
        .filter(type::isInstance)
        .map(type::cast)
        .toList();
  }

  /** Waits for a future of the engine, failing the test after {@link #TIMEOUT}. */
  public static <T> T await(CompletableFuture<T> future, String what) {
    try {
      return future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("Expected " + what + ", but was interrupted", e);
    } catch (ExecutionException e) {
      throw new AssertionError("Expected " + what + ", but it failed: " + e.getCause(), e);
    } catch (TimeoutException e) {
      throw new AssertionError("Expected " + what + " within " + TIMEOUT + ", but none came", e);
    }
  }

  // ---- internals ----

  private void startEngine() {
    engine = new Engine(config, new ResponseTap(transport), store, new Workers());
    engine.start();
    if (transport instanceof InMemoryTransport memory && isEmpty(memory)) {
      engine.markInputs();
    }
    awaitRunningPartitions();
  }

  private boolean isEmpty(InMemoryTransport memory) {
    for (int p = 0; p < config.partitionCount(); p++) {
      if (memory.endOffset(p) > 0) {
        return false;
      }
    }
    return true;
  }

  private void awaitRunningPartitions() {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (engine.runningPartitions().size() < config.partitionCount()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "Expected every partition to run, but only " + engine.runningPartitions() + " do");
      }
      sleep(5);
    }
  }

  private static ActivityCompletion activityCompletion(
      ActivityWorkItem item, String result, FailureDetails failure) {
    return new ActivityCompletion(
        item.instanceId(), item.executionId(), item.task().getTaskId(), result, failure);
  }

  private static <T> T required(T item, String what) {
    if (item == null) {
      throw new AssertionError("Expected " + what + " within " + TIMEOUT + ", but none came");
    }
    return item;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("Expected to wait, but was interrupted", e);
    }
  }

  /**
   * The engine's transport, which also hands every client response to the harness's transport
   * client, as the clients topic does for clients on other hosts.
   */
  private final class ResponseTap implements Transport {
    private final Transport delegate;

    ResponseTap(Transport delegate) {
      this.delegate = delegate;
    }

    @Override
    public int partitionCount() {
      return delegate.partitionCount();
    }

    @Override
    public void start(String clientId, TransportListener listener) {
      delegate.start(clientId, new TappedListener(listener));
    }

    @Override
    public void startReceiving(int partition, long nextOffset, PartitionReceiver receiver) {
      delegate.startReceiving(partition, nextOffset, receiver);
    }

    @Override
    public void stopReceiving(int partition) {
      delegate.stopReceiving(partition);
    }

    @Override
    public CompletableFuture<Void> sendToPartition(int partition, byte[] record) {
      return delegate.sendToPartition(partition, record);
    }

    @Override
    public CompletableFuture<Void> sendToClient(String clientId, byte[] record) {
      return delegate.sendToClient(clientId, record);
    }

    @Override
    public void close() {
      delegate.close();
    }
  }

  private final class TappedListener implements TransportListener {
    private final TransportListener delegate;

    TappedListener(TransportListener delegate) {
      this.delegate = delegate;
    }

    @Override
    public void onPartitionsAssigned(Collection<Integer> partitions) {
      delegate.onPartitionsAssigned(partitions);
    }

    @Override
    public void onPartitionsRevoked(Collection<Integer> partitions) {
      delegate.onPartitionsRevoked(partitions);
    }

    @Override
    public void onClientResponse(byte[] record) {
      responsesThroughTransport.incrementAndGet();
      delegate.onClientResponse(record);
      transportClient.handleResponse(record);
    }
  }

  /** Queues the work items; drops those of a partition once it stops. */
  private final class Workers implements WorkItemListener {
    @Override
    public void onOrchestratorWorkItem(OrchestratorWorkItem item) {
      orchestrations.add(item);
    }

    @Override
    public void onActivityWorkItem(ActivityWorkItem item) {
      activities.add(item);
    }

    @Override
    public void onPartitionStopped(int partition) {
      orchestrations.removeIf(item -> item.partition() == partition);
      activities.removeIf(item -> item.partition() == partition);
    }
  }
}
