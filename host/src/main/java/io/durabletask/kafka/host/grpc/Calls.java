package io.durabletask.kafka.host.grpc;

import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
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
      throw Status.INVALID_ARGUMENT
          .withDescription("Expected a non-empty " + what + ", but it is empty")
          .asRuntimeException();
    }
  }

  static void requirePayloadWithinLimit(String payload, String what, int maxPayloadBytes) {
    // TODO(#3): carry payloads above the record limit through the blob store instead.
    if (payload != null
        && payload.length() > maxPayloadBytes / 4
        && payload.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > maxPayloadBytes) {
      throw Status.RESOURCE_EXHAUSTED
          .withDescription(
              "Expected the "
                  + what
                  + " to be at most "
                  + maxPayloadBytes
                  + " bytes, but it is "
                  + payload.getBytes(java.nio.charset.StandardCharsets.UTF_8).length)
          .asRuntimeException();
    }
  }

  static StatusRuntimeException notFound(String what, String instanceId) {
    return Status.NOT_FOUND
        .withDescription(
            "Expected an open "
                + what
                + " for instance '"
                + instanceId
                + "', but there is none: it is unknown, was completed already, or moved")
        .asRuntimeException();
  }

  static long now() {
    return System.currentTimeMillis();
  }
}
