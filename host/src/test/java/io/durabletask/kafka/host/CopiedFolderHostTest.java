package io.durabletask.kafka.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.durabletask.kafka.transport.EmbeddedKafkaBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A copy of a data folder carries the host id along. The host that joins the hosts group under it
 * takes the place of the one already there, which stops serving and says why.
 */
class CopiedFolderHostTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  @TempDir Path root;

  @Test
  void shouldReportAHostWhoseIdACopyOfItsFolderTook() throws Exception {
    // given a stopped host's folder and a copy of it, on one broker
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(root.resolve("kafka"))) {
      Path original = root.resolve("original");
      Path copy = root.resolve("copy");
      HostConfig config =
          HostConfig.defaults(original).withPort(0).withBootstrapServers(broker.bootstrapServers());
      Host.start(config).close();
      copyFolder(original, copy);

      try (Host first = Host.start(config)) {
        // when a host starts on the copy
        try (Host second =
            Host.start(
                HostConfig.defaults(copy)
                    .withPort(0)
                    .withBootstrapServers(broker.bootstrapServers()))) {

          // then the first one hears that it was replaced, and gives up its partitions
          String reason = first.failure().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
          assertThat(reason)
              .contains("under this host's id")
              .contains(original.toAbsolutePath().resolve("host-ids").toString())
              .contains("give each host a data folder of its own");
          await().atMost(TIMEOUT).until(() -> first.engine().runningPartitions().isEmpty());
          assertThat(second.engine().runningPartitions()).hasSize(12);
          assertThat(second.failure()).isNotDone();
        }
      }
    }
  }

  private static void copyFolder(Path from, Path to) throws IOException {
    try (Stream<Path> paths = Files.walk(from)) {
      paths.forEach(path -> copyEntry(path, to.resolve(from.relativize(path).toString())));
    }
  }

  private static void copyEntry(Path from, Path to) {
    try {
      if (Files.isDirectory(from)) {
        Files.createDirectories(to);
      } else {
        Files.copy(from, to);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
