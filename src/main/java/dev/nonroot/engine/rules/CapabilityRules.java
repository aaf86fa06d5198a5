package dev.nonroot.engine.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.nonroot.engine.model.FieldPath;
import dev.nonroot.engine.model.Trees;
import dev.nonroot.engine.plan.Rule;
import dev.nonroot.engine.policy.Capabilities;
import dev.nonroot.engine.policy.EffectivePolicy;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** capabilities.drop gets the policy's list; capabilities.add keeps only keepCapabilities. */
final class CapabilityRules {
  private CapabilityRules() {}

  static final String NET_BIND_SERVICE = "NET_BIND_SERVICE";

  /**
   * {@code keepsLowPort}: the container still binds a port below 1024, so NET_BIND_SERVICE stays.
   */
  static void apply(
      EffectivePolicy policy,
      JsonNode root,
      ContainerView c,
      boolean keepsLowPort,
      PlanBuilder plan) {
    FieldPath caps = c.securityContext().key("capabilities");
    FieldPath dropPath = caps.key("drop");
    JsonNode oldDrop = Trees.valueAt(root, dropPath);
    Set<String> dropped = new LinkedHashSet<>();
    for (String s : strings(oldDrop)) dropped.add(Capabilities.normalize(s));
    List<String> missing =
        policy.dropCapabilities().stream().filter(d -> !dropped.contains(d)).toList();
    if (!missing.isEmpty()) {
      ArrayNode next = JsonNodeFactory.instance.arrayNode();
      strings(oldDrop).forEach(next::add);
      missing.forEach(next::add);
      plan.change(
          dropPath,
          oldDrop,
          next,
          Rule.DropCapabilities,
          c.name(),
          "container " + c.name() + " does not drop " + String.join(", ", missing));
    }

    FieldPath addPath = caps.key("add");
    JsonNode oldAdd = Trees.valueAt(root, addPath);
    List<String> added = strings(oldAdd);
    List<String> kept = new ArrayList<>();
    List<String> removed = new ArrayList<>();
    for (String a : added) {
      String cap = Capabilities.normalize(a);
      boolean keep =
          policy.keepCapabilities().contains(cap) || (keepsLowPort && cap.equals(NET_BIND_SERVICE));
      (keep ? kept : removed).add(a);
    }
    if (!removed.isEmpty()) {
      ArrayNode next = null;
      if (!kept.isEmpty()) {
        next = JsonNodeFactory.instance.arrayNode();
        kept.forEach(next::add);
      }
      plan.change(
          addPath,
          oldAdd,
          next,
          Rule.AddCapabilities,
          c.name(),
          "container "
              + c.name()
              + " adds "
              + String.join(", ", removed)
              + (policy.keepCapabilities().isEmpty()
                  ? ""
                  : " (allowed: " + String.join(", ", policy.keepCapabilities()) + ")"));
    }
  }

  /** Whether SYS_ADMIN stays in capabilities.add after this policy's fixes. */
  static boolean keepsSysAdmin(EffectivePolicy policy, JsonNode root, ContainerView c) {
    return policy.keepCapabilities().contains("SYS_ADMIN") && added(root, c).contains("SYS_ADMIN");
  }

  /** The container's added capabilities, normalized. */
  static Set<String> added(JsonNode root, ContainerView c) {
    Set<String> out = new LinkedHashSet<>();
    for (String s :
        strings(Trees.valueAt(root, c.securityContext().key("capabilities").key("add")))) {
      out.add(Capabilities.normalize(s));
    }
    return out;
  }

  private static List<String> strings(JsonNode list) {
    List<String> out = new ArrayList<>();
    if (list != null && list.isArray()) list.forEach(n -> out.add(n.asText()));
    return out;
  }
}
