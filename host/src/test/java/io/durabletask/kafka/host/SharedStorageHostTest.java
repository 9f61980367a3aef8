package io.durabletask.kafka.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hosts of one task hub share its storage. A host started on the hub's Kafka topics with a data
 * folder that holds no hub would read the hub's records again on top of an empty state: it refuses
 * to start, and creates nothing.
 */
class SharedStorageHostTest {
  @TempDir Path root;

  @Test
  void shouldRefuseAHostWhoseStorageLacksTheHubOfTheTopics() {
    // given a host that created the hub, with its embedded broker
    try (Host first = Host.start(HostConfig.defaults(root.resolve("first")).withPort(0))) {
      Path otherFolder = root.resolve("second");
      HostConfig second =
          HostConfig.defaults(otherFolder)
              .withPort(0)
              .withBootstrapServers(first.bootstrapServers());

      // when / then
      assertThatThrownBy(() -> Host.start(second))
          .isInstanceOf(HostStartupException.class)
          .hasMessageContaining("Expected the storage of task hub 'taskhub'")
          .hasMessageContaining("'taskhub.partitions' on " + first.bootstrapServers())
          .hasMessageContaining("Hosts of one task hub share its storage");
      assertThat(otherFolder.resolve("hubs").resolve("taskhub")).doesNotExist();
      assertThat(first.engine().runningPartitions()).hasSize(12);
    }
  }
}
