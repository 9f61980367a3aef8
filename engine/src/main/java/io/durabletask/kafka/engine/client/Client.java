package io.durabletask.kafka.engine.client;

import io.durabletask.kafka.avro.ClientOrigin;
import io.durabletask.kafka.avro.ClientResponse;
import io.durabletask.kafka.avro.CreateInstanceRequest;
import io.durabletask.kafka.avro.CreateInstanceResponse;
import io.durabletask.kafka.avro.DeliveryOutcome;
import io.durabletask.kafka.avro.ForgetWaiter;
import io.durabletask.kafka.avro.HistoryPage;
import io.durabletask.kafka.avro.HistoryQuery;
import io.durabletask.kafka.avro.InstanceFilter;
import io.durabletask.kafka.avro.InstanceIdPage;
import io.durabletask.kafka.avro.InstanceIdsQuery;
import io.durabletask.kafka.avro.InstanceKey;
import io.durabletask.kafka.avro.InstanceMessage;
import io.durabletask.kafka.avro.InstanceMessageResponse;
import io.durabletask.kafka.avro.InstancePage;
import io.durabletask.kafka.avro.InstanceQuery;
import io.durabletask.kafka.avro.InstanceQueryResponse;
import io.durabletask.kafka.avro.InstanceSnapshot;
import io.durabletask.kafka.avro.InstancesQuery;
import io.durabletask.kafka.avro.PartitionMessage;
import io.durabletask.kafka.avro.PurgeInstances;
import io.durabletask.kafka.avro.PurgeResult;
import io.durabletask.kafka.avro.RuntimeStatus;
import io.durabletask.kafka.avro.TaskHubWiped;
import io.durabletask.kafka.avro.WaitCondition;
import io.durabletask.kafka.avro.WipeTaskHub;
import io.durabletask.kafka.codec.Codecs;
import io.durabletask.kafka.codec.MalformedRecordException;
import io.durabletask.kafka.engine.PartitionHash;
import io.durabletask.kafka.engine.query.PageMerger;
import io.durabletask.kafka.engine.query.PartitionPage;
import io.durabletask.kafka.engine.query.QueryKey;
import io.durabletask.kafka.engine.query.QueryPage;
import io.durabletask.kafka.engine.transport.Transport;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client component of a host: sends requests to the partition of an instance, or to every
 * partition, and matches the partitions' responses, which arrive on the clients stream under this
 * client's id.
 *
 * <p>A request's future completes once the partition has made the answer durable. Cancelling the
 * future forgets the request; a late response is then dropped. Cancelling a wait also tells the
 * partition to forget the waiter.
 *
 * <p>Listings (instances, instance ids) ask every partition for its first matches after the page's
 * start key and merge the answers ({@link PageMerger}). Each partition's answer is bounded in bytes
 * so that it fits one transport record, and all of them together so that a page fits one gRPC
 * message.
 */
public final class Client {
  private static final Logger log = LoggerFactory.getLogger(Client.class);

  /** The most bytes of rows one partition puts in one answer: well below a transport record. */
  static final int MAX_ANSWER_BYTES = 800 * 1024;

  /** The most bytes of rows all partitions together put in the answers to one page. */
  static final int MAX_PAGE_BYTES = 2 * 1024 * 1024;

  private static final int MIN_ANSWER_BYTES = 16 * 1024;

  private final String clientId;
  private final Transport transport;
  private final int partitionCount;
  private final LocalPartitions localPartitions;
  private final AtomicLong nextRequestId = new AtomicLong(1);
  private final Map<Long, Pending> pending = new ConcurrentHashMap<>();

  public Client(String clientId, Transport transport, int partitionCount) {
    this(clientId, transport, partitionCount, LocalPartitions.NONE);
  }

  /** A client whose requests for {@code localPartitions} skip the transport. */
  public Client(
      String clientId, Transport transport, int partitionCount, LocalPartitions localPartitions) {
    this.clientId = clientId;
    this.transport = transport;
    this.partitionCount = partitionCount;
    this.localPartitions = localPartitions;
  }

  public String clientId() {
    return clientId;
  }

  /** Asks the instance's partition to create it; answers CREATED or ALREADY_EXISTS. */
  public CompletableFuture<CreateInstanceResponse> createInstance(CreateInstanceRequest request) {
    return request(partitionOf(request.getInstanceId()), request, CreateInstanceResponse.class);
  }

  /**
   * Reads an instance now, or once it satisfies {@code waitFor}. Cancelling the future of a wait
   * removes the waiter from the instance.
   */
  public CompletableFuture<InstanceQueryResponse> queryInstance(
      String instanceId, boolean includeInputsAndOutputs, WaitCondition waitFor) {
    InstanceQuery query = new InstanceQuery(instanceId, includeInputsAndOutputs, waitFor);
    long requestId = nextRequestId.getAndIncrement();
    CompletableFuture<InstanceQueryResponse> answer =
        request(requestId, partitionOf(instanceId), query, InstanceQueryResponse.class);
    if (waitFor != WaitCondition.NONE) {
      answer.whenComplete(
          (value, error) -> {
            if (error instanceof CancellationException) {
              forgetWaiter(instanceId, requestId);
            }
          });
    }
    return answer;
  }

  private void forgetWaiter(String instanceId, long waitRequestId) {
    long requestId = nextRequestId.getAndIncrement();
    PartitionMessage message = message(requestId, new ForgetWaiter(instanceId, waitRequestId));
    send(
        partitionOf(instanceId),
        message,
        null,
        error ->
            log.debug(
                "[client {}] [{}] could not withdraw wait {}: {}",
                clientId,
                instanceId,
                waitRequestId,
                error.toString()));
  }

  /**
   * Sends a history event to an instance. Completes once the partition has taken it durably, with
   * whether the instance got it.
   */
  public CompletableFuture<DeliveryOutcome> sendInstanceMessage(InstanceMessage message) {
    return request(partitionOf(message.getInstanceId()), message, InstanceMessageResponse.class)
        .thenApply(InstanceMessageResponse::getOutcome);
  }

  // ---- listings ----

  /**
   * One page of the instances the filter selects, across all partitions, in (createdTime,
   * instanceId) order.
   *
   * @param after where the page starts (exclusive), or null for the first page
   */
  public CompletableFuture<QueryPage<InstanceSnapshot>> queryInstances(
      InstanceFilter filter, boolean includeInputsAndOutputs, int pageSize, QueryKey after) {
    InstanceKey start = after == null ? null : after.toAvro();
    int maxBytes = answerBytes();
    return requestAll(
            partition ->
                new InstancesQuery(filter, start, pageSize, maxBytes, includeInputsAndOutputs),
            InstancePage.class)
        .thenApply(
            answers ->
                PageMerger.merge(
                    answers.stream()
                        .map(a -> new PartitionPage<>(a.getInstances(), a.getHasMore()))
                        .toList(),
                    pageSize,
                    row -> new QueryKey(row.getCreatedTime(), row.getInstanceId())));
  }

  /**
   * One page of the ids of terminal instances, across all partitions, in (completedTime,
   * instanceId) order.
   *
   * @param statuses the terminal statuses to list; empty: all
   * @param completedFrom inclusive, or null
   * @param completedTo inclusive, or null
   * @param after where the page starts (exclusive), or null for the first page
   */
  public CompletableFuture<QueryPage<String>> listInstanceIds(
      List<RuntimeStatus> statuses,
      Long completedFrom,
      Long completedTo,
      int pageSize,
      QueryKey after) {
    InstanceKey start = after == null ? null : after.toAvro();
    int maxBytes = answerBytes();
    CompletableFuture<List<InstanceIdPage>> answers =
        requestAll(
            partition ->
                new InstanceIdsQuery(
                    statuses, completedFrom, completedTo, start, pageSize, maxBytes),
            InstanceIdPage.class);
    return answers.thenApply(
        pages -> {
          QueryPage<InstanceKey> page =
              PageMerger.merge(
                  pages.stream()
                      .map(p -> new PartitionPage<>(p.getKeys(), p.getHasMore()))
                      .toList(),
                  pageSize,
                  QueryKey::fromAvro);
          return new QueryPage<>(
              page.items().stream().map(InstanceKey::getInstanceId).toList(), page.next());
        });
  }

  /** Per partition, a share of the page's bytes, within what one record carries. */
  private int answerBytes() {
    return Math.max(MIN_ANSWER_BYTES, Math.min(MAX_ANSWER_BYTES, MAX_PAGE_BYTES / partitionCount));
  }

  /**
   * A page of the stored history of the instance's current execution, or of {@code executionId}
   * when given, from event {@code startIndex} on.
   */
  public CompletableFuture<HistoryPage> readHistory(
      String instanceId, String executionId, int startIndex) {
    HistoryQuery query = new HistoryQuery(instanceId, executionId, startIndex, MAX_ANSWER_BYTES);
    return request(partitionOf(instanceId), query, HistoryPage.class);
  }

  // ---- purge and wipe ----

  /**
   * Purges these instances where they are terminal; with {@code recursive}, their
   * sub-orchestrations too. Completes with the number of instances purged.
   */
  public CompletableFuture<Integer> purgeInstances(
      Collection<String> instanceIds, boolean recursive) {
    return new RecursivePurge(this, recursive).purge(instanceIds);
  }

  /** Purges the terminal instances the filter selects, on every partition. */
  public CompletableFuture<Integer> purgeInstances(InstanceFilter filter, boolean recursive) {
    return new RecursivePurge(this, recursive).purge(filter);
  }

  /** Sends one purge request to one partition. */
  CompletableFuture<PurgeResult> purgeOn(int partition, PurgeInstances purge) {
    return request(partition, purge, PurgeResult.class);
  }

  /** Sends one purge request to every partition. */
  CompletableFuture<List<PurgeResult>> purgeOnAll(PurgeInstances purge) {
    return requestAll(partition -> purge, PurgeResult.class);
  }

  /**
   * Removes every instance, history, queued message, timer and activity on every partition.
   * Completes with the number of instances removed.
   */
  public CompletableFuture<Integer> wipeTaskHub() {
    WipeTaskHub wipe = new WipeTaskHub(System.currentTimeMillis());
    return requestAll(partition -> wipe, TaskHubWiped.class)
        .thenApply(answers -> answers.stream().mapToInt(TaskHubWiped::getRemovedInstances).sum());
  }

  // ---- responses ----

  /** Takes one record of the clients stream. Records for other clients are ignored. */
  public void handleResponse(byte[] record) {
    try {
      handleResponse(Codecs.CLIENT_RESPONSE.decode(record));
    } catch (MalformedRecordException e) {
      log.warn("[client {}] skipped an undecodable response: {}", clientId, e.getMessage());
    }
  }

  /** Takes one response. Responses for other clients are ignored. */
  public void handleResponse(ClientResponse response) {
    if (!clientId.equals(response.getClientId())) {
      return;
    }
    Pending waiting = pending.remove(response.getRequestId());
    if (waiting != null) {
      waiting.answer().complete(response.getBody());
    }
  }

  /** Fails every open request, for example when the host stops. */
  public void failAll(Throwable cause) {
    pending.values().forEach(request -> request.answer().completeExceptionally(cause));
    pending.clear();
  }

  /**
   * Fails the open requests handed to {@code partition} on this host, which failed: their log
   * entries may not have become durable, and nothing else holds them. Requests sent through the
   * transport stay open, since the partition reads them again once it runs again.
   */
  public void failLocalRequests(int partition, Throwable cause) {
    for (Pending request : pending.values()) {
      if (request.partition() == partition && request.handedOver) {
        request.answer().completeExceptionally(cause);
      }
    }
  }

  /** The number of requests waiting for a response. */
  public int pendingRequests() {
    return pending.size();
  }

  int partitionOf(String instanceId) {
    return PartitionHash.partitionOf(instanceId, partitionCount);
  }

  // ---- requests ----

  /** Sends the same kind of request to every partition; completes when all have answered. */
  private <T> CompletableFuture<List<T>> requestAll(IntFunction<Object> bodyOf, Class<T> type) {
    List<CompletableFuture<T>> answers = new ArrayList<>(partitionCount);
    for (int partition = 0; partition < partitionCount; partition++) {
      answers.add(request(partition, bodyOf.apply(partition), type));
    }
    CompletableFuture<List<T>> all =
        CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
            .thenApply(ignored -> answers.stream().map(CompletableFuture::join).toList());
    all.whenComplete(
        (value, error) -> {
          if (error != null) {
            answers.forEach(answer -> answer.cancel(false));
          }
        });
    return all;
  }

  private <T> CompletableFuture<T> request(int partition, Object body, Class<T> answerType) {
    return request(nextRequestId.getAndIncrement(), partition, body, answerType);
  }

  /**
   * Sends a request and returns the future of its answer. Cancelling that future forgets the
   * request.
   */
  private <T> CompletableFuture<T> request(
      long requestId, int partition, Object body, Class<T> answerType) {
    CompletableFuture<Object> answer = new CompletableFuture<>();
    Pending request = new Pending(partition, answer);
    pending.put(requestId, request);
    answer.whenComplete((value, error) -> pending.remove(requestId));
    send(partition, message(requestId, body), request, answer::completeExceptionally);
    CompletableFuture<T> typed = answer.thenApply(answerType::cast);
    typed.whenComplete(
        (value, error) -> {
          if (error instanceof CancellationException) {
            answer.cancel(false);
          }
        });
    return typed;
  }

  /**
   * Hands the message to its partition on this host, or else sends it through the transport; a
   * request the partition takes directly is marked as handed over until the partition refuses it.
   */
  private void send(
      int partition, PartitionMessage message, Pending request, Consumer<Throwable> onFailure) {
    Runnable throughTransport =
        () -> {
          if (request != null) {
            request.handedOver = false;
          }
          sendThroughTransport(partition, message, onFailure);
        };
    if (request != null) {
      request.handedOver = true;
    }
    if (!localPartitions.tryDeliver(partition, message, throughTransport)) {
      throughTransport.run();
    }
  }

  private void sendThroughTransport(
      int partition, PartitionMessage message, Consumer<Throwable> onFailure) {
    transport
        .sendToPartition(partition, Codecs.PARTITION_MESSAGE.encode(message))
        .whenComplete(
            (ignored, error) -> {
              if (error != null) {
                onFailure.accept(error);
              }
            });
  }

  /** An open request; {@code handedOver} while it went to the partition without the transport. */
  private static final class Pending {
    private final int partition;
    private final CompletableFuture<Object> answer;
    private volatile boolean handedOver;

    Pending(int partition, CompletableFuture<Object> answer) {
      this.partition = partition;
      this.answer = answer;
    }

    int partition() {
      return partition;
    }

    CompletableFuture<Object> answer() {
      return answer;
    }
  }

  private PartitionMessage message(long requestId, Object body) {
    return new PartitionMessage(new ClientOrigin(clientId, requestId), body);
  }
}
