package io.durabletask.kafka.host.grpc;

import com.google.protobuf.Empty;
import io.durabletask.kafka.engine.Engine;
import io.durabletask.kafka.protocol.ActivityResponse;
import io.durabletask.kafka.protocol.CompleteTaskResponse;
import io.durabletask.kafka.protocol.CreateInstanceRequest;
import io.durabletask.kafka.protocol.GetInstanceRequest;
import io.durabletask.kafka.protocol.GetInstanceResponse;
import io.durabletask.kafka.protocol.GetWorkItemsRequest;
import io.durabletask.kafka.protocol.OrchestratorResponse;
import io.durabletask.kafka.protocol.RaiseEventRequest;
import io.durabletask.kafka.protocol.RaiseEventResponse;
import io.durabletask.kafka.protocol.ResumeRequest;
import io.durabletask.kafka.protocol.ResumeResponse;
import io.durabletask.kafka.protocol.SuspendRequest;
import io.durabletask.kafka.protocol.SuspendResponse;
import io.durabletask.kafka.protocol.TaskHubSidecarServiceGrpc;
import io.durabletask.kafka.protocol.TerminateRequest;
import io.durabletask.kafka.protocol.TerminateResponse;
import io.durabletask.kafka.protocol.WorkItem;
import io.grpc.stub.StreamObserver;

/**
 * The Durable Task sidecar endpoint ({@code TaskHubSidecarService}). Client RPCs go to {@link
 * InstanceRpcs}, worker RPCs to {@link WorkItemRpcs}; RPCs not served yet answer UNIMPLEMENTED.
 *
 * <p>Invalid calls are refused with INVALID_ARGUMENT before anything reaches a partition.
 */
public final class SidecarService extends TaskHubSidecarServiceGrpc.TaskHubSidecarServiceImplBase {
  private final InstanceRpcs instances;
  private final WorkItemRpcs workItems;

  public SidecarService(Engine engine, WorkItemDispatcher dispatcher, int maxPayloadBytes) {
    this.instances = new InstanceRpcs(engine, maxPayloadBytes);
    this.workItems = new WorkItemRpcs(engine, dispatcher, maxPayloadBytes);
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
}
