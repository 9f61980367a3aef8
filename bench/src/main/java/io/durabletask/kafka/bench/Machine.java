package io.durabletask.kafka.bench;

/**
 * The machine the bench ran on.
 *
 * @param maxHeapMegabytes the JVM's maximum heap, 1 MB = 10^6 bytes
 * @param java the Java version and VM
 * @param os the operating system's name, version and architecture
 */
record Machine(int cores, long maxHeapMegabytes, String java, String os) {

  static Machine current() {
    return new Machine(
        Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory() / 1_000_000,
        System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")",
        System.getProperty("os.name")
            + " "
            + System.getProperty("os.version")
            + " "
            + System.getProperty("os.arch"));
  }
}
