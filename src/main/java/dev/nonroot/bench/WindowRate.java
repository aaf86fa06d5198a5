package dev.nonroot.bench;

import java.util.Arrays;

/**
 * The most events seen in any window of a given length: for "at most one status write per second",
 * two writes 999 ms apart count as two in one second.
 */
final class WindowRate {
  private WindowRate() {}

  /** The largest number of {@code times} (nanoseconds, any order) within a half-open window. */
  static int maxInWindow(long[] times, long windowNanos) {
    long[] t = times.clone();
    Arrays.sort(t);
    int best = 0;
    int first = 0;
    for (int last = 0; last < t.length; last++) {
      while (t[last] - t[first] >= windowNanos) first++;
      best = Math.max(best, last - first + 1);
    }
    return best;
  }
}
