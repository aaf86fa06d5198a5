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
    List<String> dropped = strings(oldDrop);
    // Pod Security admission compares names exactly: "all" or "CAP_ALL" is not "ALL".
    List<String> missing =
        policy.dropCapabilities().stream().filter(d -> !dropped.contains(d)).toList();
    if (!missing.isEmpty()) {
      // What the engine writes is spelt canonically: the user's entries respelt, then the missing.
      Set<String> next = new LinkedHashSet<>();
      for (String d : dropped) next.add(Capabilities.normalize(d));
      next.addAll(missing);
      List<String> misspelt =
          dropped.stream().filter(d -> missing.contains(Capabilities.normalize(d))).toList();
      plan.change(
          dropPath,
          oldDrop,
          array(next),
          Rule.DropCapabilities,
          c.name(),
          "container "
              + c.name()
              + " does not drop "
              + String.join(", ", missing)
              + (misspelt.isEmpty() ? "" : misspelling(misspelt)));
    }

    FieldPath addPath = caps.key("add");
    JsonNode oldAdd = Trees.valueAt(root, addPath);
    Set<String> kept = new LinkedHashSet<>();
    List<String> removed = new ArrayList<>();
    List<String> misspelt = new ArrayList<>();
    for (String a : strings(oldAdd)) {
      String cap = Capabilities.normalize(a);
      boolean keep =
          policy.keepCapabilities().contains(cap) || (keepsLowPort && cap.equals(NET_BIND_SERVICE));
      if (!keep) {
        removed.add(a);
      } else {
        kept.add(cap);
        if (!a.equals(cap)) misspelt.add(a);
      }
    }
    if (!removed.isEmpty() || !misspelt.isEmpty()) {
      String reason =
          removed.isEmpty()
              ? "container " + c.name() + " adds " + String.join(", ", kept)
              : "container "
                  + c.name()
                  + " adds "
                  + String.join(", ", removed)
                  + (policy.keepCapabilities().isEmpty()
                      ? ""
                      : " (allowed: " + String.join(", ", policy.keepCapabilities()) + ")");
      plan.change(
          addPath,
          oldAdd,
          kept.isEmpty() ? null : array(kept),
          Rule.AddCapabilities,
          c.name(),
          reason + (misspelt.isEmpty() ? "" : misspelling(misspelt)));
    }
  }

  private static String misspelling(List<String> spelt) {
    return " (Pod Security admission compares names exactly and does not accept "
        + String.join(", ", spelt)
        + "; rewritten upper case without CAP_)";
  }

  private static ArrayNode array(Iterable<String> values) {
    ArrayNode out = JsonNodeFactory.instance.arrayNode();
    values.forEach(out::add);
    return out;
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
