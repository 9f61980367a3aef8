package io.durabletask.kafka.engine.partition;

import io.durabletask.kafka.avro.ActivityCompleted;
import io.durabletask.kafka.avro.ActivityTask;
import io.durabletask.kafka.avro.ClientResponse;
import io.durabletask.kafka.avro.EpisodeCompleted;
import io.durabletask.kafka.avro.HistoryEvent;
import io.durabletask.kafka.avro.MessagesReceived;
import io.durabletask.kafka.avro.OutboxConfirmed;
import io.durabletask.kafka.avro.OutboxEntry;
import io.durabletask.kafka.avro.PartitionEvent;
import io.durabletask.kafka.avro.PartitionMessage;
import io.durabletask.kafka.avro.PendingTimer;
import io.durabletask.kafka.avro.RequestsReceived;
import io.durabletask.kafka.avro.TaskHubCreated;
import io.durabletask.kafka.avro.TimerKey;
import io.durabletask.kafka.avro.TimersFired;
import io.durabletask.kafka.codec.Codecs;
import io.durabletask.kafka.codec.MalformedRecordException;
import io.durabletask.kafka.engine.partition.PartitionState.StateWrites;
import io.durabletask.kafka.engine.storage.LogEntry;
import io.durabletask.kafka.engine.storage.PartitionStore;
import io.durabletask.kafka.engine.storage.Recovery;
import io.durabletask.kafka.engine.storage.StateStore;
import io.durabletask.kafka.engine.transport.InputRecord;
import io.durabletask.kafka.engine.transport.Transport;
import io.durabletask.kafka.engine.workitem.ActivityCompletion;
import io.durabletask.kafka.engine.workitem.ActivityWorkItem;
import io.durabletask.kafka.engine.workitem.CompletionOutcome;
import io.durabletask.kafka.engine.workitem.OrchestratorCompletion;
import io.durabletask.kafka.engine.workitem.OrchestratorWorkItem;
import io.durabletask.kafka.engine.workitem.WorkItemListener;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one partition as a sequence of rounds, one at a time.
 *
 * <p>Each round takes what has arrived (records, completions, timers that came due), turns it into
 * update events, applies them to the state at once, and hands work items to workers. Then it
 * appends the round's events to the commit log in a group commit when the {@link CommitPolicy} says
 * so. Messages to other partitions and responses to clients are held until that commit is durable.
 * While a commit is in flight the next rounds already run.
 *
 * <p>The partition has no thread of its own. A thread that brings an input (a worker's completion
 * on a gRPC thread, records on the transport's thread, a durable commit on the log's writer) runs
 * the rounds itself if no other thread is running them, and otherwise leaves the input for that
 * thread, which takes it before it lets go. That saves a thread hand-off per input. Recovery,
 * rounds due at a time and inputs from threads that must not be held up (the Kafka producer's) go
 * to the {@link PartitionScheduler}. Only the thread running rounds touches the partition's state.
 *
 * <p>States: RECOVERING (replaying the log) -> RUNNING -> STOPPING (waiting for in-flight commits)
 * -> STOPPED; any storage failure -> FAILED, which releases nothing more. Inputs that come after
 * RUNNING are refused.
 */
public final class PartitionProcessor implements StateMachineListener {
  private static final Logger log = LoggerFactory.getLogger(PartitionProcessor.class);
  private static final int MAX_INPUTS_PER_ROUND = 4096;
  private static final int MAX_ROUNDS_PER_TURN = 64;
  private static final long TIMER_CHECK_MILLIS = 1000;
  private static final long RESEND_DELAY_MILLIS = 500;

  /** Up to this many busy instances are counted again every round. */
  private static final int FEW_BUSY = 8;

  /** How long a count of more busy instances stands. */
  private static final long BUSY_RECOUNT_NANOS = 1_000_000;

  /** The partition's state of life. */
  public enum Status {
    RECOVERING,
    RUNNING,
    STOPPING,
    STOPPED,
    FAILED
  }

  private final int partition;
  private final int partitionCount;
  private final PartitionStore store;
  private final Transport transport;
  private final WorkItemListener workItems;
  private final LocalClients localClients;
  private final LongSupplier clock;
  private final CheckpointPolicy checkpointPolicy;
  private final CommitPolicy commitPolicy;
  private final long cacheBudgetBytes;
  private final String hubId;
  private final PartitionScheduler scheduler;
  private final ConcurrentLinkedQueue<Input> inbox = new ConcurrentLinkedQueue<>();

  /** True while a thread runs rounds, or is about to: whoever sets it owns the state. */
  private final AtomicBoolean owned = new AtomicBoolean();

  private final Object wakeLock = new Object();
  private PartitionScheduler.Cancellable armedWake;
  private long armedWakeNanos;

  /** When the next round is due without new input, by System.nanoTime(); MAX_VALUE: never. */
  private volatile long nextRoundNanos = Long.MAX_VALUE;

  private final CompletableFuture<Void> started = new CompletableFuture<>();
  private final CompletableFuture<Void> stopped = new CompletableFuture<>();

  private volatile Status status = Status.RECOVERING;
  private boolean finished;
  private volatile Throwable failure;
  private volatile long cachedBytes;
  private volatile int cachedInstances;
  private PartitionState state;
  private StateMachine machine;
  private StateStore stateStore;
  private boolean replaying;
  private long lastPosition;
  private long now;

  /**
   * Dispatch ids are not durable. Each incarnation of the partition starts them at a random point,
   * so that a completion of a work item handed out before a restart cannot match one after it.
   */
  private long nextDispatchId = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE / 2);

  private final List<LogEntry> batchEntries = new ArrayList<>();
  private final List<ClientResponse> batchResponses = new ArrayList<>();
  private final List<PartitionMessage> roundRequests = new ArrayList<>();
  private long batchBytes;
  private long batchStartNanos;
  private long heldSinceNanos;

  /** When the current batch is due, by System.nanoTime(); set each round by flushBatchIfDue. */
  private long flushDeadlineNanos = Long.MAX_VALUE;

  /** Instances that had work handed out; some may have finished it since (see busyInstances). */
  private final Set<InstanceState> busy = new HashSet<>();

  private int busyCount;
  private long busyCountedNanos;

  private final ArrayDeque<PendingBatch> inFlight = new ArrayDeque<>();
  private final TreeSet<TimerEntry> timers = new TreeSet<>();
  private final Set<InstanceState> runnable = new LinkedHashSet<>();
  private final TreeSet<Long> unconfirmedSends = new TreeSet<>();
  private final Set<Integer> resendsScheduled = new HashSet<>();
  private long highestSent;
  private long eventsSinceCheckpoint;
  private long logBytesSinceCheckpoint;
  private volatile long lastCheckpointBytes;
  private long lastCheckpointTime;

  public PartitionProcessor(
      int partition,
      int partitionCount,
      PartitionStore store,
      Transport transport,
      WorkItemListener workItems,
      LocalClients localClients,
      LongSupplier clock,
      CheckpointPolicy checkpointPolicy,
      CommitPolicy commitPolicy,
      long cacheBudgetBytes,
      String hubId,
      PartitionScheduler scheduler) {
    this.partition = partition;
    this.partitionCount = partitionCount;
    this.store = store;
    this.transport = transport;
    this.workItems = workItems;
    this.localClients = localClients;
    this.clock = clock;
    this.checkpointPolicy = checkpointPolicy;
    this.commitPolicy = commitPolicy;
    this.cacheBudgetBytes = cacheBudgetBytes;
    this.hubId = hubId;
    this.scheduler = scheduler;
  }

  public int partition() {
    return partition;
  }

  public Status status() {
    return status;
  }

  /** Bytes of instance state in memory, as of the latest durable commit. */
  public long cachedBytes() {
    return cachedBytes;
  }

  /** Instances whose full state is in memory, as of the latest durable commit. */
  public int cachedInstances() {
    return cachedInstances;
  }

  /** Starts recovery on the scheduler; the future completes once the partition runs. */
  public CompletableFuture<Void> start() {
    owned.set(true);
    scheduler.execute(this::recoverThenRun);
    return started;
  }

  /** Completes once the partition stopped or failed; {@link #status} tells which. */
  public CompletableFuture<Void> ended() {
    return stopped;
  }

  /** Why the partition failed, or null. */
  public Throwable failure() {
    return failure;
  }

  /** Stops after in-flight commits are durable; the future completes once stopped. */
  public CompletableFuture<Void> stop() {
    offer(new Stop());
    return stopped;
  }

  /** Hands a worker's episode result to the partition. */
  public CompletableFuture<CompletionOutcome> completeOrchestrator(OrchestratorCompletion c) {
    CompletableFuture<CompletionOutcome> outcome = new CompletableFuture<>();
    offer(new OrchestratorDone(c, outcome));
    return outcome;
  }

  /**
   * Hands a request of a client on this host to the partition, which applies it in its next round.
   * Returns false, having taken nothing, if the partition does not run; if it stops before the
   * request is applied, it runs {@code onRefused} on its own thread instead.
   */
  public boolean deliverRequest(PartitionMessage message, Runnable onRefused) {
    if (status != Status.RUNNING) {
      return false;
    }
    offer(new LocalRequest(message, onRefused));
    return true;
  }

  /** Hands a worker's activity result to the partition. */
  public CompletableFuture<CompletionOutcome> completeActivity(ActivityCompletion c) {
    CompletableFuture<CompletionOutcome> outcome = new CompletableFuture<>();
    offer(new ActivityDone(c, outcome));
    return outcome;
  }

  // ---- rounds ----

  /** Queues an input and runs the rounds on this thread unless another thread runs them. */
  private void offer(Input input) {
    inbox.add(input);
    if (owned.compareAndSet(false, true)) {
      runRounds();
    }
  }

  /** Queues an input for rounds on the scheduler: for threads that must not run them. */
  private void offerLater(Input input) {
    inbox.add(input);
    if (owned.compareAndSet(false, true)) {
      scheduler.execute(this::runRounds);
    }
  }

  /** A round is due without input: a timer, a lingering commit, or the periodic timer check. */
  private void wake() {
    synchronized (wakeLock) {
      armedWake = null;
    }
    if (owned.compareAndSet(false, true)) {
      runRounds();
    }
  }

  private void recoverThenRun() {
    try {
      recover();
      status = Status.RUNNING;
      started.complete(null);
      log.info("[partition {}] running at position {}", partition, lastPosition);
    } catch (RuntimeException e) {
      fail(e);
    }
    runRounds();
  }

  /**
   * Runs rounds while inputs keep coming, at most {@value #MAX_ROUNDS_PER_TURN} before the rest
   * goes to the scheduler, so that no caller is held for long. Called by the owner only; lets go of
   * the state before it returns, unless it handed the turn on.
   */
  private void runRounds() {
    for (int i = 0; i < MAX_ROUNDS_PER_TURN; i++) {
      round();
      if (isEnding() && !finished) {
        finishOnScheduler();
        return;
      }
      owned.set(false);
      if (inbox.isEmpty() || !owned.compareAndSet(false, true)) {
        armWake();
        return;
      }
    }
    scheduler.execute(this::runRounds);
  }

  private void round() {
    if (status == Status.STOPPED || status == Status.FAILED) {
      drainRefused();
      return;
    }
    try {
      takeInputs();
      if (status == Status.RUNNING) {
        fireDueTimers();
        dispatchRunnable();
      }
      flushBatchIfDue();
      nextRoundNanos = nextRoundNanos();
    } catch (RuntimeException e) {
      fail(e);
    }
  }

  /** True once the partition failed, or stopped with nothing more in flight. */
  private boolean isEnding() {
    return status == Status.FAILED
        || (status == Status.STOPPING && inFlight.isEmpty() && batchEntries.isEmpty());
  }

  /**
   * Ends the partition, still owning it, on a scheduler thread: closing the store waits for the
   * commit log's writer, which may be the thread running this round.
   */
  private void finishOnScheduler() {
    if (PartitionScheduler.onSchedulerThread()) {
      finish();
      owned.set(false);
      if (!inbox.isEmpty() && owned.compareAndSet(false, true)) {
        runRounds();
      }
    } else {
      scheduler.execute(this::finishOnScheduler);
    }
  }

  /** Makes sure a round runs when the next one is due, if it is due without input. */
  private void armWake() {
    long due = nextRoundNanos;
    if (due == Long.MAX_VALUE || status == Status.STOPPED || status == Status.FAILED) {
      return;
    }
    synchronized (wakeLock) {
      if (armedWake != null && armedWakeNanos - due <= 0) {
        return;
      }
      if (armedWake != null) {
        armedWake.cancel(false);
      }
      armedWakeNanos = due;
      armedWake = scheduler.schedule(this::wake, Math.max(0, due - System.nanoTime()));
    }
  }

  /** The earliest of: the batch's commit, the first timer, and the periodic timer check. */
  private long nextRoundNanos() {
    long due = flushDeadlineNanos;
    if (!timers.isEmpty()) {
      long untilTimer = Math.min(timers.first().fireAt() - clock.getAsLong(), TIMER_CHECK_MILLIS);
      due =
          Math.min(due, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(0, untilTimer)));
    }
    return due;
  }

  /**
   * Takes what has arrived, then reads the clock for the round, so that no event of the round is
   * older than its input: an instance is never created before its request arrived.
   */
  private void takeInputs() {
    List<Input> round = new ArrayList<>();
    for (Input input = inbox.poll(); input != null; input = inbox.poll()) {
      round.add(input);
      if (round.size() == MAX_INPUTS_PER_ROUND) {
        break;
      }
    }
    now = clock.getAsLong();
    round.forEach(this::handle);
    submitRequests();
  }

  private void handle(Input input) {
    if (input instanceof Durable durable) {
      handleDurable(durable.position());
    } else if (input instanceof AppendFailed failed) {
      throw new PartitionFailedException("commit log append failed", failed.cause());
    } else if (input instanceof Sent sent) {
      handleSent(sent.sequence());
    } else if (input instanceof SendFailed failed) {
      handleSendFailed(failed);
    } else if (input instanceof Resend resend) {
      handleResend(resend.destination());
    } else if (input instanceof Stop) {
      status = Status.STOPPING;
    } else if (status != Status.RUNNING) {
      refuse(input);
    } else if (input instanceof Records records) {
      handleRecords(records.records());
    } else if (input instanceof OrchestratorDone done) {
      handleOrchestratorDone(done);
    } else if (input instanceof ActivityDone done) {
      handleActivityDone(done);
    } else if (input instanceof LocalRequest request) {
      roundRequests.add(request.message());
    }
  }

  private static void refuse(Input input) {
    if (input instanceof OrchestratorDone done) {
      done.outcome().complete(CompletionOutcome.NOT_OWNED);
    } else if (input instanceof ActivityDone done) {
      done.outcome().complete(CompletionOutcome.NOT_OWNED);
    } else if (input instanceof LocalRequest request) {
      request.onRefused().run();
    }
  }

  // ---- inputs to update events ----

  private void handleRecords(List<InputRecord> records) {
    if (records.isEmpty()) {
      return;
    }
    List<PartitionMessage> messages = new ArrayList<>(records.size());
    int skipped = 0;
    for (InputRecord record : records) {
      try {
        PartitionMessage message = Codecs.PARTITION_MESSAGE.decode(record.value());
        requireOwnTaskHub(message, record.offset());
        messages.add(message);
      } catch (MalformedRecordException e) {
        skipped++;
        log.warn(
            "[partition {}] skipped the undecodable record at offset {}: {}",
            partition,
            record.offset(),
            e.getMessage());
      }
    }
    long nextOffset = records.get(records.size() - 1).offset() + 1;
    submit(new MessagesReceived(nextOffset, messages, skipped));
  }

  /**
   * A creation marker of another task hub in the input means that this host's storage is not the
   * storage of the hub whose records the input holds: going on would apply them to the wrong state.
   */
  private void requireOwnTaskHub(PartitionMessage message, long offset) {
    if (message.getBody() instanceof TaskHubCreated created
        && hubId != null
        && !hubId.equals(created.getHubId())) {
      throw new PartitionFailedException(
          "Expected the input of partition "
              + partition
              + " to belong to the task hub whose storage this host uses (hub id "
              + hubId
              + "), but the record at offset "
              + offset
              + " was written when a hub with id "
              + created.getHubId()
              + " was created. Hosts of one task hub share its storage: start this host on that"
              + " hub's storage, or delete the hub's topics to start it anew.",
          null);
    }
  }

  /** The round's requests of local clients become one update event. */
  private void submitRequests() {
    if (!roundRequests.isEmpty()) {
      submit(new RequestsReceived(List.copyOf(roundRequests)));
      roundRequests.clear();
    }
  }

  private void handleOrchestratorDone(OrchestratorDone done) {
    OrchestratorCompletion c = done.completion();
    InstanceState instance = state.instance(c.instanceId());
    InstanceState.Episode episode = instance == null ? null : instance.openEpisode;
    if (episode == null || episode.dispatchId() != c.dispatchId()) {
      done.outcome().complete(CompletionOutcome.NOT_FOUND);
      return;
    }
    submit(
        new EpisodeCompleted(
            instance.id(),
            instance.executionId(),
            episode.orchestratorStartedTime(),
            episode.consumedMessages(),
            c.actions(),
            c.customStatus()));
    done.outcome().complete(CompletionOutcome.ACCEPTED);
  }

  private void handleActivityDone(ActivityDone done) {
    ActivityCompletion c = done.completion();
    InstanceState instance = state.instance(c.instanceId());
    if (instance == null || instance.isTerminal() || !hasActivity(instance, c)) {
      done.outcome().complete(CompletionOutcome.NOT_FOUND);
      return;
    }
    submit(
        new ActivityCompleted(
            instance.id(), instance.executionId(), c.taskId(), c.result(), c.failure()));
    done.outcome().complete(CompletionOutcome.ACCEPTED);
  }

  private static boolean hasActivity(InstanceState instance, ActivityCompletion c) {
    if (c.executionId() != null && !c.executionId().equals(instance.executionId())) {
      return false;
    }
    return instance.record.getActivities().stream().anyMatch(t -> t.getTaskId() == c.taskId());
  }

  private void fireDueTimers() {
    List<TimerKey> due = new ArrayList<>();
    while (!timers.isEmpty() && timers.first().fireAt() <= now) {
      TimerEntry timer = timers.pollFirst();
      if (isStillSet(timer)) {
        due.add(new TimerKey(timer.instanceId(), timer.executionId(), timer.timerId()));
      }
    }
    if (!due.isEmpty()) {
      submit(new TimersFired(due));
    }
  }

  private boolean isStillSet(TimerEntry timer) {
    InstanceState instance = state.instance(timer.instanceId());
    return instance != null
        && !instance.isTerminal()
        && instance.executionId().equals(timer.executionId())
        && instance.record.getTimers().stream().anyMatch(t -> t.getTimerId() == timer.timerId());
  }

  /** Gives the event the next position, applies it, and adds it to the current batch. */
  private void submit(Object event) {
    PartitionEvent partitionEvent = new PartitionEvent(lastPosition + 1, now, event);
    byte[] payload = Codecs.PARTITION_EVENT.encode(partitionEvent);
    machine.apply(partitionEvent);
    lastPosition = partitionEvent.getPosition();
    if (batchEntries.isEmpty()) {
      batchStartNanos = System.nanoTime();
    }
    batchEntries.add(new LogEntry(lastPosition, payload));
    batchBytes += payload.length;
    if (heldSinceNanos == 0 && holdsEffects()) {
      heldSinceNanos = System.nanoTime();
    }
  }

  /** True when the batch holds responses to clients or messages to other partitions. */
  private boolean holdsEffects() {
    return !batchResponses.isEmpty() || state.nextSequence() - 1 > highestSent;
  }

  // ---- work items ----

  private void dispatchRunnable() {
    Iterator<InstanceState> candidates = runnable.iterator();
    while (candidates.hasNext()) {
      InstanceState instance = candidates.next();
      candidates.remove();
      if (instance.isRunnable() && state.instance(instance.id()) == instance) {
        dispatchEpisode(instance);
      }
    }
  }

  private void dispatchEpisode(InstanceState instance) {
    long startedTime = Math.max(now, instance.record.getLastOrchestratorStartedTime() + 1);
    List<HistoryEvent> pending = instance.record.getPendingMessages();
    instance.openEpisode = new InstanceState.Episode(nextDispatchId++, startedTime, pending.size());
    busy.add(instance);
    List<HistoryEvent> newEvents = new ArrayList<>(pending.size() + 1);
    newEvents.add(HistoryEvents.orchestratorStarted(startedTime));
    newEvents.addAll(pending);
    workItems.onOrchestratorWorkItem(
        new OrchestratorWorkItem(
            partition,
            instance.id(),
            instance.executionId(),
            List.copyOf(instance.history),
            newEvents,
            instance.openEpisode.dispatchId()));
  }

  private void dispatchActivity(InstanceState instance, ActivityTask task) {
    busy.add(instance);
    workItems.onActivityWorkItem(
        new ActivityWorkItem(
            partition, instance.id(), instance.executionId(), task, nextDispatchId++));
  }

  @Override
  public void onRunnable(InstanceState instance) {
    if (!replaying) {
      runnable.add(instance);
    }
  }

  @Override
  public void onActivityScheduled(InstanceState instance, ActivityTask task) {
    if (!replaying) {
      dispatchActivity(instance, task);
    }
  }

  @Override
  public void onTimerSet(InstanceState instance, int timerId, long fireAt) {
    if (!replaying) {
      timers.add(new TimerEntry(fireAt, instance.id(), instance.executionId(), timerId));
    }
  }

  @Override
  public void onResponse(String clientId, long requestId, Object body) {
    if (!replaying) {
      batchResponses.add(new ClientResponse(clientId, requestId, body));
    }
  }

  @Override
  public boolean discardsResponses() {
    return replaying;
  }

  // ---- commits and what they release ----

  /**
   * Writes the batch now if the commit policy says so (see {@link CommitPolicy}), else notes when
   * it is due.
   */
  private void flushBatchIfDue() {
    flushDeadlineNanos = flushDeadlineNanos();
    if (flushDeadlineNanos != Long.MAX_VALUE && flushDeadlineNanos - System.nanoTime() <= 0) {
      flushBatch();
      flushDeadlineNanos = Long.MAX_VALUE;
    }
  }

  /** When the current batch is due, by {@link System#nanoTime}; MAX_VALUE when there is none. */
  private long flushDeadlineNanos() {
    if (batchEntries.isEmpty()) {
      return Long.MAX_VALUE;
    }
    if (status != Status.RUNNING || batchBytes >= commitPolicy.maxBatchBytes()) {
      return System.nanoTime();
    }
    long due = batchStartNanos + commitPolicy.unheldLingerNanos();
    if (heldSinceNanos != 0) {
      due = Math.min(due, heldSinceNanos + commitPolicy.heldLingerNanos(busyInstances()));
    }
    return due;
  }

  /**
   * The instances with an episode or activities out, or messages to run. Counting visits every
   * instance that was busy, so under load (many of them) a count stands for {@link
   * #BUSY_RECOUNT_NANOS}; a few are counted again every round, so that one orchestration at a time
   * is never held by a stale count.
   */
  private int busyInstances() {
    long now = System.nanoTime();
    if (busy.size() > FEW_BUSY && now - busyCountedNanos < BUSY_RECOUNT_NANOS) {
      return busyCount;
    }
    busy.removeIf(instance -> !isBusy(instance));
    busyCount = busy.size();
    busyCountedNanos = now;
    return busyCount;
  }

  /** Counted every round for the commit policy, so it reads fields only, no map. */
  private static boolean isBusy(InstanceState instance) {
    return !instance.forgotten
        && !instance.isTerminal()
        && (instance.openEpisode != null
            || !instance.record.getActivities().isEmpty()
            || instance.isRunnable());
  }

  private void flushBatch() {
    List<LogEntry> entries = List.copyOf(batchEntries);
    PendingBatch batch =
        new PendingBatch(
            lastPosition, List.copyOf(batchResponses), state.takeWrites(lastPosition), newSends());
    batchEntries.clear();
    batchResponses.clear();
    batchBytes = 0;
    heldSinceNanos = 0;
    inFlight.add(batch);
    eventsSinceCheckpoint += entries.size();
    logBytesSinceCheckpoint += batchBytes;
    store
        .append(entries)
        .whenComplete(
            (ignored, error) ->
                offer(error == null ? new Durable(batch.lastPosition()) : new AppendFailed(error)));
  }

  private List<OutboxEntry> newSends() {
    List<OutboxEntry> sends = new ArrayList<>(state.outboxAfter(highestSent));
    if (!sends.isEmpty()) {
      highestSent = sends.get(sends.size() - 1).getSequence();
    }
    return sends;
  }

  private void handleDurable(long position) {
    while (!inFlight.isEmpty() && inFlight.peek().lastPosition() <= position) {
      PendingBatch batch = inFlight.poll();
      writeState(batch);
      if (status != Status.FAILED) {
        release(batch);
      }
      maybeCheckpoint(batch.lastPosition());
    }
  }

  private void writeState(PendingBatch batch) {
    StateWrites writes = batch.writes();
    stateStore.write(writes.puts, writes.deletePrefixes, batch.lastPosition());
    state.onWritten(batch.lastPosition());
    cachedBytes = state.cachedBytes();
    cachedInstances = state.cachedCount();
  }

  private void release(PendingBatch batch) {
    batch.sends().forEach(this::send);
    batch.responses().forEach(this::sendToClient);
  }

  private void sendToClient(ClientResponse response) {
    if (localClients.tryDeliver(response)) {
      return;
    }
    transport
        .sendToClient(response.getClientId(), Codecs.CLIENT_RESPONSE.encode(response))
        .whenComplete(
            (ignored, error) -> {
              if (error != null) {
                log.warn(
                    "[partition {}] the response to request {} of client {} was lost: {}",
                    partition,
                    response.getRequestId(),
                    response.getClientId(),
                    error.toString());
              }
            });
  }

  private void send(OutboxEntry entry) {
    unconfirmedSends.add(entry.getSequence());
    transport
        .sendToPartition(
            entry.getDestination(), Codecs.PARTITION_MESSAGE.encode(entry.getMessage()))
        .whenComplete(
            (ignored, error) ->
                offerLater(
                    error == null ? new Sent(entry.getSequence()) : new SendFailed(entry, error)));
  }

  private void handleSent(long sequence) {
    unconfirmedSends.remove(sequence);
    long confirmed = unconfirmedSends.isEmpty() ? highestSent : unconfirmedSends.first() - 1;
    if (confirmed > state.confirmedSequence() && status == Status.RUNNING) {
      submit(new OutboxConfirmed(confirmed));
    }
  }

  /**
   * A message did not reach its partition. Later messages to that partition may have, but the
   * receiver refuses them after the gap, so after a pause every outbox entry for that partition is
   * sent again, in order.
   */
  private void handleSendFailed(SendFailed failed) {
    int destination = failed.entry().getDestination();
    if (!resendsScheduled.add(destination)) {
      return;
    }
    log.warn(
        "[partition {}] sending message {} to partition {} failed, sending again in {} ms: {}",
        partition,
        failed.entry().getSequence(),
        destination,
        RESEND_DELAY_MILLIS,
        failed.cause().toString());
    CompletableFuture.delayedExecutor(RESEND_DELAY_MILLIS, TimeUnit.MILLISECONDS)
        .execute(() -> offer(new Resend(destination)));
  }

  private void handleResend(int destination) {
    resendsScheduled.remove(destination);
    if (status != Status.RUNNING) {
      return;
    }
    for (OutboxEntry entry : state.outbox()) {
      if (entry.getDestination() == destination && entry.getSequence() <= highestSent) {
        send(entry);
      }
    }
  }

  private void maybeCheckpoint(long position) {
    long sinceMillis = now - lastCheckpointTime;
    if (checkpointPolicy.isDue(
        eventsSinceCheckpoint, sinceMillis, logBytesSinceCheckpoint, lastCheckpointBytes)) {
      store
          .checkpoint(position)
          .whenComplete(
              (bytes, error) -> {
                if (error != null) {
                  log.warn(
                      "[partition {}] checkpoint at position {} failed; the log is kept: {}",
                      partition,
                      position,
                      error.toString());
                } else {
                  lastCheckpointBytes = bytes;
                }
              });
      eventsSinceCheckpoint = 0;
      logBytesSinceCheckpoint = 0;
      lastCheckpointTime = now;
    }
  }

  // ---- recovery ----

  private void recover() {
    now = clock.getAsLong();
    lastCheckpointTime = now;
    Recovery recovery = store.open();
    stateStore = recovery.state();
    state = PartitionState.load(stateStore, partition, cacheBudgetBytes);
    machine = new StateMachine(state, this, partitionCount);
    lastPosition = Math.max(state.position(), recovery.statePosition());
    long replayed = replay(recovery);
    StateWrites writes = state.takeWrites(lastPosition);
    stateStore.write(writes.puts, writes.deletePrefixes, lastPosition);
    state.onWritten(lastPosition);
    log.info(
        "[partition {}] recovered {} instances, replayed {} events",
        partition,
        state.instanceCount(),
        replayed);
    rebuildIndexes();
    resendOutbox();
    transport.startReceiving(
        partition, state.nextInputOffset(), records -> offer(new Records(records)));
  }

  private long replay(Recovery recovery) {
    replaying = true;
    long count = 0;
    Iterator<LogEntry> entries = recovery.replay();
    while (entries.hasNext()) {
      PartitionEvent event = Codecs.PARTITION_EVENT.decode(entries.next().payload());
      machine.apply(event);
      lastPosition = event.getPosition();
      count++;
    }
    replaying = false;
    return count;
  }

  private void rebuildIndexes() {
    for (InstanceState instance : List.copyOf(state.cachedInstances())) {
      if (instance.isTerminal()) {
        continue;
      }
      for (PendingTimer timer : instance.record.getTimers()) {
        onTimerSet(instance, timer.getTimerId(), timer.getFireAt());
      }
      instance.record.getActivities().forEach(task -> dispatchActivity(instance, task));
      runnable.add(instance);
    }
  }

  private void resendOutbox() {
    for (OutboxEntry entry : state.outbox()) {
      highestSent = Math.max(highestSent, entry.getSequence());
      send(entry);
    }
  }

  // ---- ending ----

  private void fail(RuntimeException e) {
    failure = e;
    status = Status.FAILED;
    log.error("[partition {}] failed and stopped: {}", partition, e.toString(), e);
    started.completeExceptionally(e);
  }

  private void finish() {
    finished = true;
    if (status != Status.FAILED) {
      status = Status.STOPPED;
    }
    drainRefused();
    closeStore();
    workItems.onPartitionStopped(partition);
    started.completeExceptionally(new PartitionFailedException("partition stopped", null));
    stopped.complete(null);
    log.info("[partition {}] stopped", partition);
  }

  private void drainRefused() {
    for (Input input = inbox.poll(); input != null; input = inbox.poll()) {
      refuse(input);
    }
  }

  private void closeStore() {
    try {
      store.close();
    } catch (RuntimeException e) {
      log.warn("[partition {}] closing storage failed: {}", partition, e.toString());
    }
  }

  // ---- inputs and bookkeeping records ----

  private sealed interface Input
      permits Records,
          OrchestratorDone,
          ActivityDone,
          LocalRequest,
          Durable,
          AppendFailed,
          Sent,
          SendFailed,
          Resend,
          Stop {}

  private record Records(List<InputRecord> records) implements Input {}

  private record OrchestratorDone(
      OrchestratorCompletion completion, CompletableFuture<CompletionOutcome> outcome)
      implements Input {}

  private record ActivityDone(
      ActivityCompletion completion, CompletableFuture<CompletionOutcome> outcome)
      implements Input {}

  private record LocalRequest(PartitionMessage message, Runnable onRefused) implements Input {}

  private record Durable(long position) implements Input {}

  private record AppendFailed(Throwable cause) implements Input {}

  private record Sent(long sequence) implements Input {}

  private record SendFailed(OutboxEntry entry, Throwable cause) implements Input {}

  private record Resend(int destination) implements Input {}

  private record Stop() implements Input {}

  private record PendingBatch(
      long lastPosition,
      List<ClientResponse> responses,
      StateWrites writes,
      List<OutboxEntry> sends) {}

  private record TimerEntry(long fireAt, String instanceId, String executionId, int timerId)
      implements Comparable<TimerEntry> {
    @Override
    public int compareTo(TimerEntry other) {
      int byTime = Long.compare(fireAt, other.fireAt);
      if (byTime != 0) {
        return byTime;
      }
      int byInstance = instanceId.compareTo(other.instanceId);
      if (byInstance != 0) {
        return byInstance;
      }
      int byExecution = executionId.compareTo(other.executionId);
      return byExecution != 0 ? byExecution : Integer.compare(timerId, other.timerId);
    }
  }
}
