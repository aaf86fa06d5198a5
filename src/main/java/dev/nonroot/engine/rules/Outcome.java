package dev.nonroot.engine.rules;

/** What the engine concluded about one matched workload. */
public enum Outcome {
  /** Skipped through the nonroot.dev/exempt annotation on it or its Namespace. */
  Exempt,
  /** Nothing to fix and nothing objected to. */
  Compliant,
  /** The plan has changes. */
  NonCompliant,
  /** Left unchanged: it shows a legitimate need for root and the policy says Report. */
  NeedsRoot,
  /**
   * Findings remain that the engine cannot fix (port collisions, host network); nothing else to do.
   */
  Unresolved
}
