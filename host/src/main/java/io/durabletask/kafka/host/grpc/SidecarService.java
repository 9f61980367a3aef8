package io.durabletask.kafka.host.grpc;

import com.google.protobuf.Empty;
import io.durabletask.kafka.engine.Engine;
import io.durabletask.kafka.protocol.AbandonActivityTaskRequest;
import io.durabletask.kafka.protocol.AbandonActivityTaskResponse;
import io.durabletask.kafka.protocol.AbandonEntityTaskRequest;
import io.durabletask.kafka.protocol.AbandonEntityTaskResponse;
import io.durabletask.kafka.protocol.AbandonOrchestrationTaskRequest;
import io.durabletask.kafka.protocol.AbandonOrchestrationTaskResponse;
import io.durabletask.kafka.protocol.ActivityResponse;
import io.durabletask.kafka.protocol.CompleteTaskResponse;
import io.durabletask.kafka.protocol.CreateInstanceRequest;
import io.durabletask.kafka.protocol.CreateTaskHubRequest;
import io.durabletask.kafka.protocol.CreateTaskHubResponse;
import io.durabletask.kafka.protocol.DeleteTaskHubRequest;
import io.durabletask.kafka.protocol.DeleteTaskHubResponse;
import io.durabletask.kafka.protocol.GetInstanceRequest;
import io.durabletask.kafka.protocol.GetInstanceResponse;
import io.durabletask.kafka.protocol.GetWorkItemsRequest;
import io.durabletask.kafka.protocol.HistoryChunk;
import io.durabletask.kafka.protocol.ListInstanceIdsRequest;
import io.durabletask.kafka.protocol.ListInstanceIdsResponse;
import io.durabletask.kafka.protocol.OrchestratorResponse;
import io.durabletask.kafka.protocol.PurgeInstancesRequest;
import io.durabletask.kafka.protocol.PurgeInstancesResponse;
import io.durabletask.kafka.protocol.QueryInstancesRequest;
import io.durabletask.kafka.protocol.QueryInstancesResponse;
import io.durabletask.kafka.protocol.RaiseEventRequest;
import io.durabletask.kafka.protocol.RaiseEventResponse;
import io.durabletask.kafka.protocol.RestartInstanceRequest;
import io.durabletask.kafka.protocol.RestartInstanceResponse;
import io.durabletask.kafka.protocol.ResumeRequest;
import io.durabletask.kafka.protocol.ResumeResponse;
import io.durabletask.kafka.protocol.RewindInstanceRequest;
import io.durabletask.kafka.protocol.RewindInstanceResponse;
import io.durabletask.kafka.protocol.StreamInstanceHistoryRequest;
import io.durabletask.kafka.protocol.SuspendRequest;
import io.durabletask.kafka.protocol.SuspendResponse;
import io.durabletask.kafka.protocol.TaskHubSidecarServiceGrpc;
import io.durabletask.kafka.protocol.TerminateRequest;
import io.durabletask.kafka.protocol.TerminateResponse;
import io.durabletask.kafka.protocol.WorkItem;
import io.grpc.BindableService;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.StreamObserver;

/**
 * The Durable Task sidecar endpoint ({@code TaskHubSidecarService}). Client RPCs go to {@link
 * InstanceRpcs}, worker RPCs to {@link WorkItemRpcs}; RPCs not served yet answer UNIMPLEMENTED.
 *
 * <p>Invalid calls are refused with INVALID_ARGUMENT before anything reaches a partition.
 */
public final class SidecarService
    implements TaskHubSidecarServiceGrpc.AsyncService, BindableService {
  private final InstanceRpcs instances;
  private final WorkItemRpcs workItems;
  private final WorkerPeers peers;

  public SidecarService(Engine engine, WorkItemDispatcher dispatcher, int maxPayloadBytes) {
    this.instances = new InstanceRpcs(engine, maxPayloadBytes);
    this.workItems = new WorkItemRpcs(engine, dispatcher, maxPayloadBytes);
    this.peers = new WorkerPeers(dispatcher);
  }

  /**
   * A method may refuse a call by throwing a StatusRuntimeException; the client gets its status.
   * The outer interceptor, {@link WorkerPeers}, sees that status as well as those answered later.
   */
  @Override
  public ServerServiceDefinition bindService() {
    return ServerInterceptors.intercept(
        TaskHubSidecarServiceGrpc.bindService(this), Calls.statusExceptionsToClient(), peers);
  }

  @Override
  public void hello(Empty request, StreamObserver<Empty> response) {
    response.onNext(Empty.getDefaultInstance());
    response.onCompleted();
  }

  @Override
  public void startInstance(
      CreateInstanceRequest request,
      StreamObserver<io.durabletask.kafka.protocol.CreateInstanceResponse> response) {
    instances.startInstance(request, response);
  }

  @Override
  public void getInstance(
      GetInstanceRequest request, StreamObserver<GetInstanceResponse> response) {
    instances.getInstance(request, response);
  }

  @Override
  public void waitForInstanceStart(
      GetInstanceRequest request, StreamObserver<GetInstanceResponse> response) {
    instances.waitForInstanceStart(request, response);
  }

  @Override
  public void waitForInstanceCompletion(
      GetInstanceRequest request, StreamObserver<GetInstanceResponse> response) {
    instances.waitForInstanceCompletion(request, response);
  }

  @Override
  public void raiseEvent(RaiseEventRequest request, StreamObserver<RaiseEventResponse> response) {
    instances.raiseEvent(request, response);
  }

  @Override
  public void terminateInstance(
      TerminateRequest request, StreamObserver<TerminateResponse> response) {
    instances.terminateInstance(request, response);
  }

  @Override
  public void suspendInstance(SuspendRequest request, StreamObserver<SuspendResponse> response) {
    instances.suspendInstance(request, response);
  }

  @Override
  public void resumeInstance(ResumeRequest request, StreamObserver<ResumeResponse> response) {
    instances.resumeInstance(request, response);
  }

  @Override
  public void queryInstances(
      QueryInstancesRequest request, StreamObserver<QueryInstancesResponse> response) {
    instances.queryInstances(request, response);
  }

  @Override
  public void listInstanceIds(
      ListInstanceIdsRequest request, StreamObserver<ListInstanceIdsResponse> response) {
    instances.listInstanceIds(request, response);
  }

  @Override
  public void purgeInstances(
      PurgeInstancesRequest request, StreamObserver<PurgeInstancesResponse> response) {
    instances.purgeInstances(request, response);
  }

  @Override
  public void restartInstance(
      RestartInstanceRequest request, StreamObserver<RestartInstanceResponse> response) {
    instances.restartInstance(request, response);
  }

  @Override
  public void rewindInstance(
      RewindInstanceRequest request, StreamObserver<RewindInstanceResponse> response) {
    instances.rewindInstance(request, response);
  }

  @Override
  public void streamInstanceHistory(
      StreamInstanceHistoryRequest request, StreamObserver<HistoryChunk> response) {
    instances.streamInstanceHistory(request, response);
  }

  @Override
  public void createTaskHub(
      CreateTaskHubRequest request, StreamObserver<CreateTaskHubResponse> response) {
    instances.createTaskHub(request, response);
  }

  @Override
  public void deleteTaskHub(
      DeleteTaskHubRequest request, StreamObserver<DeleteTaskHubResponse> response) {
    instances.deleteTaskHub(request, response);
  }

  @Override
  public void getWorkItems(GetWorkItemsRequest request, StreamObserver<WorkItem> response) {
    workItems.getWorkItems(request, response);
  }

  @Override
  public void completeOrchestratorTask(
      OrchestratorResponse request, StreamObserver<CompleteTaskResponse> response) {
    workItems.completeOrchestratorTask(request, response);
  }

  @Override
  public void completeActivityTask(
      ActivityResponse request, StreamObserver<CompleteTaskResponse> response) {
    workItems.completeActivityTask(request, response);
  }

  @Override
  public void abandonTaskOrchestratorWorkItem(
      AbandonOrchestrationTaskRequest request,
      StreamObserver<AbandonOrchestrationTaskResponse> response) {
    workItems.abandonTaskOrchestratorWorkItem(request, response);
  }

  @Override
  public void abandonTaskActivityWorkItem(
      AbandonActivityTaskRequest request, StreamObserver<AbandonActivityTaskResponse> response) {
    workItems.abandonTaskActivityWorkItem(request, response);
  }

  @Override
  public void abandonTaskEntityWorkItem(
      AbandonEntityTaskRequest request, StreamObserver<AbandonEntityTaskResponse> response) {
    workItems.abandonTaskEntityWorkItem(request, response);
  }
}
