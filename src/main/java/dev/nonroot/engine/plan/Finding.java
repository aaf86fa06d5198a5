package dev.nonroot.engine.plan;

import dev.nonroot.engine.model.FieldPath;
import dev.nonroot.engine.model.ObjectRef;

/**
 * Something about a workload that the policy objects to. {@code fix} is the change that resolves
 * it, or null when the engine deliberately leaves it (the message says why). {@code at} is the
 * field it is about: the fix's, or the one an unfixable finding names (null when it names none), so
 * that a report can point at its line.
 */
public record Finding(
    ObjectRef target, String container, Rule rule, String message, Change fix, FieldPath at) {
  public Finding(ObjectRef target, String container, Rule rule, String message, Change fix) {
    this(target, container, rule, message, fix, fix == null ? null : fix.path());
  }

  public boolean fixable() {
    return fix != null;
  }
}
