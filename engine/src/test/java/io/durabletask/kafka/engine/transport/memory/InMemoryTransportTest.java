package io.durabletask.kafka.engine.transport.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.durabletask.kafka.engine.transport.InputRecord;
import io.durabletask.kafka.engine.transport.TransportListener;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class InMemoryTransportTest {
  private final InMemoryTransport transport = new InMemoryTransport(3);
  private final Listener listener = new Listener();

  @AfterEach
  void closeTransport() {
    transport.close();
  }

  @Test
  void shouldAssignEveryPartitionOnStart() {
    // given a transport of three partitions

    // when
    transport.start("client", listener);

    // then
    assertThat(listener.assigned).containsExactly(List.of(0, 1, 2));
  }

  @Test
  void shouldDeliverFromTheRequestedOffsetAsRecordsArrive() throws Exception {
    // given
    transport.start("client", listener);
    for (byte i = 0; i < 3; i++) {
      transport.sendToPartition(1, new byte[] {i}).join();
    }
    BlockingQueue<InputRecord> received = new LinkedBlockingQueue<>();

    // when
    transport.startReceiving(1, 1, received::addAll);
    transport.sendToPartition(1, new byte[] {3}).join();

    // then
    List<Long> offsets = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      offsets.add(received.poll(5, TimeUnit.SECONDS).offset());
    }
    assertThat(offsets).containsExactly(1L, 2L, 3L);
    assertThat(transport.records(1)).hasSize(4);
  }

  @Test
  void shouldDeliverNothingOnceStopReceivingReturns() throws Exception {
    // given
    transport.start("client", listener);
    BlockingQueue<InputRecord> received = new LinkedBlockingQueue<>();
    transport.startReceiving(0, 0, received::addAll);
    transport.inject(0, new byte[] {1});
    assertThat(received.poll(5, TimeUnit.SECONDS)).isNotNull();

    // when
    transport.stopReceiving(0);
    transport.inject(0, new byte[] {2});

    // then
    assertThat(received.poll(300, TimeUnit.MILLISECONDS)).isNull();
    assertThat(transport.endOffset(0)).isEqualTo(2);
  }

  @Test
  void shouldHandClientResponsesToTheListenerOnAnotherThread() throws Exception {
    // given
    transport.start("client", listener);

    // when
    transport.sendToClient("client", new byte[] {7}).get(5, TimeUnit.SECONDS);

    // then
    assertThat(listener.responseThreads).hasSize(1);
    assertThat(listener.responseThreads.get(0)).isNotEqualTo(Thread.currentThread().getName());
    assertThat(listener.responses.get(0)).containsExactly(7);
  }

  @Test
  void shouldKeepTheInputsWhenStartedAgain() throws Exception {
    // given
    transport.start("client", listener);
    transport.sendToPartition(2, new byte[] {1}).join();
    transport.close();

    // when
    transport.start("client-2", new Listener());
    BlockingQueue<InputRecord> received = new LinkedBlockingQueue<>();
    transport.startReceiving(2, 0, received::addAll);

    // then
    assertThat(received.poll(5, TimeUnit.SECONDS).value()).containsExactly(1);
  }

  private static final class Listener implements TransportListener {
    final List<Collection<Integer>> assigned = new CopyOnWriteArrayList<>();
    final List<byte[]> responses = new CopyOnWriteArrayList<>();
    final List<String> responseThreads = new CopyOnWriteArrayList<>();

    @Override
    public void onPartitionsAssigned(Collection<Integer> partitions) {
      assigned.add(List.copyOf(partitions));
    }

    @Override
    public void onPartitionsRevoked(Collection<Integer> partitions) {}

    @Override
    public void onClientResponse(byte[] record) {
      responseThreads.add(Thread.currentThread().getName());
      responses.add(record);
    }
  }
}
