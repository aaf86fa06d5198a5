package dev.nonroot.engine.plan;

import dev.nonroot.engine.model.ObjectRef;

/**
 * Something about a workload that the policy objects to. {@code fix} is the change that resolves
 * it, or null when the engine deliberately leaves it (the message says why).
 */
public record Finding(ObjectRef target, String container, Rule rule, String message, Change fix) {
  public boolean fixable() {
    return fix != null;
  }
}
