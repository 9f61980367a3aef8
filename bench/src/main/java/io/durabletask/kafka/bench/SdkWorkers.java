package io.durabletask.kafka.bench;

import com.microsoft.durabletask.DurableTaskClient;
import com.microsoft.durabletask.DurableTaskGrpcClientBuilder;
import com.microsoft.durabletask.DurableTaskGrpcWorker;
import com.microsoft.durabletask.DurableTaskGrpcWorkerBuilder;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The application side of the bench: several SDK workers and one SDK client, each on a gRPC channel
 * of its own to the host.
 *
 * <p>The Java SDK 1.5.0 worker runs its work items one after the other on a single thread, with a
 * blocking completion call for each, so one worker caps throughput; the host hands each work item
 * to one of the connected workers. Channels accept messages of up to {@value #MAX_INBOUND_BYTES}
 * bytes: the last episode of a 1 MB echo sequence carries about 7 MB of history, above the SDK's
 * default of 4 MiB. The SDK does not close channels it was given, so {@link #close()} shuts them
 * down.
 */
final class SdkWorkers implements AutoCloseable {
  static final int MAX_INBOUND_BYTES = 64 * 1024 * 1024;
  private static final long SHUTDOWN_SECONDS = 10;

  private final List<ManagedChannel> channels = new ArrayList<>();
  private DurableTaskClient client;

  private SdkWorkers() {}

  /** Starts {@code count} workers with every bench orchestration, and a client. */
  static SdkWorkers start(int port, int count) {
    SdkWorkers started = new SdkWorkers();
    try {
      for (int i = 0; i < count; i++) {
        started.startWorker(port);
      }
      started.client = new DurableTaskGrpcClientBuilder().grpcChannel(started.open(port)).build();
      return started;
    } catch (RuntimeException e) {
      started.close();
      throw e;
    }
  }

  DurableTaskClient client() {
    return client;
  }

  private void startWorker(int port) {
    DurableTaskGrpcWorkerBuilder builder =
        new DurableTaskGrpcWorkerBuilder().grpcChannel(open(port));
    DurableTaskGrpcWorker worker = BenchOrchestrations.register(builder).build();
    worker.start();
  }

  private ManagedChannel open(int port) {
    ManagedChannel channel =
        ManagedChannelBuilder.forAddress("localhost", port)
            .usePlaintext()
            .maxInboundMessageSize(MAX_INBOUND_BYTES)
            .build();
    channels.add(channel);
    return channel;
  }

  /** Shuts every channel down, which ends the workers' work-item streams. */
  @Override
  public void close() {
    channels.forEach(ManagedChannel::shutdownNow);
    for (ManagedChannel channel : channels) {
      awaitTermination(channel);
    }
  }

  private static void awaitTermination(ManagedChannel channel) {
    try {
      channel.awaitTermination(SHUTDOWN_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
