package io.durabletask.kafka.engine.client;

import io.durabletask.kafka.avro.ClientOrigin;
import io.durabletask.kafka.avro.ClientResponse;
import io.durabletask.kafka.avro.CreateInstanceRequest;
import io.durabletask.kafka.avro.CreateInstanceResponse;
import io.durabletask.kafka.avro.InstanceMessage;
import io.durabletask.kafka.avro.InstanceQuery;
import io.durabletask.kafka.avro.InstanceQueryResponse;
import io.durabletask.kafka.avro.PartitionMessage;
import io.durabletask.kafka.avro.WaitCondition;
import io.durabletask.kafka.codec.Codecs;
import io.durabletask.kafka.codec.MalformedRecordException;
import io.durabletask.kafka.engine.PartitionHash;
import io.durabletask.kafka.engine.transport.Transport;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client component of a host: sends requests to the partition of an instance and matches the
 * partition's responses, which arrive on the clients stream under this client's id.
 *
 * <p>A request's future completes once the partition has made the answer durable. Cancelling the
 * future forgets the request; a late response is then dropped.
 */
public final class Client {
  private static final Logger log = LoggerFactory.getLogger(Client.class);

  private final String clientId;
  private final Transport transport;
  private final int partitionCount;
  private final AtomicLong nextRequestId = new AtomicLong(1);
  private final Map<Long, CompletableFuture<Object>> pending = new ConcurrentHashMap<>();

  public Client(String clientId, Transport transport, int partitionCount) {
    this.clientId = clientId;
    this.transport = transport;
    this.partitionCount = partitionCount;
  }

  public String clientId() {
    return clientId;
  }

  /** Asks the instance's partition to create it; answers CREATED or ALREADY_EXISTS. */
  public CompletableFuture<CreateInstanceResponse> createInstance(CreateInstanceRequest request) {
    return request(request.getInstanceId(), request, CreateInstanceResponse.class);
  }

  /** Reads an instance now, or once it satisfies {@code waitFor}. */
  public CompletableFuture<InstanceQueryResponse> queryInstance(
      String instanceId, boolean includeInputsAndOutputs, WaitCondition waitFor) {
    InstanceQuery query = new InstanceQuery(instanceId, includeInputsAndOutputs, waitFor);
    return request(instanceId, query, InstanceQueryResponse.class);
  }

  /** Sends a history event to an instance; completes once the transport has it durably. */
  public CompletableFuture<Void> sendInstanceMessage(InstanceMessage message) {
    long requestId = nextRequestId.getAndIncrement();
    return transport.sendToPartition(
        partitionOf(message.getInstanceId()), encode(requestId, message));
  }

  /** Takes one record of the clients stream. Records for other clients are ignored. */
  public void handleResponse(byte[] record) {
    ClientResponse response;
    try {
      response = Codecs.CLIENT_RESPONSE.decode(record);
    } catch (MalformedRecordException e) {
      log.warn("[client {}] skipped an undecodable response: {}", clientId, e.getMessage());
      return;
    }
    if (!clientId.equals(response.getClientId())) {
      return;
    }
    CompletableFuture<Object> waiting = pending.remove(response.getRequestId());
    if (waiting != null) {
      waiting.complete(response.getBody());
    }
  }

  /** Fails every open request, for example when the host stops. */
  public void failAll(Throwable cause) {
    pending.values().forEach(future -> future.completeExceptionally(cause));
    pending.clear();
  }

  private <T> CompletableFuture<T> request(String instanceId, Object body, Class<T> answerType) {
    long requestId = nextRequestId.getAndIncrement();
    CompletableFuture<Object> answer = new CompletableFuture<>();
    pending.put(requestId, answer);
    answer.whenComplete((value, error) -> pending.remove(requestId));
    transport
        .sendToPartition(partitionOf(instanceId), encode(requestId, body))
        .whenComplete(
            (ignored, error) -> {
              if (error != null) {
                answer.completeExceptionally(error);
              }
            });
    return answer.thenApply(answerType::cast);
  }

  private byte[] encode(long requestId, Object body) {
    PartitionMessage message = new PartitionMessage(new ClientOrigin(clientId, requestId), body);
    return Codecs.PARTITION_MESSAGE.encode(message);
  }

  private int partitionOf(String instanceId) {
    return PartitionHash.partitionOf(instanceId, partitionCount);
  }
}
