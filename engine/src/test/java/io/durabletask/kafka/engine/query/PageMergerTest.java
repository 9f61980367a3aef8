package io.durabletask.kafka.engine.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class PageMergerTest {
  private static final Function<QueryKey, QueryKey> SAME = key -> key;

  @Test
  void shouldStopThePageAtThePartitionThatEndedItsAnswerEarly() {
    // given partition 0 stopped after time 20 (more follow); partition 1 gave everything
    PartitionPage<QueryKey> early = new PartitionPage<>(List.of(key(10, "a"), key(20, "b")), true);
    PartitionPage<QueryKey> full =
        new PartitionPage<>(List.of(key(15, "c"), key(20, "a"), key(25, "d")), false);

    // when
    QueryPage<QueryKey> page = PageMerger.merge(List.of(early, full), 10, SAME);

    // then
    assertThat(page.items())
        .containsExactly(key(10, "a"), key(15, "c"), key(20, "a"), key(20, "b"));
    assertThat(page.next()).isEqualTo(key(20, "b"));
  }

  @Test
  void shouldTakeThePageSizeAndContinueAfterTheLastItem() {
    // given
    PartitionPage<QueryKey> first = new PartitionPage<>(List.of(key(1, "a"), key(3, "c")), false);
    PartitionPage<QueryKey> second = new PartitionPage<>(List.of(key(2, "b")), false);

    // when
    QueryPage<QueryKey> page = PageMerger.merge(List.of(first, second), 2, SAME);
    QueryPage<QueryKey> last = PageMerger.merge(List.of(first, second), 3, SAME);

    // then
    assertThat(page.items()).containsExactly(key(1, "a"), key(2, "b"));
    assertThat(page.next()).isEqualTo(key(2, "b"));
    assertThat(last.items()).hasSize(3);
    assertThat(last.next()).isNull();
  }

  @Test
  void shouldGiveAnEmptyLastPageWhenNothingMatches() {
    // when
    QueryPage<QueryKey> page =
        PageMerger.merge(List.of(new PartitionPage<>(List.of(), false)), 5, SAME);

    // then
    assertThat(page.items()).isEmpty();
    assertThat(page.next()).isNull();
  }

  @Test
  void shouldReadBackTheTokensItMakesAndRefuseOthers() {
    // given
    QueryKey key = key(1_700_000_000_123L, "id/with/slashes-und-ümlaut");

    // when
    QueryKey read = QueryKey.fromToken(key.toToken());

    // then
    assertThat(read).isEqualTo(key);
    assertThatThrownBy(() -> QueryKey.fromToken("not-a-token"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Expected a continuation token");
    assertThatThrownBy(() -> QueryKey.fromToken("k1.%%%"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> QueryKey.fromToken("k1.bm9zbGFzaA"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static QueryKey key(long time, String instanceId) {
    return new QueryKey(time, instanceId);
  }
}
