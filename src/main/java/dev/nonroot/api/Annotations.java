package dev.nonroot.api;

/** Annotation and label keys that are part of the product's contract with users. */
public final class Annotations {
  /** "true" on a workload or its Namespace: no policy touches it. */
  public static final String EXEMPT = "nonroot.dev/exempt";

  /** JSON record of every field the operator changed on this object. */
  public static final String CHANGES = "nonroot.dev/changes";

  /**
   * JSON on a workload: the rollout the operator's last patch started and where it stands
   * (RollingOut, Verified, Unverified, Reverted, Failed), with the evidence. Removing it re-arms a
   * reverted remediation.
   */
  public static final String ROLLOUT = "nonroot.dev/rollout";

  /**
   * Pod template label the operator's patch sets: its value names the remediation, so the pods of
   * that rollout (and only those) can be listed while it is followed.
   */
  public static final String REMEDIATION_LABEL = "nonroot.dev/remediation";

  private Annotations() {}
}
