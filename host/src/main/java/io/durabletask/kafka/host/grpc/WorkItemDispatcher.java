package io.durabletask.kafka.host.grpc;

import io.durabletask.kafka.engine.workitem.ActivityWorkItem;
import io.durabletask.kafka.engine.workitem.OrchestratorWorkItem;
import io.durabletask.kafka.engine.workitem.WorkItemListener;
import io.durabletask.kafka.protocol.OrchestratorRequest;
import io.durabletask.kafka.protocol.WorkItem;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands the work items of this host's partitions to the workers connected through GetWorkItems.
 *
 * <p>Each item goes to one worker stream, in turn. An item stays outstanding until its completion
 * arrives; when its stream closes first, it goes to the next stream. Items wait while no worker is
 * connected. Completions are matched by completion token, or, for SDKs that send none, by instance
 * id (orchestrators) and by instance id and task id (activities).
 */
public final class WorkItemDispatcher implements WorkItemListener {
  private static final Logger log = LoggerFactory.getLogger(WorkItemDispatcher.class);

  private final Object lock = new Object();
  private final List<WorkerStream> streams = new ArrayList<>();
  private final ArrayDeque<Outstanding> waiting = new ArrayDeque<>();
  private final Map<String, Outstanding> byToken = new HashMap<>();
  private final Map<String, Outstanding> orchestratorByInstance = new HashMap<>();
  private final Map<String, Outstanding> activityByTask = new HashMap<>();
  private int nextStream;

  @Override
  public void onOrchestratorWorkItem(OrchestratorWorkItem item) {
    String token = "o-" + item.partition() + "-" + item.dispatchId();
    Outstanding outstanding = new Outstanding(token, item.partition(), item, null);
    synchronized (lock) {
      byToken.put(token, outstanding);
      orchestratorByInstance.put(item.instanceId(), outstanding);
      assign(outstanding);
    }
  }

  @Override
  public void onActivityWorkItem(ActivityWorkItem item) {
    String token = "a-" + item.partition() + "-" + item.dispatchId();
    Outstanding outstanding = new Outstanding(token, item.partition(), null, item);
    synchronized (lock) {
      byToken.put(token, outstanding);
      activityByTask.put(activityKey(item.instanceId(), item.task().getTaskId()), outstanding);
      assign(outstanding);
    }
  }

  @Override
  public void onPartitionStopped(int partition) {
    synchronized (lock) {
      List<Outstanding> dropped = new ArrayList<>();
      byToken.values().removeIf(o -> o.partition() == partition && dropped.add(o));
      dropped.forEach(this::forget);
      waiting.removeIf(o -> o.partition() == partition);
    }
  }

  /** Takes the open orchestrator work item a completion answers, or null. */
  public OrchestratorWorkItem takeOrchestrator(String token, String instanceId) {
    synchronized (lock) {
      Outstanding found =
          token.isEmpty() ? orchestratorByInstance.get(instanceId) : byToken.get(token);
      if (found == null || found.orchestrator() == null) {
        return null;
      }
      remove(found);
      return found.orchestrator();
    }
  }

  /** Takes the open activity work item a completion answers, or null. */
  public ActivityWorkItem takeActivity(String token, String instanceId, int taskId) {
    synchronized (lock) {
      Outstanding found =
          token.isEmpty()
              ? activityByTask.get(activityKey(instanceId, taskId))
              : byToken.get(token);
      if (found == null || found.activity() == null) {
        return null;
      }
      remove(found);
      return found.activity();
    }
  }

  /** Adds a worker stream and gives it the items that were waiting for one. */
  public WorkerStream connect(ServerCallStreamObserver<WorkItem> observer) {
    WorkerStream stream = new WorkerStream(observer);
    synchronized (lock) {
      streams.add(stream);
      List<Outstanding> queued = new ArrayList<>(waiting);
      waiting.clear();
      queued.forEach(this::assign);
    }
    log.info("worker stream {} connected; {} streams open", stream.id, streams.size());
    return stream;
  }

  /** Removes a closed stream; its outstanding items go to other streams. */
  public void disconnect(WorkerStream stream) {
    synchronized (lock) {
      if (!streams.remove(stream)) {
        return;
      }
      List<Outstanding> orphans = new ArrayList<>();
      for (String token : stream.outstanding) {
        Outstanding o = byToken.get(token);
        if (o != null) {
          orphans.add(o);
        }
      }
      stream.outstanding.clear();
      orphans.forEach(this::assign);
      log.info(
          "worker stream {} closed; {} items handed on, {} streams open",
          stream.id,
          orphans.size(),
          streams.size());
    }
  }

  /** Ends every open stream, when the host stops. */
  public void closeAll() {
    List<WorkerStream> open;
    synchronized (lock) {
      open = new ArrayList<>(streams);
      streams.clear();
    }
    open.forEach(WorkerStream::close);
  }

  public int openStreams() {
    synchronized (lock) {
      return streams.size();
    }
  }

  private void assign(Outstanding outstanding) {
    while (!streams.isEmpty()) {
      WorkerStream stream = streams.get(nextStream++ % streams.size());
      if (stream.trySend(outstanding)) {
        return;
      }
      streams.remove(stream);
    }
    waiting.add(outstanding);
  }

  private void remove(Outstanding outstanding) {
    byToken.remove(outstanding.token());
    forget(outstanding);
  }

  private void forget(Outstanding outstanding) {
    if (outstanding.orchestrator() != null) {
      orchestratorByInstance.remove(outstanding.orchestrator().instanceId(), outstanding);
    } else {
      ActivityWorkItem item = outstanding.activity();
      activityByTask.remove(activityKey(item.instanceId(), item.task().getTaskId()), outstanding);
    }
    for (WorkerStream stream : streams) {
      stream.outstanding.remove(outstanding.token());
    }
  }

  private static String activityKey(String instanceId, int taskId) {
    return taskId + "/" + instanceId;
  }

  /** An item handed out and not yet completed. */
  private static final class Outstanding {
    private final String token;
    private final int partition;
    private final OrchestratorWorkItem orchestrator;
    private final ActivityWorkItem activity;
    private WorkItem message;

    Outstanding(
        String token, int partition, OrchestratorWorkItem orchestrator, ActivityWorkItem activity) {
      this.token = token;
      this.partition = partition;
      this.orchestrator = orchestrator;
      this.activity = activity;
    }

    String token() {
      return token;
    }

    int partition() {
      return partition;
    }

    OrchestratorWorkItem orchestrator() {
      return orchestrator;
    }

    ActivityWorkItem activity() {
      return activity;
    }

    /** The protocol message, built once. */
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

  /** One open GetWorkItems stream. */
  public static final class WorkerStream {
    private static int nextId = 1;

    private final int id;
    private final ServerCallStreamObserver<WorkItem> observer;
    private final Set<String> outstanding = new LinkedHashSet<>();

    WorkerStream(ServerCallStreamObserver<WorkItem> observer) {
      synchronized (WorkerStream.class) {
        this.id = nextId++;
      }
      this.observer = observer;
    }

    private boolean trySend(Outstanding item) {
      synchronized (this) {
        if (observer.isCancelled()) {
          return false;
        }
        try {
          observer.onNext(item.message());
        } catch (RuntimeException e) {
          log.warn("worker stream {} refused a work item: {}", id, e.toString());
          return false;
        }
      }
      outstanding.add(item.token());
      return true;
    }

    /** Ends the stream from the server side, when the host stops. */
    public void close() {
      synchronized (this) {
        if (!observer.isCancelled()) {
          observer.onCompleted();
        }
      }
    }
  }
}
