package io.durabletask.kafka.transport;

import io.durabletask.kafka.engine.transport.InputRecord;
import io.durabletask.kafka.engine.transport.PartitionReceiver;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A {@link PartitionReceiver} that keeps every record it receives. */
final class CollectingReceiver implements PartitionReceiver {

  private final List<InputRecord> records = new CopyOnWriteArrayList<>();

  @Override
  public void receive(List<InputRecord> batch) {
    records.addAll(batch);
  }

  List<Long> offsets() {
    return records.stream().map(InputRecord::offset).toList();
  }

  List<String> values() {
    return records.stream().map(r -> new String(r.value(), StandardCharsets.UTF_8)).toList();
  }

  List<byte[]> rawValues() {
    return records.stream().map(InputRecord::value).toList();
  }

  int count() {
    return records.size();
  }
}
