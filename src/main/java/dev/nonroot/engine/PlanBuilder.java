package dev.nonroot.engine;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** Collects the changes and findings of one evaluation, in the order the rules produce them. */
final class PlanBuilder {
  private final ObjectRef target;
  private final List<Change> changes = new ArrayList<>();
  private final List<Change> serviceChanges = new ArrayList<>();
  private final List<Finding> findings = new ArrayList<>();

  PlanBuilder(ObjectRef target) {
    this.target = target;
  }

  ObjectRef target() {
    return target;
  }

  void change(FieldPath path, JsonNode oldValue, JsonNode newValue, Rule rule, String container, String reason) {
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
