package io.durabletask.kafka.engine.storage.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.durabletask.kafka.engine.storage.Bytes;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InMemoryStateStoreTest {
  private final InMemoryStateStore store = new InMemoryStateStore();

  @Test
  void shouldScanKeysInUnsignedOrder() {
    // given
    store.write(
        puts(key('k', 0x7f), "low", key('k', 0x80), "high", key('j'), "other"), List.of(), 1);

    // when
    List<String> values = new ArrayList<>();
    store.scan(key('k'), (k, v) -> values.add(text(v)));

    // then
    assertThat(values).containsExactly("low", "high");
  }

  @Test
  void shouldDeletePrefixesBeforePuts() {
    // given
    store.write(puts(key('h', 1), "old", key('h', 2), "old", key('i'), "kept"), List.of(), 1);

    // when
    store.write(puts(key('h', 1), "new"), List.of(key('h')), 2);

    // then
    assertThat(text(store.get(key('h', 1)))).isEqualTo("new");
    assertThat(store.get(key('h', 2))).isNull();
    assertThat(text(store.get(key('i')))).isEqualTo("kept");
    assertThat(store.position()).isEqualTo(2);
  }

  @Test
  void shouldDeleteAKeyPutWithANullValue() {
    // given
    store.write(puts(key('a'), "value"), List.of(), 1);
    Map<Bytes, byte[]> delete = new HashMap<>();
    delete.put(new Bytes(key('a')), null);

    // when
    store.write(delete, List.of(), 2);

    // then
    assertThat(store.get(key('a'))).isNull();
    assertThat(store.contents()).isEmpty();
  }

  @Test
  void shouldKeepACopyIndependentOfTheOriginal() {
    // given
    store.write(puts(key('a'), "before"), List.of(), 3);
    InMemoryStateStore copy = store.copy();

    // when
    store.write(puts(key('a'), "after"), List.of(), 4);

    // then
    assertThat(text(copy.get(key('a')))).isEqualTo("before");
    assertThat(copy.position()).isEqualTo(3);
  }

  @Test
  void shouldRefuseABatchAtAnEarlierPosition() {
    // given
    store.write(puts(key('a'), "value"), List.of(), 5);

    // when / then
    assertThatThrownBy(() -> store.write(puts(key('a'), "older"), List.of(), 4))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("position 5");
  }

  private static byte[] key(char prefix, int... suffix) {
    byte[] key = new byte[1 + suffix.length];
    key[0] = (byte) prefix;
    for (int i = 0; i < suffix.length; i++) {
      key[i + 1] = (byte) suffix[i];
    }
    return key;
  }

  private static Map<Bytes, byte[]> puts(Object... keysAndValues) {
    Map<Bytes, byte[]> puts = new HashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      byte[] value = ((String) keysAndValues[i + 1]).getBytes(StandardCharsets.UTF_8);
      puts.put(new Bytes((byte[]) keysAndValues[i]), value);
    }
    return puts;
  }

  private static String text(byte[] value) {
    return new String(value, StandardCharsets.UTF_8);
  }
}
