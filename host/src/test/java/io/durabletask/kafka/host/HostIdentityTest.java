package io.durabletask.kafka.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostIdentityTest {
  @TempDir Path root;

  @Test
  void shouldKeepTheIdOfAFolderAcrossRestarts() {
    // given
    Path dataDir = root.resolve("data");
    String first;
    try (HostIdentity identity = HostIdentity.claim(dataDir)) {
      first = identity.id();
    }

    // when
    try (HostIdentity restarted = HostIdentity.claim(dataDir)) {

      // then
      assertThat(restarted.id()).isEqualTo(first);
    }
  }

  @Test
  void shouldGiveHostsOnDifferentFoldersDifferentIds() {
    // given / when
    try (HostIdentity a = HostIdentity.claim(root.resolve("a"));
        HostIdentity b = HostIdentity.claim(root.resolve("b"))) {

      // then
      assertThat(a.id()).isNotEqualTo(b.id());
    }
  }

  @Test
  void shouldGiveRunningHostsThatShareAFolderIdsOfTheirOwn() {
    // given
    Path dataDir = root.resolve("shared");
    HostIdentity first = HostIdentity.claim(dataDir);
    String firstId = first.id();

    // when
    try (HostIdentity second = HostIdentity.claim(dataDir)) {
      first.close();

      // then
      assertThat(second.id()).isNotEqualTo(firstId);
      try (HostIdentity restartedFirst = HostIdentity.claim(dataDir)) {
        assertThat(restartedFirst.id()).isEqualTo(firstId);
      }
    }
  }

  @Test
  void shouldUseAnIdKafkaAcceptsAsGroupInstanceId() {
    // given / when
    try (HostIdentity identity = HostIdentity.claim(root.resolve("data"))) {

      // then
      assertThat(identity.id()).matches("[A-Za-z0-9._-]+");
    }
  }
}
