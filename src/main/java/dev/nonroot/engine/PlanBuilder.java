package dev.nonroot.engine;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

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

  void change(FieldPath path, JsonNode oldValue, JsonNode newValue, Rule rule, String container, String reason) {
    FieldPath blocker = scalarAncestor(path);
    if (blocker != null) {
      // A malformed object (e.g. capabilities: "x"): the API server would refuse it anyway; say so.
      unfixable(container, rule, reason + "; not fixed: " + blocker.display() + " is "
          + Trees.valueAt(root, blocker).getNodeType().name().toLowerCase(java.util.Locale.ROOT)
          + ", not an object or list");
      return;
    }
    Change c = new Change(target, path, container, oldValue, newValue, rule, reason);
    changes.add(c);
    findings.add(new Finding(target, container, rule, reason, c));
  }

  void serviceChange(ObjectRef service, FieldPath path, JsonNode oldValue, JsonNode newValue, String reason) {
    Change c = new Change(service, path, null, oldValue, newValue, Rule.ServiceTargetPort, reason);
    serviceChanges.add(c);
    findings.add(new Finding(service, null, Rule.ServiceTargetPort, reason, c));
  }

  void unfixable(String container, Rule rule, String message) {
    findings.add(new Finding(target, container, rule, message, null));
  }

  /** The nearest existing ancestor of path that is a scalar, or null when the path can be written. */
  private FieldPath scalarAncestor(FieldPath path) {
    List<FieldPath> ancestors = new ArrayList<>();
    for (FieldPath p = path.parent(); !p.isRoot(); p = p.parent()) ancestors.add(0, p);
    for (FieldPath a : ancestors) {
      JsonNode n = Trees.valueAt(root, a);
      if (n == null) return null;
      if (!n.isContainerNode()) return a;
    }
    return null;
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
