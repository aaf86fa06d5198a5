package dev.nonroot.api;

/**
 * What a policy does with a workload that Argo CD or Flux manages (recognised from their tracking
 * metadata): those tools put back every field Git declares, so a patch in the cluster starts a
 * fight the operator cannot win.
 */
public enum GitOpsMode {
  /** Leave it alone and record nothing: counted as exempt. */
  Skip,
  /** No patch; the workload is listed as WouldPatch, naming the application that owns it. */
  Report,
  /** Patch it like any other workload (the GitOps tool must be told to leave those fields). */
  Enforce
}
