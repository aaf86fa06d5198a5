package dev.nonroot.api;

/** What to do with a workload that shows a legitimate reason to run as root. */
public enum NeedsRootAction {
  Report,
  Remediate
}
