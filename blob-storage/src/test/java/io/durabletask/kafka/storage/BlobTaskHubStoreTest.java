package io.durabletask.kafka.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.durabletask.kafka.engine.storage.StorageException;
import io.durabletask.kafka.engine.storage.TaskHubInfo;
import io.durabletask.kafka.engine.storage.TaskHubMismatchException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlobTaskHubStoreTest {
  @TempDir Path root;

  @Test
  void shouldCreateTheTaskHubAndFindItAgain() throws IOException {
    // given
    TaskHubInfo created;
    try (BlobTaskHubStore store = localStore()) {
      created = store.createOrCheck("orders", 4);
    }

    // when
    TaskHubInfo found;
    try (BlobTaskHubStore store = localStore()) {
      found = store.createOrCheck("orders", 4);
    }

    // then
    assertThat(found).isEqualTo(created);
    assertThat(found.formatVersion()).isEqualTo(1);
    assertThat(found.hubId()).isNotBlank();
    assertThat(Files.readString(taskHubJson()))
        .contains("\"name\" : \"orders\"", "\"partitionCount\" : 4", "\"createdTime\"");
  }

  @Test
  void shouldRefuseAnotherPartitionCountAndChangeNothing() throws IOException {
    // given
    try (BlobTaskHubStore store = localStore()) {
      store.createOrCheck("orders", 4);
    }
    byte[] before = Files.readAllBytes(taskHubJson());

    // when / then
    try (BlobTaskHubStore store = localStore()) {
      assertThatThrownBy(() -> store.createOrCheck("orders", 8))
          .isInstanceOf(TaskHubMismatchException.class)
          .hasMessageStartingWith(
              "Expected task hub 'orders' in folder "
                  + root.resolve("orders")
                  + " to have 8 partitions, but it has 4.");
    }
    assertThat(Files.readAllBytes(taskHubJson())).isEqualTo(before);
  }

  @Test
  void shouldGiveAClearErrorWhenTheFolderIsNotWritable() throws IOException {
    // given
    Path readOnly = Files.createDirectory(root.resolve("read-only"));
    Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("r-xr-xr-x"));
    assumeFalse(Files.isWritable(readOnly), "chmod has no effect for this user (root)");

    // when / then
    try (BlobTaskHubStore store = BlobTaskHubStore.local(readOnly, BlobStorageOptions.defaults())) {
      assertThatThrownBy(() -> store.createOrCheck("orders", 4))
          .isInstanceOf(StorageException.class)
          .hasMessageContaining(readOnly.resolve("orders").toString())
          .hasMessageContaining("write access");
    }
  }

  @Test
  void shouldGiveAClearErrorWhenTheRootIsAFile() throws IOException {
    // given
    Path file = Files.writeString(root.resolve("not-a-folder"), "x");

    // when / then
    try (BlobTaskHubStore store = BlobTaskHubStore.local(file, BlobStorageOptions.defaults())) {
      assertThatThrownBy(() -> store.createOrCheck("orders", 4))
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("Expected to create and write files in the folder " + file)
          .hasMessageContaining("configure another data folder");
    }
  }

  @Test
  void shouldRefusePartitionDataWithoutTaskHubJson() throws IOException {
    // given
    Files.createDirectories(root.resolve("orders").resolve("p00"));
    Files.writeString(root.resolve("orders").resolve("p00").resolve("pointer"), "old");

    // when / then
    try (BlobTaskHubStore store = localStore()) {
      assertThatThrownBy(() -> store.createOrCheck("orders", 4))
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("found p00/pointer without a taskhub.json");
    }
    assertThat(taskHubJson()).doesNotExist();
  }

  @Test
  void shouldRefusePartitionsOutsideTheHub() {
    // given
    try (BlobTaskHubStore store = localStore()) {
      store.createOrCheck("orders", 4);

      // when / then
      assertThatThrownBy(() -> store.partition(4))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("Expected a partition from 0 to 3, but got 4");
    }
  }

  private BlobTaskHubStore localStore() {
    return BlobTaskHubStore.local(root, BlobStorageOptions.defaults());
  }

  private Path taskHubJson() {
    return root.resolve("orders").resolve("taskhub.json");
  }
}
