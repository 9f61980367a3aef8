package io.durabletask.kafka.transport;

import java.util.List;

/**
 * Keeps Kafka's own loggers quiet under slf4j-simple.
 *
 * <p>At INFO, the broker and its clients write thousands of lines per run (every client prints its
 * full configuration), and logging that much costs throughput. slf4j-simple reads a logger's level
 * from system properties when the logger is created, so these defaults must be set before Kafka's
 * classes create their loggers. A level the user already set is left alone. Other SLF4J bindings
 * ignore these properties and use their own configuration.
 */
final class KafkaLogging {

  private static final String LEVEL_PROPERTY_PREFIX = "org.slf4j.simpleLogger.log.";
  private static final List<String> KAFKA_LOGGERS =
      List.of("kafka", "org.apache.kafka", "state.change.logger");

  private KafkaLogging() {}

  /** Sets Kafka's loggers to WARN unless a level was configured for them. */
  static void quietUnlessConfigured() {
    for (String logger : KAFKA_LOGGERS) {
      setIfAbsent(LEVEL_PROPERTY_PREFIX + logger, "warn");
    }
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }
}
