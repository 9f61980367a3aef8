package io.durabletask.kafka.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input at startup: a clear message, exit code 2, and nothing on disk overwritten. */
class HostStartupRefusalTest {
  @TempDir Path root;

  @Test
  void shouldRefuseAPortInUse() throws IOException {
    // given
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress("127.0.0.1", 0));
      String port = Integer.toString(taken.getLocalPort());

      // when
      HostProcess.Result result =
          HostProcess.runToExit(
              root.resolve("port.log"),
              "--data-dir",
              root.resolve("data").toString(),
              "--port",
              port);

      // then
      assertThat(result.exitCode()).isEqualTo(2);
      assertThat(result.output()).contains("port is in use").contains(port);
      assertThat(root.resolve("data")).doesNotExist();
    }
  }

  @Test
  void shouldRefuseAFolderOfAHubWithAnotherPartitionCount() throws IOException {
    // given a hub created with 12 partitions
    Path dataDir = root.resolve("data");
    HostProcess.start(dataDir).close();
    Path hubFile = dataDir.resolve("hubs").resolve("taskhub").resolve("taskhub.json");
    String before = Files.readString(hubFile);

    // when it is opened with 8
    HostProcess.Result result =
        HostProcess.runToExit(
            root.resolve("partitions.log"),
            "--data-dir",
            dataDir.toString(),
            "--port",
            Integer.toString(HostProcess.freePort()),
            "--partitions",
            "8");

    // then
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.output()).contains("12").contains("8").contains("partitions");
    assertThat(Files.readString(hubFile)).isEqualTo(before);
  }

  @Test
  void shouldRefuseAKafkaClusterItCannotReachBeforeCreatingTheTaskHub() {
    // given nothing listening at the bootstrap servers
    String servers = "127.0.0.1:" + HostProcess.freePort();
    Path dataDir = root.resolve("data");

    // when
    HostProcess.Result result =
        HostProcess.runToExit(
            root.resolve("kafka.log"),
            "--data-dir",
            dataDir.toString(),
            "--port",
            Integer.toString(HostProcess.freePort()),
            "--bootstrap-servers",
            servers);

    // then one message names the servers and what to check, and the folder it made is gone
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.output())
        .contains("durabletask-kafka: Expected the Kafka cluster at " + servers)
        .contains("Check that the brokers run")
        .doesNotContain("WARN");
    assertThat(dataDir).doesNotExist();
  }

  @Test
  void shouldRefuseADataFolderThatCannotBeWritten() throws IOException {
    // given a path below a regular file, which no user can create
    Path file = Files.writeString(root.resolve("a-file"), "not a folder");
    Path dataDir = file.resolve("data");

    // when
    HostProcess.Result result =
        HostProcess.runToExit(
            root.resolve("folder.log"),
            "--data-dir",
            dataDir.toString(),
            "--port",
            Integer.toString(HostProcess.freePort()));

    // then
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.output()).contains("to be writable").contains(dataDir.toString());
    assertThat(Files.readString(file)).isEqualTo("not a folder");
  }
}
