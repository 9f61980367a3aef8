package io.durabletask.kafka.engine.query;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/**
 * Merges the answers of all partitions to one listing request into one page.
 *
 * <p>Each partition gives its first matches after the same key, at most a page, and may stop early
 * to keep its answer small. Items after the last one of a partition that stopped early cannot go on
 * this page, since that partition may hold items before them. So the page is the first {@code
 * pageSize} items up to the smallest last key of the partitions that have more, and the next page
 * starts after the page's last item. Pages are never empty until the end, never repeat an item, and
 * together list every match.
 */
public final class PageMerger {
  private PageMerger() {}

  public static <T> QueryPage<T> merge(
      List<PartitionPage<T>> answers, int pageSize, Function<T, QueryKey> keyOf) {
    QueryKey bound = boundOf(answers, keyOf);
    Comparator<T> order = Comparator.comparing(keyOf);
    List<T> candidates = new ArrayList<>();
    boolean anyMore = false;
    for (PartitionPage<T> answer : answers) {
      anyMore |= answer.hasMore();
      for (T item : answer.items()) {
        if (bound == null || keyOf.apply(item).compareTo(bound) <= 0) {
          candidates.add(item);
        }
      }
    }
    candidates.sort(order);
    List<T> page = List.copyOf(candidates.subList(0, Math.min(pageSize, candidates.size())));
    boolean more = anyMore || candidates.size() > page.size();
    QueryKey next = more && !page.isEmpty() ? keyOf.apply(page.get(page.size() - 1)) : null;
    return new QueryPage<>(page, next);
  }

  /** The smallest last key among the partitions that have more; null when none has. */
  private static <T> QueryKey boundOf(List<PartitionPage<T>> answers, Function<T, QueryKey> keyOf) {
    QueryKey bound = null;
    for (PartitionPage<T> answer : answers) {
      if (answer.hasMore() && !answer.items().isEmpty()) {
        QueryKey last = keyOf.apply(answer.items().get(answer.items().size() - 1));
        if (bound == null || last.compareTo(bound) < 0) {
          bound = last;
        }
      }
    }
    return bound;
  }
}
