package dev.nonroot.cli;

/** "1 workload", "2 workloads": counts in summaries read as sentences. */
final class Plural {
  private Plural() {}

  static String of(long n, String singular) {
    return n + " " + (n == 1 ? singular : singular + "s");
  }
}
