package dev.nonroot.api;

/** Enforce patches workloads; Audit only records what it would patch. */
public enum PolicyMode {
  Enforce,
  Audit
}
