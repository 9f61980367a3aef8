package io.durabletask.kafka.host.grpc;

import io.grpc.Context;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What every RPC of the sidecar endpoint does alike: validate, answer, map failures. */
final class Calls {
  private static final Logger log = LoggerFactory.getLogger(Calls.class);

  private Calls() {}

  static <A, T> void answer(
      CompletableFuture<A> future, StreamObserver<T> response, Function<A, T> toReply) {
    future.whenComplete(
        (value, error) -> {
          try {
            if (error != null) {
              response.onError(toStatus(error));
            } else {
              response.onNext(toReply.apply(value));
              response.onCompleted();
            }
          } catch (StatusRuntimeException e) {
            response.onError(e);
          } catch (RuntimeException e) {
            log.warn("answering a call failed: {}", e.toString(), e);
            response.onError(Status.INTERNAL.withDescription(e.toString()).asRuntimeException());
          }
        });
  }

  /** Answers a call that has nothing to wait for. */
  static <T> void reply(StreamObserver<T> response, T reply) {
    response.onNext(reply);
    response.onCompleted();
  }

  static StatusRuntimeException toStatus(Throwable error) {
    Throwable cause = error instanceof CompletionException ? error.getCause() : error;
    if (cause instanceof StatusRuntimeException status) {
      return status;
    }
    if (cause instanceof CancellationException) {
      return Status.CANCELLED.withDescription("the call ended").asRuntimeException();
    }
    return Status.UNAVAILABLE
        .withDescription("The task hub could not take the request: " + cause)
        .asRuntimeException();
  }

  static void cancelWhenCallEnds(CompletableFuture<?> future) {
    Context.current().addListener(context -> future.cancel(false), Runnable::run);
  }

  static void requireNonEmpty(String value, String what) {
    if (value == null || value.isEmpty()) {
      throw invalidArgument("Expected a non-empty " + what + ", but it is empty");
    }
  }

  static void requirePayloadWithinLimit(String payload, String what, int maxPayloadBytes) {
    if (payload == null || payload.length() <= maxPayloadBytes / 4) {
      return;
    }
    int bytes = payload.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > maxPayloadBytes) {
      throw Status.RESOURCE_EXHAUSTED
          .withDescription(
              "Expected the "
                  + what
                  + " to be at most "
                  + maxPayloadBytes
                  + " bytes, but it is "
                  + bytes)
          .asRuntimeException();
    }
  }

  static StatusRuntimeException invalidArgument(String message) {
    return Status.INVALID_ARGUMENT.withDescription(message).asRuntimeException();
  }

  static StatusRuntimeException notFound(String message) {
    return Status.NOT_FOUND.withDescription(message).asRuntimeException();
  }

  static StatusRuntimeException notFound(String what, String instanceId) {
    return notFound(
        "Expected an open "
            + what
            + " for instance '"
            + instanceId
            + "', but there is none: it is unknown, was completed already, or moved");
  }

  static long now() {
    return System.currentTimeMillis();
  }

  /**
   * An interceptor that answers a call with the status of a {@link StatusRuntimeException} its
   * method throws before answering. Without it gRPC turns any exception thrown by a method into
   * UNKNOWN, and the client loses the precise status and message.
   */
  static ServerInterceptor statusExceptionsToClient() {
    return new StatusExceptionsToClient();
  }

  private static final class StatusExceptionsToClient implements ServerInterceptor {
    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
        ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
      return new SimpleForwardingServerCallListener<>(next.startCall(call, headers)) {
        @Override
        public void onMessage(Q message) {
          try {
            super.onMessage(message);
          } catch (StatusRuntimeException e) {
            close(call, e);
          }
        }

        @Override
        public void onHalfClose() {
          try {
            super.onHalfClose();
          } catch (StatusRuntimeException e) {
            close(call, e);
          }
        }
      };
    }

    private static void close(ServerCall<?, ?> call, StatusRuntimeException e) {
      Metadata trailers = e.getTrailers() == null ? new Metadata() : e.getTrailers();
      try {
        call.close(e.getStatus(), trailers);
      } catch (IllegalStateException alreadyClosed) {
        log.debug("a call threw {} after it was answered", e.getStatus().getCode());
      }
    }
  }
}
