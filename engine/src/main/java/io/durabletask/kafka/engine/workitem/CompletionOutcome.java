package io.durabletask.kafka.engine.workitem;

/** How a partition answered a work-item completion. */
public enum CompletionOutcome {
  /** Taken into the partition's log. */
  ACCEPTED,
  /** No open work item matches: unknown instance, stale dispatch, or already completed. */
  NOT_FOUND,
  /** This host does not own the instance's partition (any more). */
  NOT_OWNED
}
