package dev.nonroot.engine.rules;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nonroot.engine.model.FieldPath;
import dev.nonroot.engine.plan.Rule;
import java.util.List;
import java.util.Locale;

/**
 * Declared ports the port rules cannot read. The API server refuses them, so only offline files
 * carry them; each becomes a finding naming the field, because a port that cannot be read cannot be
 * judged (it may be a low port the process binds), and ignoring it silently would call the
 * container fixed.
 */
final class MalformedPorts {
  private static final int MAX_PORT = 65535;

  private MalformedPorts() {}

  static void report(List<ContainerView> containers, PlanBuilder plan) {
    for (ContainerView c : containers) {
      JsonNode ports = c.node().get("ports");
      if (ports == null || ports.isNull()) continue;
      FieldPath list = c.path().key("ports");
      if (!ports.isArray()) {
        plan.unfixable(
            c.name(),
            Rule.ContainerPort,
            list,
            list.display() + " is " + type(ports) + ", not a list" + REFUSED);
        continue;
      }
      for (int i = 0; i < ports.size(); i++) {
        JsonNode item = ports.get(i);
        FieldPath at = list.index(i, null);
        if (!item.isObject()) {
          plan.unfixable(
              c.name(),
              Rule.ContainerPort,
              at,
              at.display() + " is " + type(item) + ", not an object" + REFUSED);
          continue;
        }
        JsonNode port = item.get("containerPort");
        String problem = problem(port);
        if (problem != null) {
          plan.unfixable(
              c.name(),
              Rule.ContainerPort,
              at.key("containerPort"),
              at.key("containerPort").display() + " " + problem + REFUSED);
        }
      }
    }
  }

  private static final String REFUSED =
      ": the API server refuses it, and the port the container binds cannot be judged";

  /** What is wrong with a containerPort value, or null when it is a port number. */
  private static String problem(JsonNode port) {
    if (port == null || port.isNull()) return "is missing";
    if (port.isIntegralNumber()) {
      // asLong() of a number past a long wraps around: compare exactly.
      if (port.canConvertToInt() && port.asInt() >= 1 && port.asInt() <= MAX_PORT) return null;
      return "is " + port.asText() + ", outside 1-" + MAX_PORT;
    }
    // A quoted number is read as the number it spells: fix writes it back as one.
    if (port.isTextual() && port.asText().matches("[0-9]{1,5}")) {
      int v = Integer.parseInt(port.asText());
      return v >= 1 && v <= MAX_PORT ? null : "is " + v + ", outside 1-" + MAX_PORT;
    }
    if (port.isTextual() && port.asText().matches("[0-9]{6,}")) {
      return "is \"" + port.asText() + "\", outside 1-" + MAX_PORT;
    }
    return "is "
        + (port.isTextual()
            ? "\"" + port.asText() + "\""
            : port.isNumber() || port.isBoolean() ? port.asText() : type(port))
        + ", not a port number";
  }

  private static String type(JsonNode n) {
    return n.getNodeType().name().toLowerCase(Locale.ROOT);
  }
}
