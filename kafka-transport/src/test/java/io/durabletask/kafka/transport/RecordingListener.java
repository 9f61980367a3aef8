package io.durabletask.kafka.transport;

import io.durabletask.kafka.engine.transport.TransportListener;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** A {@link TransportListener} that remembers what it heard, for assertions. */
final class RecordingListener implements TransportListener {

  private final Set<Integer> owned = new TreeSet<>();
  private final List<Integer> revoked = new CopyOnWriteArrayList<>();
  private final List<byte[]> rawResponses = new CopyOnWriteArrayList<>();
  private volatile Consumer<Collection<Integer>> revocationHook = partitions -> {};

  /** Runs {@code hook} inside each revocation, as the engine stops its partitions there. */
  void onRevocation(Consumer<Collection<Integer>> hook) {
    this.revocationHook = hook;
  }

  @Override
  public synchronized void onPartitionsAssigned(Collection<Integer> partitions) {
    owned.addAll(partitions);
  }

  @Override
  public synchronized void onPartitionsRevoked(Collection<Integer> partitions) {
    revocationHook.accept(partitions);
    owned.removeAll(partitions);
    revoked.addAll(partitions);
  }

  @Override
  public void onClientResponse(byte[] record) {
    rawResponses.add(record);
  }

  synchronized Set<Integer> owned() {
    return Set.copyOf(owned);
  }

  List<Integer> revoked() {
    return List.copyOf(revoked);
  }

  List<String> responses() {
    return rawResponses.stream().map(r -> new String(r, StandardCharsets.UTF_8)).toList();
  }

  List<byte[]> rawResponses() {
    return List.copyOf(rawResponses);
  }
}
