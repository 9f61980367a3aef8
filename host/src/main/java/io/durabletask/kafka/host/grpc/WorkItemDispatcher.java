package io.durabletask.kafka.host.grpc;

import io.durabletask.kafka.avro.OrchestratorAction;
import io.durabletask.kafka.engine.workitem.ActivityWorkItem;
import io.durabletask.kafka.engine.workitem.OrchestratorCompletion;
import io.durabletask.kafka.engine.workitem.OrchestratorWorkItem;
import io.durabletask.kafka.engine.workitem.WorkItemListener;
import io.durabletask.kafka.protocol.OrchestratorRequest;
import io.durabletask.kafka.protocol.WorkItem;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands the work items of this host's partitions to the workers connected through GetWorkItems.
 *
 * <p>A work item is, in turn: WAITING for a stream that can take it, SENT on one stream, DELAYED
 * after a worker abandoned it, and DONE once completed or once its partition stopped. A SENT item
 * whose stream closes goes back to WAITING and to the next stream; a DELAYED item goes back to
 * WAITING when its back-off ends. Each item goes to one stream at a time.
 *
 * <p>A stream takes an item when it is ready for more bytes (gRPC flow control, so a worker that
 * reads slowly does not pile up items in the host's buffers) and holds fewer items of that kind
 * than the limit it asked for in GetWorkItemsRequest. Items wait while no stream can take them.
 * Only orchestrator and activity work items are sent: no health pings and no entity work items,
 * which the Java SDK 1.5.0 logs as unknown.
 *
 * <p>Completions are matched by completion token, or, for SDKs that send none, by instance id
 * (orchestrators) and by instance id and task id (activities). An orchestrator completion may come
 * in chunks numbered 0, 1, and so on: their actions are collected on the item until the final
 * chunk. Chunk 0 starts over; a chunk out of order, or the item going to another stream, drops what
 * was collected.
 *
 * <p>A worker may leave a stream without closing it: the Java SDK 1.5.0 does so after any refused
 * completion, and opens a new stream on the same connection. When a new stream comes from a
 * connection whose completion was refused within {@link #REFUSAL_MEMORY}, the oldest other stream
 * of that connection is closed as left behind, and its items go out again. Until then, new items go
 * to the streams of other connections when one can take them.
 *
 * <p>All state is guarded by one lock; messages are sent on the streams while holding it, so each
 * stream sees one sender at a time and a stream that closes cannot lose an item in between.
 */
public final class WorkItemDispatcher implements WorkItemListener {
  private static final Logger log = LoggerFactory.getLogger(WorkItemDispatcher.class);
  private static final Duration FIRST_ABANDON_DELAY = Duration.ofSeconds(1);
  private static final Duration MAX_ABANDON_DELAY = Duration.ofSeconds(30);

  /** How long a refused completion counts towards closing a stream its worker left behind. */
  static final Duration REFUSAL_MEMORY = Duration.ofSeconds(60);

  private static final int MAX_REMEMBERED_PEERS = 1024;

  /** The kinds of work item this host hands out. */
  enum Kind {
    ORCHESTRATOR("orchestrator"),
    ACTIVITY("activity");

    private final String label;

    Kind(String label) {
      this.label = label;
    }

    @Override
    public String toString() {
      return label;
    }
  }

  private enum State {
    WAITING,
    SENT,
    DELAYED,
    DONE
  }

  private final Object lock = new Object();
  private final List<WorkerStream> streams = new ArrayList<>();
  private final Map<Kind, ArrayDeque<Outstanding>> waiting = new EnumMap<>(Kind.class);
  private final Map<String, Outstanding> byToken = new HashMap<>();
  private final Map<String, Outstanding> orchestratorByInstance = new HashMap<>();
  private final Map<String, Outstanding> activityByTask = new HashMap<>();
  private final Map<String, Refusals> refusalsByPeer = new HashMap<>();
  private final ScheduledExecutorService backOff =
      Executors.newSingleThreadScheduledExecutor(
          runnable -> {
            Thread thread = new Thread(runnable, "work-item-back-off");
            thread.setDaemon(true);
            return thread;
          });
  private int nextStream;

  public WorkItemDispatcher() {
    for (Kind kind : Kind.values()) {
      waiting.put(kind, new ArrayDeque<>());
    }
  }

  // ---- work items from the partitions ----

  @Override
  public void onOrchestratorWorkItem(OrchestratorWorkItem item) {
    Outstanding outstanding = new Outstanding(item, null);
    outstanding.message();
    synchronized (lock) {
      supersede(orchestratorByInstance.put(item.instanceId(), outstanding));
      byToken.put(outstanding.token, outstanding);
      assign(outstanding);
    }
  }

  @Override
  public void onActivityWorkItem(ActivityWorkItem item) {
    Outstanding outstanding = new Outstanding(null, item);
    outstanding.message();
    synchronized (lock) {
      supersede(activityByTask.put(outstanding.activityKey(), outstanding));
      byToken.put(outstanding.token, outstanding);
      assign(outstanding);
    }
  }

  @Override
  public void onPartitionStopped(int partition) {
    synchronized (lock) {
      List<Outstanding> dropped = new ArrayList<>();
      for (Outstanding outstanding : byToken.values()) {
        if (outstanding.partition == partition) {
          dropped.add(outstanding);
        }
      }
      dropped.forEach(this::remove);
      assignWaiting();
    }
  }

  /** A newer dispatch of the same episode or activity replaces one the partition forgot. */
  private void supersede(Outstanding older) {
    if (older != null) {
      log.debug("[partition {}] work item {} superseded", older.partition, older.token);
      remove(older);
    }
  }

  // ---- completions ----

  /**
   * Takes the open orchestrator work item a final completion answers, with the actions of the
   * chunks that came before.
   *
   * @throws io.grpc.StatusRuntimeException NOT_FOUND when no open item matches, INVALID_ARGUMENT
   *     when the chunk is out of order or the token names another instance
   */
  public OrchestratorCompletion takeOrchestrator(
      String token,
      String instanceId,
      int chunkIndex,
      List<OrchestratorAction> actions,
      String customStatus) {
    synchronized (lock) {
      Outstanding found = findOrchestrator(token, instanceId);
      List<OrchestratorAction> all = found.chunks.complete(chunkIndex, actions, found.token);
      remove(found);
      assignWaiting();
      OrchestratorWorkItem item = found.orchestrator;
      return new OrchestratorCompletion(item.instanceId(), item.dispatchId(), all, customStatus);
    }
  }

  /**
   * Keeps a partial orchestrator completion on its work item until the final chunk arrives.
   *
   * @throws io.grpc.StatusRuntimeException like {@link #takeOrchestrator}
   */
  public void addOrchestratorChunk(
      String token, String instanceId, int chunkIndex, List<OrchestratorAction> actions) {
    synchronized (lock) {
      Outstanding found = findOrchestrator(token, instanceId);
      found.chunks.add(chunkIndex, actions, found.token);
    }
  }

  /** Forgets the chunks collected for an orchestrator work item, if it is open. */
  public void dropChunks(String token, String instanceId) {
    synchronized (lock) {
      Outstanding found =
          token.isEmpty() ? orchestratorByInstance.get(instanceId) : byToken.get(token);
      if (found != null && found.orchestrator != null) {
        found.chunks.clear();
      }
    }
  }

  /**
   * Takes the open activity work item a completion answers.
   *
   * @throws io.grpc.StatusRuntimeException NOT_FOUND when no open item matches, INVALID_ARGUMENT
   *     when the token names another instance or task
   */
  public ActivityWorkItem takeActivity(String token, String instanceId, int taskId) {
    synchronized (lock) {
      Outstanding found = findActivity(token, instanceId, taskId);
      remove(found);
      assignWaiting();
      return found.activity;
    }
  }

  /**
   * Releases a work item a worker gave back; it goes out again after a back-off that doubles with
   * each abandon of the same item. Abandoning an item that is not on a stream changes nothing.
   *
   * @throws io.grpc.StatusRuntimeException NOT_FOUND when no open item of that kind has the token
   */
  void abandon(Kind kind, String token) {
    synchronized (lock) {
      Outstanding found = findByToken(token, kind);
      if (found.state != State.SENT) {
        return;
      }
      found.chunks.clear();
      found.stream.release(found);
      found.abandons++;
      found.state = State.DELAYED;
      Duration delay = abandonDelay(found.abandons);
      log.debug(
          "[partition {}] {} work item of instance {} abandoned ({} times); out again in {} ms",
          found.partition,
          kind,
          found.instanceId(),
          found.abandons,
          delay.toMillis());
      scheduleEndOfBackOff(found, delay);
      assignWaiting();
    }
  }

  static Duration abandonDelay(int abandons) {
    int doublings = Math.min(abandons - 1, 16);
    Duration delay = FIRST_ABANDON_DELAY.multipliedBy(1L << doublings);
    return delay.compareTo(MAX_ABANDON_DELAY) > 0 ? MAX_ABANDON_DELAY : delay;
  }

  private void scheduleEndOfBackOff(Outstanding outstanding, Duration delay) {
    try {
      backOff.schedule(() -> endBackOff(outstanding), delay.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      log.debug("the host is stopping; work item {} stays abandoned", outstanding.token);
    }
  }

  private void endBackOff(Outstanding outstanding) {
    synchronized (lock) {
      if (outstanding.state == State.DELAYED) {
        assign(outstanding);
      }
    }
  }

  private Outstanding findOrchestrator(String token, String instanceId) {
    if (!token.isEmpty()) {
      Outstanding found = findByToken(token, Kind.ORCHESTRATOR);
      requireSame("instance id", found.instanceId(), instanceId, token);
      return found;
    }
    Outstanding found = orchestratorByInstance.get(instanceId);
    if (found == null) {
      throw Calls.notFound(
          "Expected an open orchestrator work item for instance '"
              + instanceId
              + "', but there is none: the instance is unknown here, its work item was completed"
              + " already, or its partition moved to another host");
    }
    return found;
  }

  private Outstanding findActivity(String token, String instanceId, int taskId) {
    if (!token.isEmpty()) {
      Outstanding found = findByToken(token, Kind.ACTIVITY);
      requireSame("instance id", found.instanceId(), instanceId, token);
      requireSame("task id", String.valueOf(found.activity.task().getTaskId()), "" + taskId, token);
      return found;
    }
    Outstanding found = activityByTask.get(activityKey(instanceId, taskId));
    if (found == null) {
      throw Calls.notFound(
          "Expected an open activity work item for task "
              + taskId
              + " of instance '"
              + instanceId
              + "', but there is none: the instance or task is unknown here, the activity was"
              + " completed already, or its partition moved to another host");
    }
    return found;
  }

  private Outstanding findByToken(String token, Kind kind) {
    Kind named = CompletionToken.kindOf(token);
    if (named == null) {
      throw Calls.notFound(
          "Expected a completion token that this host handed out, but '"
              + CompletionToken.abbreviate(token)
              + "' is not one");
    }
    if (named != kind) {
      throw Calls.notFound(
          "Expected completion token '"
              + token
              + "' to name an "
              + kind
              + " work item, but it names an "
              + named
              + " work item");
    }
    Outstanding found = byToken.get(token);
    if (found == null) {
      throw Calls.notFound(
          "Expected an open "
              + kind
              + " work item for completion token '"
              + token
              + "', but there is none: it was completed already, or its partition moved to"
              + " another host");
    }
    return found;
  }

  private static void requireSame(String what, String expected, String given, String token) {
    if (!expected.equals(given)) {
      throw Calls.invalidArgument(
          "Expected the "
              + what
              + " of the work item with completion token '"
              + token
              + "', '"
              + expected
              + "', but the completion names '"
              + given
              + "'");
    }
  }

  // ---- streams ----

  /**
   * Creates the dispatcher's side of a GetWorkItems stream. It takes items once {@link
   * #connect(WorkerStream)} is called.
   *
   * @param maxOrchestrators the most orchestrator items the stream holds at once; 0 = no limit
   * @param maxActivities the most activity items the stream holds at once; 0 = no limit
   */
  public WorkerStream newStream(
      ServerCallStreamObserver<WorkItem> observer,
      String peer,
      int maxOrchestrators,
      int maxActivities) {
    return new WorkerStream(observer, peer, maxOrchestrators, maxActivities);
  }

  /**
   * Adds a worker stream and gives it the items that wait for one. A stream that its worker left
   * behind on the same connection is closed first.
   */
  public void connect(WorkerStream stream) {
    synchronized (lock) {
      streams.add(stream);
      log.info(
          "worker stream {} connected from {}; {} streams open",
          stream.id,
          stream.peer,
          streams.size());
      closeStreamLeftBehind(stream);
      assignWaiting();
    }
  }

  /** A completion that came on {@code peer}'s connection was refused. */
  public void onCompletionRefused(String peer) {
    if (peer.isEmpty()) {
      return;
    }
    synchronized (lock) {
      long now = System.nanoTime();
      if (refusalsByPeer.size() >= MAX_REMEMBERED_PEERS) {
        refusalsByPeer.values().removeIf(refusals -> refusals.expired(now));
      }
      if (refusalsByPeer.size() < MAX_REMEMBERED_PEERS) {
        refusalsByPeer.computeIfAbsent(peer, key -> new Refusals()).add(now);
      }
    }
  }

  private void closeStreamLeftBehind(WorkerStream fresh) {
    Refusals refusals = refusalsByPeer.get(fresh.peer);
    if (refusals == null) {
      return;
    }
    if (!refusals.take(System.nanoTime())) {
      refusalsByPeer.remove(fresh.peer);
      return;
    }
    WorkerStream left = oldestStreamOf(fresh.peer, fresh);
    if (left == null) {
      return;
    }
    streams.remove(left);
    List<Outstanding> orphans = left.releaseAll();
    left.closeAsLeftBehind(fresh.id);
    orphans.forEach(this::handOn);
    log.info(
        "worker stream {} closed: its worker on {} had a completion refused and opened stream {};"
            + " {} items handed on",
        left.id,
        left.peer,
        fresh.id,
        orphans.size());
  }

  private WorkerStream oldestStreamOf(String peer, WorkerStream except) {
    for (WorkerStream stream : streams) {
      if (stream != except && stream.peer.equals(peer)) {
        return stream;
      }
    }
    return null;
  }

  /** The stream can take more bytes again. */
  public void onStreamReady(WorkerStream stream) {
    synchronized (lock) {
      if (streams.contains(stream)) {
        assignWaiting();
      }
    }
  }

  /** Removes a closed stream; its outstanding items go to other streams. */
  public void disconnect(WorkerStream stream) {
    synchronized (lock) {
      if (!streams.remove(stream)) {
        return;
      }
      List<Outstanding> orphans = stream.releaseAll();
      orphans.forEach(this::handOn);
      log.info(
          "worker stream {} closed; {} items handed on, {} streams open",
          stream.id,
          orphans.size(),
          streams.size());
    }
  }

  /** Ends every open stream, when the host stops. */
  public void closeAll() {
    synchronized (lock) {
      for (WorkerStream stream : streams) {
        stream.close();
      }
      streams.clear();
    }
    backOff.shutdownNow();
  }

  public int openStreams() {
    synchronized (lock) {
      return streams.size();
    }
  }

  // ---- assignment ----

  private void assign(Outstanding outstanding) {
    WorkerStream stream = pickStream(outstanding.kind);
    if (stream == null) {
      outstanding.state = State.WAITING;
      outstanding.stream = null;
      waiting.get(outstanding.kind).add(outstanding);
      return;
    }
    send(stream, outstanding);
  }

  /** Gives waiting items to streams that can take them, oldest first per kind. */
  private void assignWaiting() {
    for (Kind kind : Kind.values()) {
      ArrayDeque<Outstanding> queue = waiting.get(kind);
      while (!queue.isEmpty()) {
        WorkerStream stream = pickStream(kind);
        if (stream == null) {
          break;
        }
        send(stream, queue.poll());
      }
    }
  }

  /**
   * The next stream in turn that can take an item of this kind, or null. A stream whose connection
   * had a completion refused is taken only when no other stream can: its worker may have left it.
   */
  private WorkerStream pickStream(Kind kind) {
    int count = streams.size();
    long now = System.nanoTime();
    int fallback = -1;
    for (int i = 0; i < count; i++) {
      int index = Math.floorMod(nextStream + i, count);
      WorkerStream stream = streams.get(index);
      if (!stream.canTake(kind)) {
        continue;
      }
      if (!refusedRecently(stream.peer, now)) {
        nextStream = index + 1;
        return stream;
      }
      if (fallback < 0) {
        fallback = index;
      }
    }
    if (fallback < 0) {
      return null;
    }
    nextStream = fallback + 1;
    return streams.get(fallback);
  }

  private boolean refusedRecently(String peer, long now) {
    if (refusalsByPeer.isEmpty()) {
      return false;
    }
    Refusals refusals = refusalsByPeer.get(peer);
    return refusals != null && refusals.pending(now);
  }

  private void send(WorkerStream stream, Outstanding outstanding) {
    if (stream.trySend(outstanding)) {
      return;
    }
    streams.remove(stream);
    List<Outstanding> orphans = stream.releaseAll();
    stream.fail();
    orphans.forEach(this::handOn);
    assign(outstanding);
  }

  /** Gives an item of a closed stream to another; its next worker starts its completion anew. */
  private void handOn(Outstanding orphan) {
    orphan.chunks.clear();
    assign(orphan);
  }

  private void remove(Outstanding outstanding) {
    byToken.remove(outstanding.token);
    if (outstanding.orchestrator != null) {
      orchestratorByInstance.remove(outstanding.instanceId(), outstanding);
    } else {
      activityByTask.remove(outstanding.activityKey(), outstanding);
    }
    if (outstanding.state == State.SENT) {
      outstanding.stream.release(outstanding);
    } else if (outstanding.state == State.WAITING) {
      waiting.get(outstanding.kind).remove(outstanding);
    }
    outstanding.state = State.DONE;
  }

  private static String activityKey(String instanceId, int taskId) {
    return taskId + "/" + instanceId;
  }

  /** The completion tokens this host hands out: {@code o-<partition>-<dispatch id>} and "a-…". */
  static final class CompletionToken {
    private static final Pattern FORM = Pattern.compile("[oa]-\\d{1,10}-\\d{1,19}");
    private static final int SHOWN_CHARS = 64;

    private CompletionToken() {}

    static String of(Kind kind, int partition, long dispatchId) {
      return (kind == Kind.ORCHESTRATOR ? "o-" : "a-") + partition + "-" + dispatchId;
    }

    /** The kind of item a well-formed token names, or null for a token this host never made. */
    static Kind kindOf(String token) {
      if (token.length() > 40 || !FORM.matcher(token).matches()) {
        return null;
      }
      return token.charAt(0) == 'o' ? Kind.ORCHESTRATOR : Kind.ACTIVITY;
    }

    static String abbreviate(String token) {
      return token.length() <= SHOWN_CHARS ? token : token.substring(0, SHOWN_CHARS) + "…";
    }
  }

  /** The parts of an orchestrator completion that arrived before its final chunk. */
  private static final class Chunks {
    private final List<OrchestratorAction> actions = new ArrayList<>();
    private int received;

    void add(int chunkIndex, List<OrchestratorAction> chunk, String token) {
      requireNext(chunkIndex, token);
      actions.addAll(chunk);
      received++;
    }

    List<OrchestratorAction> complete(int chunkIndex, List<OrchestratorAction> chunk, String t) {
      requireNext(chunkIndex, t);
      if (received == 0) {
        return chunk;
      }
      List<OrchestratorAction> all = new ArrayList<>(actions);
      all.addAll(chunk);
      clear();
      return all;
    }

    void clear() {
      actions.clear();
      received = 0;
    }

    /** Chunk 0 starts the completion anew; any other chunk must follow the one before. */
    private void requireNext(int chunkIndex, String token) {
      if (chunkIndex == 0) {
        clear();
      } else if (chunkIndex != received) {
        int expected = received;
        clear();
        throw Calls.invalidArgument(
            "Expected chunk "
                + expected
                + " of the orchestrator completion for work item '"
                + token
                + "', but chunk "
                + chunkIndex
                + " arrived; the chunks received so far are dropped, send the completion again"
                + " from chunk 0");
      }
    }
  }

  /** A work item handed out by a partition and not yet completed. */
  private static final class Outstanding {
    private final Kind kind;
    private final String token;
    private final int partition;
    private final OrchestratorWorkItem orchestrator;
    private final ActivityWorkItem activity;
    private final Chunks chunks = new Chunks();
    private State state = State.WAITING;
    private WorkerStream stream;
    private int abandons;
    private WorkItem message;

    Outstanding(OrchestratorWorkItem orchestrator, ActivityWorkItem activity) {
      this.orchestrator = orchestrator;
      this.activity = activity;
      this.kind = orchestrator != null ? Kind.ORCHESTRATOR : Kind.ACTIVITY;
      this.partition = orchestrator != null ? orchestrator.partition() : activity.partition();
      long dispatchId = orchestrator != null ? orchestrator.dispatchId() : activity.dispatchId();
      this.token = CompletionToken.of(kind, partition, dispatchId);
    }

    String instanceId() {
      return orchestrator != null ? orchestrator.instanceId() : activity.instanceId();
    }

    String activityKey() {
      return WorkItemDispatcher.activityKey(activity.instanceId(), activity.task().getTaskId());
    }

    /** The protocol message, built once, before the item is handed to the dispatcher's lock. */
    WorkItem message() {
      if (message == null) {
        message = orchestrator != null ? orchestratorMessage() : activityMessage();
      }
      return message;
    }

    private WorkItem orchestratorMessage() {
      OrchestratorRequest.Builder request =
          OrchestratorRequest.newBuilder()
              .setInstanceId(orchestrator.instanceId())
              .setExecutionId(ProtoMapping.toStringValue(orchestrator.executionId()));
      orchestrator
          .pastEvents()
          .forEach(e -> request.addPastEvents(ProtoMapping.toProtoHistoryEvent(e)));
      orchestrator
          .newEvents()
          .forEach(e -> request.addNewEvents(ProtoMapping.toProtoHistoryEvent(e)));
      return WorkItem.newBuilder()
          .setOrchestratorRequest(request)
          .setCompletionToken(token)
          .build();
    }

    private WorkItem activityMessage() {
      return WorkItem.newBuilder()
          .setActivityRequest(
              ProtoMapping.toActivityRequest(
                  activity.task(), activity.instanceId(), activity.executionId()))
          .setCompletionToken(token)
          .build();
    }
  }

  /** Completions refused on one connection, not yet matched by a new stream from it. */
  private static final class Refusals {
    private int count;
    private long lastNanos;

    void add(long now) {
      count++;
      lastNanos = now;
    }

    boolean expired(long now) {
      return now - lastNanos > REFUSAL_MEMORY.toNanos();
    }

    /** Whether a refusal is left that is recent enough. */
    boolean pending(long now) {
      return count > 0 && !expired(now);
    }

    /** Uses up one refusal; false when none is left that is recent enough. */
    boolean take(long now) {
      if (!pending(now)) {
        return false;
      }
      count--;
      return true;
    }
  }

  /** One open GetWorkItems stream and the items it holds. Guarded by the dispatcher's lock. */
  public static final class WorkerStream {
    private static final AtomicInteger nextId = new AtomicInteger(1);

    private final int id = nextId.getAndIncrement();
    private final ServerCallStreamObserver<WorkItem> observer;
    private final String peer;
    private final Map<Kind, Integer> limits = new EnumMap<>(Kind.class);
    private final Map<Kind, Integer> held = new EnumMap<>(Kind.class);
    private final Set<Outstanding> items = new LinkedHashSet<>();

    private WorkerStream(
        ServerCallStreamObserver<WorkItem> observer,
        String peer,
        int maxOrchestrators,
        int maxActivities) {
      this.observer = observer;
      this.peer = peer;
      limits.put(Kind.ORCHESTRATOR, Math.max(0, maxOrchestrators));
      limits.put(Kind.ACTIVITY, Math.max(0, maxActivities));
      held.put(Kind.ORCHESTRATOR, 0);
      held.put(Kind.ACTIVITY, 0);
    }

    private boolean canTake(Kind kind) {
      int limit = limits.get(kind);
      return (limit == 0 || held.get(kind) < limit)
          && !observer.isCancelled()
          && observer.isReady();
    }

    /**
     * Sends the item. A stream cancelled meanwhile drops the message silently (its cancel handler
     * is set) and hands the item on when it disconnects.
     */
    private boolean trySend(Outstanding item) {
      try {
        observer.onNext(item.message());
      } catch (RuntimeException e) {
        log.warn("worker stream {} refused a work item: {}", id, e.toString());
        return false;
      }
      items.add(item);
      held.merge(item.kind, 1, Integer::sum);
      item.state = State.SENT;
      item.stream = this;
      log.debug(
          "[partition {}] {} work item of instance {} sent on stream {}",
          item.partition,
          item.kind,
          item.instanceId(),
          id);
      return true;
    }

    private void release(Outstanding item) {
      if (items.remove(item)) {
        held.merge(item.kind, -1, Integer::sum);
      }
      item.stream = null;
    }

    private List<Outstanding> releaseAll() {
      List<Outstanding> released = new ArrayList<>(items);
      released.forEach(this::release);
      return released;
    }

    private void fail() {
      try {
        observer.onError(
            Status.INTERNAL
                .withDescription("the host could not send on this work-item stream")
                .asRuntimeException());
      } catch (RuntimeException e) {
        log.debug("worker stream {} could not be failed: {}", id, e.toString());
      }
    }

    private void closeAsLeftBehind(int successor) {
      try {
        observer.onError(
            Status.ABORTED
                .withDescription(
                    "a completion from this connection was refused and its worker opened stream "
                        + successor
                        + "; this stream is closed and its work items go out again")
                .asRuntimeException());
      } catch (RuntimeException e) {
        log.debug("worker stream {} could not be closed: {}", id, e.toString());
      }
    }

    private void close() {
      try {
        if (!observer.isCancelled()) {
          observer.onCompleted();
        }
      } catch (RuntimeException e) {
        log.debug("worker stream {} could not be closed: {}", id, e.toString());
      }
    }
  }
}
