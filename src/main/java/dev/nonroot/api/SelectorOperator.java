package dev.nonroot.api;

/** The operators of a metav1.LabelSelectorRequirement, exactly as Kubernetes spells them. */
public enum SelectorOperator {
  In,
  NotIn,
  Exists,
  DoesNotExist
}
