package io.durabletask.kafka.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalLargeRecordStoreTest {

  @TempDir Path root;
  private final MutableClock clock = new MutableClock();

  @Test
  void shouldReadBackEveryValueUnderItsOwnKey() {
    // given
    LocalLargeRecordStore store = new LocalLargeRecordStore(root.resolve("large"), clock);
    byte[] first = randomBytes(5 * 1024 * 1024, 1);
    byte[] second = randomBytes(10, 2);

    // when
    String firstKey = store.put(first);
    String secondKey = store.put(second);

    // then
    assertThat(firstKey).isNotEqualTo(secondKey).startsWith("2023-11-14/1700000000000-");
    assertThat(store.get(firstKey)).hasValueSatisfying(v -> assertThat(v).isEqualTo(first));
    assertThat(store.get(secondKey)).hasValueSatisfying(v -> assertThat(v).isEqualTo(second));
  }

  @Test
  void shouldReadTheValuesOfAnotherStoreOnTheSameFolder() {
    // given
    String key = LocalLargeRecordStore.forHub(root, "orders").put(randomBytes(100, 3));

    // when
    LocalLargeRecordStore reopened = LocalLargeRecordStore.forHub(root, "orders");

    // then
    assertThat(reopened.get(key)).hasValueSatisfying(v -> assertThat(v).hasSize(100));
    assertThat(root.resolve("orders").resolve("large").resolve(key)).isRegularFile();
  }

  @Test
  void shouldLeaveOnlyTheValueFileBehindAfterAPut() {
    // given
    LocalLargeRecordStore store = new LocalLargeRecordStore(root, clock);

    // when
    String key = store.put(randomBytes(1000, 4));

    // then
    assertThat(filesUnder(root)).containsExactly(root.resolve(key));
  }

  @Test
  void shouldAnswerEmptyForADeletedValue() {
    // given
    LocalLargeRecordStore store = new LocalLargeRecordStore(root, clock);
    String key = store.put(randomBytes(1000, 5));

    // when
    store.delete(key);

    // then
    assertThat(store.get(key)).isEmpty();
  }

  @Test
  void shouldRefuseKeysItDoesNotHandOut() {
    // given
    LocalLargeRecordStore store = new LocalLargeRecordStore(root.resolve("large"), clock);

    // when / then
    for (String key : List.of("../taskhub.json", "2023-11-14/../../x", "", "p00/lease")) {
      assertThatThrownBy(() -> store.get(key))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("Expected a large-record key");
    }
  }

  @Test
  void shouldDeleteOnlyValuesPutBeforeTheCutoff() {
    // given
    LocalLargeRecordStore store = new LocalLargeRecordStore(root, clock);
    String old = store.put(randomBytes(100, 6));
    clock.advance(Duration.ofDays(8));
    String recent = store.put(randomBytes(100, 7));

    // when
    int deleted = store.deleteOlderThan(clock.instant().minus(Duration.ofDays(7)));

    // then
    assertThat(deleted).isEqualTo(1);
    assertThat(store.get(old)).isEmpty();
    assertThat(store.get(recent)).isPresent();
    assertThat(root.resolve(old).getParent()).doesNotExist();
  }

  @Test
  void shouldKeepValuesOfTheCutoffDayThatAreYoungerThanTheCutoff() {
    // given
    LocalLargeRecordStore store = new LocalLargeRecordStore(root, clock);
    String older = store.put(randomBytes(100, 8));
    clock.advance(Duration.ofMinutes(10));
    String younger = store.put(randomBytes(100, 9));

    // when
    int deleted = store.deleteOlderThan(clock.instant().minus(Duration.ofMinutes(5)));

    // then
    assertThat(deleted).isEqualTo(1);
    assertThat(store.get(older)).isEmpty();
    assertThat(store.get(younger)).isPresent();
  }

  @Test
  void shouldDeleteNothingWhenNothingWasEverPut() {
    // given
    LocalLargeRecordStore store = new LocalLargeRecordStore(root.resolve("never"), clock);

    // when
    int deleted = store.deleteOlderThan(clock.instant());

    // then
    assertThat(deleted).isZero();
  }

  private static List<Path> filesUnder(Path folder) {
    try (Stream<Path> files = Files.walk(folder)) {
      return files.filter(Files::isRegularFile).toList();
    } catch (IOException e) {
      throw new IllegalStateException("Expected to list " + folder + ", but: " + e, e);
    }
  }

  private static byte[] randomBytes(int length, long seed) {
    byte[] bytes = new byte[length];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }
}
