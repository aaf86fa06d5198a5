package dev.nonroot.engine.rules;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nonroot.engine.model.FieldPath;
import dev.nonroot.engine.model.ObjectRef;
import dev.nonroot.engine.model.Trees;
import dev.nonroot.engine.plan.Change;
import dev.nonroot.engine.plan.Finding;
import dev.nonroot.engine.plan.Rule;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Collects the changes and findings of one evaluation, in the order the rules produce them. */
final class PlanBuilder {
  private final ObjectRef target;
  private final JsonNode root;
  private final List<Change> changes = new ArrayList<>();
  private final List<Change> serviceChanges = new ArrayList<>();
  private final List<Finding> findings = new ArrayList<>();

  PlanBuilder(ObjectRef target, JsonNode root) {
    this.target = target;
    this.root = root;
  }

  ObjectRef target() {
    return target;
  }

  void change(
      FieldPath path,
      JsonNode oldValue,
      JsonNode newValue,
      Rule rule,
      String container,
      String reason) {
    FieldPath blocker = wrongTypedAncestor(path);
    if (blocker != null) {
      // A malformed object (e.g. capabilities: "x" or []): the API server would refuse it anyway;
      // say so.
      unfixable(
          container,
          rule,
          blocker,
          reason
              + "; not fixed: "
              + blocker.display()
              + " is "
              + Trees.valueAt(root, blocker).getNodeType().name().toLowerCase(Locale.ROOT)
              + ", not "
              + (expectsList(path, blocker) ? "a list" : "an object"));
      return;
    }
    Change c = new Change(target, path, container, oldValue, newValue, rule, reason);
    changes.add(c);
    findings.add(new Finding(target, container, rule, reason, c));
  }

  /** Whether a change to path can be written (no ancestor of the wrong type is in the way). */
  boolean writable(FieldPath path) {
    return wrongTypedAncestor(path) == null;
  }

  /**
   * The value at path as the workload will have it once this plan is applied: the last change to
   * exactly that path, else what is there now (null: absent).
   */
  JsonNode planned(FieldPath path) {
    for (int i = changes.size() - 1; i >= 0; i--) {
      Change c = changes.get(i);
      if (c.path().equals(path)) return c.newValue();
    }
    return Trees.valueAt(root, path);
  }

  void serviceChange(
      ObjectRef service, FieldPath path, JsonNode oldValue, JsonNode newValue, String reason) {
    Change c = new Change(service, path, null, oldValue, newValue, Rule.ServiceTargetPort, reason);
    serviceChanges.add(c);
    findings.add(new Finding(service, null, Rule.ServiceTargetPort, reason, c));
  }

  void unfixable(String container, Rule rule, String message) {
    findings.add(new Finding(target, container, rule, message, null));
  }

  /** An unfixable finding about the field at {@code at}. */
  void unfixable(String container, Rule rule, FieldPath at, String message) {
    findings.add(new Finding(target, container, rule, message, null, at));
  }

  /**
   * The nearest existing ancestor of path whose type does not fit the segment below it (an object
   * where a list index follows, anything but an object where a key follows), or null when the path
   * can be written.
   */
  private FieldPath wrongTypedAncestor(FieldPath path) {
    List<FieldPath> chain = new ArrayList<>();
    for (FieldPath p = path; !p.isRoot(); p = p.parent()) chain.add(0, p);
    for (int i = 0; i + 1 < chain.size(); i++) {
      JsonNode n = Trees.valueAt(root, chain.get(i));
      if (n == null) return null;
      if (chain.get(i + 1).lastIsIndex() ? !n.isArray() : !n.isObject()) return chain.get(i);
    }
    return null;
  }

  private static boolean expectsList(FieldPath path, FieldPath ancestor) {
    FieldPath child = path;
    while (!child.parent().equals(ancestor)) child = child.parent();
    return child.lastIsIndex();
  }

  List<Change> changes() {
    return changes;
  }

  List<Change> serviceChanges() {
    return serviceChanges;
  }

  List<Finding> findings() {
    return findings;
  }
}
