package io.durabletask.kafka.storage;

import static io.durabletask.kafka.storage.TestPartition.bytes;
import static io.durabletask.kafka.storage.TestPartition.text;
import static org.assertj.core.api.Assertions.assertThat;

import io.durabletask.kafka.engine.storage.Bytes;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RocksDbStateStoreTest {
  @TempDir Path folder;

  @Test
  void shouldApplyPrefixDeletesBeforePutsInOneBatch() {
    try (RocksDbStateStore store = RocksDbStateStore.open(folder)) {
      // given
      store.write(puts("inst/a", "1", "inst/b", "2", "other", "3"), List.of(), 1);

      // when
      store.write(puts("inst/b", "new"), List.of(bytes("inst/")), 2);

      // then
      assertThat(keys(store, "")).containsExactly("inst/b", "other");
      assertThat(text(store.get(bytes("inst/b")))).isEqualTo("new");
      assertThat(store.position()).isEqualTo(2);
    }
  }

  @Test
  void shouldDeleteByPrefixEndingInFf() {
    try (RocksDbStateStore store = RocksDbStateStore.open(folder)) {
      // given
      byte[] prefix = {'k', (byte) 0xFF};
      Map<Bytes, byte[]> puts = new LinkedHashMap<>();
      puts.put(new Bytes(new byte[] {'k', (byte) 0xFF, 1}), bytes("in"));
      puts.put(new Bytes(new byte[] {'k', (byte) 0xFF, (byte) 0xFF}), bytes("in"));
      puts.put(new Bytes(new byte[] {'l'}), bytes("out"));
      store.write(puts, List.of(), 1);

      // when
      store.write(Map.of(), List.of(prefix), 2);

      // then
      assertThat(keys(store, "")).containsExactly("l");
    }
  }

  @Test
  void shouldDeleteKeysWithANullValue() {
    try (RocksDbStateStore store = RocksDbStateStore.open(folder)) {
      // given
      store.write(puts("a", "1"), List.of(), 1);

      // when
      Map<Bytes, byte[]> delete = new LinkedHashMap<>();
      delete.put(new Bytes(bytes("a")), null);
      store.write(delete, List.of(), 2);

      // then
      assertThat(store.get(bytes("a"))).isNull();
    }
  }

  @Test
  void shouldKeepPositionAndHubIdAcrossReopen() {
    // given
    try (RocksDbStateStore store = RocksDbStateStore.open(folder)) {
      store.stamp("hub-1", 0);
      store.write(puts("a", "1"), List.of(), 7);
    }

    // when
    try (RocksDbStateStore reopened = RocksDbStateStore.open(folder)) {

      // then
      assertThat(reopened.position()).isEqualTo(7);
      assertThat(reopened.hubId()).isEqualTo("hub-1");
      assertThat(keys(reopened, "")).containsExactly("a");
    }
  }

  @Test
  void shouldNotShowLaterWritesInASnapshot() {
    try (RocksDbStateStore store = RocksDbStateStore.open(folder)) {
      // given
      store.stamp("hub-1", 0);
      store.write(puts("a", "1"), List.of(), 1);

      // when
      List<String> seen = new ArrayList<>();
      try (RocksDbStateStore.StateSnapshot snapshot = store.snapshot()) {
        store.write(puts("b", "2"), List.of(bytes("a")), 2);
        snapshot.forEach((key, value) -> seen.add(text(key) + "=" + text(value)));
      }

      // then
      assertThat(seen).containsExactly("a=1");
    }
  }

  private static Map<Bytes, byte[]> puts(String... keysAndValues) {
    Map<Bytes, byte[]> puts = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      puts.put(new Bytes(bytes(keysAndValues[i])), bytes(keysAndValues[i + 1]));
    }
    return puts;
  }

  private static List<String> keys(RocksDbStateStore store, String prefix) {
    List<String> keys = new ArrayList<>();
    store.scan(bytes(prefix), (key, value) -> keys.add(text(key)));
    return keys;
  }
}
