package dev.nonroot.api;

/**
 * What happens to the workloads a policy changed when the policy is deleted, or when a workload
 * leaves its match.
 */
public enum OnDeleteMode {
  /** The changes stay: the workloads keep running as the policy left them. */
  Keep,
  /**
   * Every field the policy changed goes back to its recorded original, unless someone changed it
   * since; each restore is a rollout, budgeted and followed like a remediation.
   */
  Revert
}
