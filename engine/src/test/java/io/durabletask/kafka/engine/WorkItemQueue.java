package io.durabletask.kafka.engine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Work items handed out by the engine, taken by tests in whatever order they choose. */
final class WorkItemQueue<T> {
  private final List<T> items = new ArrayList<>();

  synchronized void add(T item) {
    items.add(item);
    notifyAll();
  }

  /** Removes and returns the oldest item that matches, waiting up to {@code timeout}; or null. */
  synchronized T poll(Predicate<T> filter, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    T found = take(filter);
    while (found == null) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return null;
      }
      waitFor(left);
      found = take(filter);
    }
    return found;
  }

  synchronized void removeIf(Predicate<T> filter) {
    items.removeIf(filter);
  }

  synchronized List<T> snapshot() {
    return List.copyOf(items);
  }

  private T take(Predicate<T> filter) {
    Iterator<T> candidates = items.iterator();
    while (candidates.hasNext()) {
      T item = candidates.next();
      if (filter.test(item)) {
        candidates.remove();
        return item;
      }
    }
    return null;
  }

  private void waitFor(long nanos) {
    try {
      TimeUnit.NANOSECONDS.timedWait(this, nanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Expected to wait for a work item, but was interrupted", e);
    }
  }
}
