package io.durabletask.kafka.bench;

/**
 * What the raw layers under the engine do on this machine, measured in the same process as the
 * workloads, so that the workloads' figures can be read relative to them.
 */
record Baselines(KafkaBaseline.Result kafka, PageStoreBaseline.Result pageStore) {}
