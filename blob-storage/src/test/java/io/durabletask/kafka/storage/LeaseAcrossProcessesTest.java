package io.durabletask.kafka.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.durabletask.kafka.engine.storage.PartitionOwnershipLostException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LeaseAcrossProcessesTest {
  private static final Duration LEASE = Duration.ofSeconds(30);

  @TempDir Path folder;

  @Test
  void shouldExcludeAnotherProcessUntilItLetsGo() throws Exception {
    // given
    Process holder = startHolder();
    try (LocalFilePageStore store = new LocalFilePageStore(folder)) {
      try (BufferedReader out = reader(holder)) {
        assertThat(out.readLine()).isEqualTo("held");

        // when / then
        assertThatThrownBy(() -> store.acquireLease("p00/lease", "parent", LEASE))
            .isInstanceOf(PartitionOwnershipLostException.class)
            .hasMessageContaining("another process on this machine holds it");
        holder.getOutputStream().close();
        assertThat(holder.waitFor(30, TimeUnit.SECONDS)).isTrue();
      }
      Lease lease = store.acquireLease("p00/lease", "parent", LEASE);
      assertThat(lease.ownerId()).isEqualTo("parent");
      lease.release();
    } finally {
      holder.destroy();
    }
  }

  private Process startHolder() throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ProcessBuilder(
            java,
            "-cp",
            System.getProperty("java.class.path"),
            LeaseHolder.class.getName(),
            folder.toString())
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
  }

  private static BufferedReader reader(Process process) {
    return new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
  }

  /** Holds the lease of partition 0 in the folder it is given until its standard input closes. */
  static final class LeaseHolder {
    public static void main(String[] args) throws IOException {
      try (LocalFilePageStore store = new LocalFilePageStore(Path.of(args[0]))) {
        Lease lease = store.acquireLease("p00/lease", "child", LEASE);
        System.out.println("held");
        System.out.flush();
        while (System.in.read() >= 0) {
          continue;
        }
        lease.release();
      }
    }
  }
}
