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

  /** The shortest time between two of {@code times}, or -1 with fewer than two. */
  static long minGap(long[] times) {
    long[] t = times.clone();
    Arrays.sort(t);
    long min = -1;
    for (int i = 1; i < t.length; i++) {
      long gap = t[i] - t[i - 1];
      if (min < 0 || gap < min) min = gap;
    }
    return min;
  }
}
