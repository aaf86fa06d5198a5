package dev.nonroot.api;

/** Annotation keys that are part of the product's contract with users. */
public final class Annotations {
  /** "true" on a workload or its Namespace: no policy touches it. */
  public static final String EXEMPT = "nonroot.dev/exempt";

  /** JSON record of every field the operator changed on this object. */
  public static final String CHANGES = "nonroot.dev/changes";

  private Annotations() {}
}
