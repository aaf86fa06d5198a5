package dev.nonroot.engine.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nonroot.engine.model.FieldPath;
import dev.nonroot.engine.model.Inventory;
import dev.nonroot.engine.model.Trees;
import dev.nonroot.engine.model.Workload;
import dev.nonroot.engine.plan.Rule;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Strategy Sysctl: keep the ports and let non-root processes bind them by lowering
 * net.ipv4.ip_unprivileged_port_start, a namespaced sysctl Kubernetes counts as safe.
 */
final class PortSysctl {
  static final String SYSCTL = "net.ipv4.ip_unprivileged_port_start";

  private PortSysctl() {}

  static void apply(
      Workload w, List<ContainerView> containers, Inventory inventory, PlanBuilder plan) {
    List<Integer> low = new ArrayList<>(PortRemapper.lowPorts(w.root(), containers));
    List<UndeclaredPorts.Port> undeclared = UndeclaredPorts.find(w, containers, inventory);
    undeclared.forEach(u -> low.add(u.port()));
    if (low.isEmpty()) return;
    int lowest = Collections.min(low);
    // A port only a probe or a Service names: say where it comes from.
    String evidence =
        undeclared.stream()
            .filter(u -> u.port() == lowest)
            .findFirst()
            .filter(u -> !PortRemapper.lowPorts(w.root(), containers).contains(lowest))
            .map(u -> " (" + u.source() + "; no containerPort declares it)")
            .orElse("");
    if (w.podSpec().path("hostNetwork").asBoolean(false)) {
      plan.unfixable(
          null,
          Rule.PortSysctl,
          "pod uses the host network, where " + SYSCTL + " cannot be set per pod");
      return;
    }
    set(
        w,
        lowest,
        "pod binds port "
            + lowest
            + " below 1024"
            + evidence
            + "; "
            + SYSCTL
            + "="
            + lowest
            + " lets a non-root user bind it",
        plan);
  }

  /**
   * Sets the pod's net.ipv4.ip_unprivileged_port_start to {@code lowest}, other sysctls kept; an
   * existing value at or below it is kept.
   */
  static void set(Workload w, int lowest, String reason, PlanBuilder plan) {
    FieldPath path = w.podSpecPath().key("securityContext").key("sysctls");
    JsonNode old = Trees.valueAt(w.root(), path);
    ArrayNode next = JsonNodeFactory.instance.arrayNode();
    boolean found = false;
    if (old != null && old.isArray()) {
      for (JsonNode s : old) {
        if (SYSCTL.equals(s.path("name").asText())) {
          found = true;
          Integer current = Trees.intValue(s.get("value"));
          if (current != null && current <= lowest) return;
          next.add(entry(lowest));
        } else {
          next.add(s);
        }
      }
    }
    if (!found) next.add(entry(lowest));
    plan.change(path, old, next, Rule.PortSysctl, null, reason);
  }

  /** The pod's net.ipv4.ip_unprivileged_port_start, when it sets one. */
  static Integer current(Workload w) {
    JsonNode sysctls = w.podSpec().path("securityContext").path("sysctls");
    for (JsonNode s : sysctls) {
      if (SYSCTL.equals(s.path("name").asText())) return Trees.intValue(s.get("value"));
    }
    return null;
  }

  private static ObjectNode entry(int value) {
    return JsonNodeFactory.instance
        .objectNode()
        .put("name", SYSCTL)
        .put("value", Integer.toString(value));
  }
}
