package io.durabletask.kafka.samples;

import static org.assertj.core.api.Assertions.assertThat;

import io.durabletask.kafka.transport.EmbeddedKafkaBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A host started on a copy of another host's data folder joins the hosts group under the same id.
 * The host it replaces stops with a message and exit code 1, instead of running on without its
 * partitions.
 */
class CopiedDataFolderTest {
  @TempDir Path root;

  @Test
  void shouldStopTheHostWhoseIdAHostOnACopyOfItsFolderTook() {
    // given a folder, a copy of it, and the original's host running, all on one broker
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(root.resolve("kafka"))) {
      String bootstrap = broker.bootstrapServers();
      Path original = root.resolve("original");
      HostProcess.start(original, "--bootstrap-servers", bootstrap).close();
      Path copy = root.resolve("copy");
      copyFolder(original, copy);
      try (HostProcess first = HostProcess.start(original, "--bootstrap-servers", bootstrap)) {

        // when
        try (HostProcess second = HostProcess.start(copy, "--bootstrap-servers", bootstrap)) {

          // then
          HostProcess.Result ended = first.awaitExit(Duration.ofSeconds(60));
          assertThat(ended.exitCode()).isEqualTo(1);
          assertThat(ended.output())
              .contains("durabletask-kafka: Another host joined the hosts group")
              .contains("give each host a data folder of its own");
          assertThat(second.readLog()).doesNotContain("durabletask-kafka: ");
        }
      }
    }
  }

  private static void copyFolder(Path from, Path to) {
    try (Stream<Path> paths = Files.walk(from)) {
      paths.forEach(path -> copyEntry(path, to.resolve(from.relativize(path).toString())));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
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
