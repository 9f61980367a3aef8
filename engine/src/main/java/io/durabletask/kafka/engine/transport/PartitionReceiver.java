package io.durabletask.kafka.engine.transport;

import java.util.List;

/** Takes the records of one partition's input, in offset order. */
@FunctionalInterface
public interface PartitionReceiver {

  /** Called on a transport thread; must not block for long. */
  void receive(List<InputRecord> records);
}
