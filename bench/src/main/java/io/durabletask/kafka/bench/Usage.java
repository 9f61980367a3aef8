package io.durabletask.kafka.bench;

/**
 * What the whole process (host, broker, SDK workers and client alike) used during one run.
 *
 * @param cpuNanos CPU time of the process
 * @param kafkaRecords records the transport handed to its producer, to both topics
 * @param kafkaBytes their key and value bytes
 * @param storageWrites page-blob writes of the task hub's page store
 * @param storageBytes their bytes
 * @param checkpointBytes the part of {@code storageBytes} written to checkpoint blobs
 * @param storageFlushes page-blob flushes (fsyncs)
 * @param peakHeapBytes the sum of the peak use of every heap memory pool, garbage included
 * @param liveHeapBytes the most heap in use right after a garbage collection during the run: what
 *     the process holds on to; the heap in use at the end when no collection ran
 */
record Usage(
    long cpuNanos,
    double kafkaRecords,
    double kafkaBytes,
    double storageWrites,
    double storageBytes,
    double checkpointBytes,
    double storageFlushes,
    long peakHeapBytes,
    long liveHeapBytes) {}
