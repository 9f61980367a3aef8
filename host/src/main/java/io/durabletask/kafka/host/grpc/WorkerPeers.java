package io.durabletask.kafka.host.grpc;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.net.SocketAddress;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the worker RPCs which connection a call came on, and tells the dispatcher when a completion
 * from a connection was refused.
 *
 * <p>The Java SDK 1.5.0 worker handles a refused completion as a lost connection: it leaves its
 * work-item stream open without reading it any more, and opens a new one on the same connection a
 * few seconds later. Knowing both, the dispatcher closes the stream the worker left (see {@link
 * WorkItemDispatcher#connect}), so that the items on it go out again.
 */
final class WorkerPeers implements ServerInterceptor {
  private static final Logger log = LoggerFactory.getLogger(WorkerPeers.class);
  private static final Context.Key<String> PEER = Context.key("durabletask-kafka-peer");
  private static final Set<String> COMPLETIONS =
      Set.of("CompleteOrchestratorTask", "CompleteActivityTask");

  private final WorkItemDispatcher dispatcher;

  WorkerPeers(WorkItemDispatcher dispatcher) {
    this.dispatcher = dispatcher;
  }

  /** The remote address of the current call's connection, or "" when unknown. */
  static String current() {
    String peer = PEER.get();
    return peer == null ? "" : peer;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    SocketAddress address = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
    String peer = address == null ? "" : address.toString();
    Context context = Context.current().withValue(PEER, peer);
    ServerCall<Q, R> observed =
        COMPLETIONS.contains(call.getMethodDescriptor().getBareMethodName())
            ? new RefusalWatch<>(call, peer)
            : call;
    return Contexts.interceptCall(context, observed, headers, next);
  }

  private final class RefusalWatch<Q, R> extends SimpleForwardingServerCall<Q, R> {
    private final String peer;

    RefusalWatch(ServerCall<Q, R> call, String peer) {
      super(call);
      this.peer = peer;
    }

    @Override
    public void close(Status status, Metadata trailers) {
      if (!status.isOk()) {
        log.info(
            "{} from {} refused: {} {}",
            getMethodDescriptor().getBareMethodName(),
            peer,
            status.getCode(),
            status.getDescription());
        dispatcher.onCompletionRefused(peer);
      }
      super.close(status, trailers);
    }
  }
}
