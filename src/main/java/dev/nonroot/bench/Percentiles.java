package dev.nonroot.bench;

import java.util.Arrays;
import java.util.List;

/** Nearest-rank percentiles of a sample: the value at or below which p percent of it lie. */
final class Percentiles {
  private final double[] sorted;

  Percentiles(double[] values) {
    this.sorted = values.clone();
    Arrays.sort(sorted);
  }

  static Percentiles of(List<Double> values) {
    return new Percentiles(values.stream().mapToDouble(Double::doubleValue).toArray());
  }

  int count() {
    return sorted.length;
  }

  /**
   * The nearest-rank p-th percentile (0 &lt; p ≤ 100): the smallest value with at least p percent
   * of the sample at or below it; NaN for an empty sample.
   */
  double at(double p) {
    if (p <= 0 || p > 100) throw new IllegalArgumentException("percentile out of (0, 100]: " + p);
    if (sorted.length == 0) return Double.NaN;
    int rank = (int) Math.ceil(p / 100 * sorted.length);
    return sorted[Math.max(0, rank - 1)];
  }

  double median() {
    return at(50);
  }

  double min() {
    return sorted.length == 0 ? Double.NaN : sorted[0];
  }

  double max() {
    return sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1];
  }
}
