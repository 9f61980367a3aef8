package io.durabletask.kafka.engine.partition;

import io.durabletask.kafka.avro.ActivityTask;

/**
 * Hears what applying an update event means beyond the state itself. During replay the partition
 * ignores responses and dispatches, and rebuilds its indexes once replay is done.
 */
interface StateMachineListener {

  /** The instance has messages a worker should see. */
  void onRunnable(InstanceState instance);

  /** The instance scheduled an activity. */
  void onActivityScheduled(InstanceState instance, ActivityTask task);

  /** The instance waits for a timer or its scheduled start. */
  void onTimerSet(InstanceState instance, int timerId, long fireAt);

  /** A response for a client, to be released once the update event is durable. */
  void onResponse(String clientId, long requestId, Object body);

  /**
   * True while responses go nowhere, as during replay: requests that only read the state need not
   * be answered then.
   */
  default boolean discardsResponses() {
    return false;
  }
}
