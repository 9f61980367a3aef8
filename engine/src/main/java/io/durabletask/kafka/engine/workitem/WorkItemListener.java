package io.durabletask.kafka.engine.workitem;

/**
 * Receives the work items of the partitions this host owns. Called on partition threads: must not
 * block.
 */
public interface WorkItemListener {

  void onOrchestratorWorkItem(OrchestratorWorkItem item);

  void onActivityWorkItem(ActivityWorkItem item);

  /** The partition stopped on this host; its outstanding work items will never be accepted. */
  void onPartitionStopped(int partition);
}
