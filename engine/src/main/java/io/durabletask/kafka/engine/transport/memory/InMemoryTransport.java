package io.durabletask.kafka.engine.transport.memory;

import io.durabletask.kafka.engine.transport.PartitionReceiver;
import io.durabletask.kafka.engine.transport.Transport;
import io.durabletask.kafka.engine.transport.TransportException;
import io.durabletask.kafka.engine.transport.TransportListener;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * The in-memory twin of the transport, for one host that owns every partition.
 *
 * <p>Each partition's input is an append-only list of records; a record's offset is its index.
 * Sending to a partition appends and completes at once. Each receiving partition has a delivery
 * thread that hands over records as they arrive. Responses to clients go to {@link
 * TransportListener#onClientResponse} on one delivery thread, in the order sent, never on the
 * sender's thread; like the clients topic, every response reaches the listener, whatever its client
 * id.
 *
 * <p>States: NEW -> STARTED ({@link #start}, which assigns every partition at once) -> CLOSED
 * ({@link #close}). The inputs outlive a close, and the transport may be started again, so that a
 * new engine on it reads the same inputs as a restarted host would.
 *
 * <p>Test hooks: {@link #inject} appends raw bytes, for example records that cannot be decoded;
 * {@link #records} reads a partition's input.
 */
public final class InMemoryTransport implements Transport {
  private static final long CLOSE_TIMEOUT_SECONDS = 10;

  private final int partitionCount;
  private final List<RecordList> inputs;
  private final Map<Integer, InputFeed> feeds = new ConcurrentHashMap<>();
  private volatile TransportListener listener;
  private volatile ExecutorService clientDelivery;

  public InMemoryTransport(int partitionCount) {
    if (partitionCount < 1) {
      throw new IllegalArgumentException(
          "Expected at least one partition, but got " + partitionCount);
    }
    this.partitionCount = partitionCount;
    this.inputs = IntStream.range(0, partitionCount).mapToObj(p -> new RecordList()).toList();
  }

  @Override
  public int partitionCount() {
    return partitionCount;
  }

  @Override
  public void start(String clientId, TransportListener listener) {
    synchronized (this) {
      if (this.listener != null) {
        throw new IllegalStateException("Expected a transport not started yet, but it runs");
      }
      this.listener = listener;
      this.clientDelivery = Executors.newSingleThreadExecutor(InMemoryTransport::clientThread);
    }
    listener.onPartitionsAssigned(IntStream.range(0, partitionCount).boxed().toList());
  }

  @Override
  public void startReceiving(int partition, long nextOffset, PartitionReceiver receiver) {
    InputFeed feed = new InputFeed(partition, nextOffset, input(partition), receiver);
    if (feeds.putIfAbsent(partition, feed) != null) {
      throw new IllegalStateException(
          "Expected partition " + partition + " not to be receiving, but it is");
    }
    feed.start();
  }

  @Override
  public void stopReceiving(int partition) {
    InputFeed feed = feeds.remove(partition);
    if (feed != null) {
      feed.stop();
    }
  }

  @Override
  public CompletableFuture<Void> sendToPartition(int partition, byte[] record) {
    try {
      input(partition).append(List.of(record));
      return CompletableFuture.completedFuture(null);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public CompletableFuture<Void> sendToClient(String clientId, byte[] record) {
    ExecutorService delivery = clientDelivery;
    TransportListener target = listener;
    if (delivery == null || target == null) {
      return CompletableFuture.failedFuture(notStarted());
    }
    byte[] copy = record.clone();
    try {
      return CompletableFuture.runAsync(() -> target.onClientResponse(copy), delivery);
    } catch (RejectedExecutionException e) {
      return CompletableFuture.failedFuture(notStarted());
    }
  }

  /** Stops every delivery; the inputs stay, and {@link #start} may be called again. */
  @Override
  public void close() {
    List.copyOf(feeds.keySet()).forEach(this::stopReceiving);
    ExecutorService delivery;
    synchronized (this) {
      delivery = clientDelivery;
      clientDelivery = null;
      listener = null;
    }
    if (delivery != null) {
      delivery.shutdown();
      awaitTermination(delivery);
    }
  }

  /** Appends raw records to a partition's input, together; returns the offset of the first. */
  public long inject(int partition, byte[]... records) {
    return input(partition).append(Arrays.asList(records));
  }

  /** A copy of every record of a partition's input, in offset order. */
  public List<byte[]> records(int partition) {
    return new ArrayList<>(input(partition).snapshot());
  }

  /** The offset the next record of a partition will get. */
  public long endOffset(int partition) {
    return input(partition).endOffset();
  }

  private RecordList input(int partition) {
    if (partition < 0 || partition >= partitionCount) {
      throw new TransportException(
          "Expected a partition from 0 to " + (partitionCount - 1) + ", but got " + partition);
    }
    return inputs.get(partition);
  }

  private static TransportException notStarted() {
    return new TransportException("Expected a started transport, but it is not started or closed");
  }

  private static Thread clientThread(Runnable task) {
    Thread thread = new Thread(task, "memory-transport-clients");
    thread.setDaemon(true);
    return thread;
  }

  private static void awaitTermination(ExecutorService executor) {
    try {
      executor.awaitTermination(CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
