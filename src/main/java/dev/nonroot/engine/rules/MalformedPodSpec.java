package dev.nonroot.engine.rules;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nonroot.engine.model.FieldPath;
import dev.nonroot.engine.model.Workload;
import dev.nonroot.engine.plan.Rule;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Pod template fields the rules read but cannot: a container list that is missing, empty or not a
 * list, a container that is not an object or has no name, two containers with one name, a UID that
 * is not a number, a switch that is neither true nor false, env, args or capabilities that are not
 * lists. The API server refuses each, so only files and servers without a schema carry them; each
 * becomes a finding naming the field, because a rule that passed over it would call the workload
 * fixed (a runAsUser of "root" would count as a UID, capabilities.add: SYS_ADMIN as no capability).
 */
final class MalformedPodSpec {
  /**
   * Pods with more containers than this are not judged: no real pod comes near it, and the port
   * rules compare every container with every other, so thousands would hold a reconcile for
   * minutes.
   */
  static final int MAX_CONTAINERS = 200;

  private static final String REFUSED = ": the API server refuses it";
  private static final long MAX_ID = Integer.MAX_VALUE;

  private MalformedPodSpec() {}

  /** The reason the pod is too big to judge, or null. */
  static String tooManyContainers(Workload w) {
    int count = 0;
    for (String list : List.of("initContainers", "containers")) {
      JsonNode items = w.podSpec().path(list);
      if (items.isArray()) count += items.size();
    }
    if (count <= MAX_CONTAINERS) return null;
    return w.podSpecPath().key("containers").display()
        + " and initContainers hold "
        + count
        + " containers; pods of more than "
        + MAX_CONTAINERS
        + " are not judged (no real pod has that many): nothing is changed";
  }

  static void report(Workload w, PlanBuilder plan) {
    JsonNode pod = w.podSpec();
    FieldPath podPath = w.podSpecPath();
    containerList(pod, podPath, plan);
    Map<String, FieldPath> names = new HashMap<>();
    for (String list : List.of("initContainers", "containers")) {
      JsonNode items = pod.get(list);
      FieldPath listPath = podPath.key(list);
      if (items == null || items.isNull()) continue;
      if (!items.isArray()) {
        if (list.equals("initContainers")) {
          plan.unfixable(null, Rule.Malformed, listPath, notA(listPath, items, "a list"));
        }
        continue;
      }
      for (int i = 0; i < items.size(); i++) {
        JsonNode c = items.get(i);
        FieldPath at = listPath.index(i, null);
        if (!c.isObject()) {
          plan.unfixable(
              null,
              Rule.Malformed,
              at,
              notA(at, c, "an object") + ", so that container is not judged");
          continue;
        }
        container(c, at, names, plan);
      }
    }
    FieldPath sc = podPath.key("securityContext");
    uid(pod.path("securityContext").get("runAsUser"), sc.key("runAsUser"), null, plan);
    for (String flag : List.of("hostNetwork", "hostPID", "hostIPC")) {
      flag(pod.get(flag), podPath.key(flag), null, plan);
    }
  }

  /** A pod needs at least one container in a list. */
  private static void containerList(JsonNode pod, FieldPath podPath, PlanBuilder plan) {
    FieldPath at = podPath.key("containers");
    JsonNode containers = pod.get("containers");
    String problem;
    if (containers == null || containers.isNull() || containers.isArray() && containers.isEmpty()) {
      // Missing and empty are one mistake (and one to a client that leaves empty lists out).
      problem = at.display() + " lists no container: a pod needs at least one";
    } else if (!containers.isArray()) {
      problem = notA(at, containers, "a list");
    } else {
      return;
    }
    plan.unfixable(null, Rule.Malformed, at, problem + REFUSED);
  }

  private static void container(
      JsonNode c, FieldPath at, Map<String, FieldPath> names, PlanBuilder plan) {
    JsonNode nameNode = c.get("name");
    String name = nameNode != null && nameNode.isTextual() ? nameNode.asText() : "";
    FieldPath namePath = at.key("name");
    if (name.isEmpty()) {
      plan.unfixable(
          null,
          Rule.Malformed,
          namePath,
          namePath.display()
              + (nameNode == null || nameNode.isNull()
                  ? " is missing"
                  : " is " + describe(nameNode) + ", not a name")
              + REFUSED);
    } else {
      FieldPath first = names.putIfAbsent(name, namePath);
      if (first != null) {
        plan.unfixable(
            name,
            Rule.Malformed,
            namePath,
            namePath.display()
                + " \""
                + name
                + "\" is also the name of "
                + first.parent().display()
                + ": container names must be unique in a pod"
                + REFUSED);
      }
    }
    String label = name.isEmpty() ? null : name;
    for (String list : List.of("env", "args", "command")) {
      JsonNode value = c.get(list);
      if (value != null && !value.isNull() && !value.isArray()) {
        plan.unfixable(
            label,
            Rule.Malformed,
            at.key(list),
            notA(at.key(list), value, "a list")
                + ", so the listen settings in it cannot be read"
                + REFUSED);
      }
    }
    JsonNode sc = c.path("securityContext");
    FieldPath scPath = at.key("securityContext");
    uid(sc.get("runAsUser"), scPath.key("runAsUser"), label, plan);
    flag(sc.get("privileged"), scPath.key("privileged"), label, plan);
    JsonNode add = sc.path("capabilities").get("add");
    FieldPath addPath = scPath.key("capabilities").key("add");
    if (add != null && !add.isNull()) {
      if (!add.isArray()) {
        plan.unfixable(
            label,
            Rule.Malformed,
            addPath,
            notA(addPath, add, "a list")
                + ", so the capabilities it adds cannot be judged"
                + REFUSED);
      } else {
        for (int i = 0; i < add.size(); i++) {
          if (!add.get(i).isTextual()) {
            FieldPath item = addPath.index(i, null);
            plan.unfixable(
                label, Rule.Malformed, item, notA(item, add.get(i), "a capability name") + REFUSED);
          }
        }
      }
    }
  }

  /** A UID or GID: a whole number from 0 to 2^31-1 (a quoted one is read as the number). */
  private static void uid(JsonNode value, FieldPath at, String container, PlanBuilder plan) {
    if (value == null || value.isNull()) return;
    long v = -1;
    if (value.isIntegralNumber() && value.canConvertToLong()) v = value.asLong();
    else if (value.isTextual() && value.asText().matches("[0-9]{1,10}")) v = value.asLong();
    if (v >= 0 && v <= MAX_ID) return;
    plan.unfixable(
        container,
        Rule.Malformed,
        at,
        at.display()
            + " is "
            + describe(value)
            + ", not a UID (0 to "
            + MAX_ID
            + ")"
            + REFUSED
            + ", and the user the container runs as cannot be judged");
  }

  /** true or false (a quoted one is read as the value it spells). */
  private static void flag(JsonNode value, FieldPath at, String container, PlanBuilder plan) {
    if (value == null || value.isNull() || value.isBoolean()) return;
    if (value.isTextual() && (value.asText().equals("true") || value.asText().equals("false")))
      return;
    plan.unfixable(
        container,
        Rule.Malformed,
        at,
        at.display()
            + " is "
            + describe(value)
            + ", not true or false"
            + REFUSED
            + ", and the setting cannot be judged");
  }

  private static String notA(FieldPath at, JsonNode value, String expected) {
    return at.display() + " is " + describe(value) + ", not " + expected;
  }

  /** A value as a message shows it: short scalars as written, other values by their type. */
  private static String describe(JsonNode value) {
    if (value.isTextual()) {
      String s = value.asText();
      return "\"" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "\"";
    }
    if (value.isNumber() || value.isBoolean()) {
      String s = value.asText();
      return s.length() > 40 ? "a number of " + s.length() + " digits" : s;
    }
    if (value.isNull()) return "null";
    return "a" + (value.isArray() ? " list" : value.isObject() ? "n object" : " value");
  }
}
