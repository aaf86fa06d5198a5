package dev.nonroot.engine.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * A workload as the Services in front of it see it: the labels its pods get, the object that
 * controls it (a ReplicaSet's Deployment, a Pod's ReplicaSet), or null when nothing does, and the
 * container ports its pods declare ("8080/TCP"). A port move must know which other workloads a
 * Service also sends that port to, and a restore which of them still listen on a moved one.
 */
public record WorkloadPods(
    ObjectRef ref, Map<String, String> podLabels, ObjectRef controller, Set<String> ports) {
  public WorkloadPods {
    podLabels = Map.copyOf(podLabels);
    ports = ports == null ? Set.of() : Set.copyOf(ports);
  }

  /** Without the ports its pods declare (none known). */
  public WorkloadPods(ObjectRef ref, Map<String, String> podLabels, ObjectRef controller) {
    this(ref, podLabels, controller, Set.of());
  }

  public static WorkloadPods of(Workload w) {
    return new WorkloadPods(
        w.ref(),
        w.podLabels(),
        controllerOf(w.root(), w.ref().namespace()),
        declaredPorts(w.podSpec()));
  }

  /** The container ports of a pod spec's containers and init containers, as "number/PROTOCOL". */
  public static Set<String> declaredPorts(JsonNode podSpec) {
    Set<String> out = new LinkedHashSet<>();
    for (String list : new String[] {"containers", "initContainers"}) {
      for (JsonNode c : podSpec.path(list)) {
        for (JsonNode p : c.path("ports")) {
          if (p.path("containerPort").canConvertToInt()) {
            out.add(port(p.path("containerPort").asInt(), p.path("protocol").asText("TCP")));
          }
        }
      }
    }
    return out;
  }

  /** How a port is named in {@link #ports}. */
  public static String port(int number, String protocol) {
    return number + "/" + (protocol == null || protocol.isEmpty() ? "TCP" : protocol);
  }

  /**
   * The owner reference marked {@code controller: true} of an object (owners live in the object's
   * own namespace), or null.
   */
  public static ObjectRef controllerOf(JsonNode root, String namespace) {
    for (JsonNode owner : root.path("metadata").path("ownerReferences")) {
      if (owner.path("controller").asBoolean(false)) {
        return new ObjectRef(
            owner.path("kind").asText(""), namespace, owner.path("name").asText(""));
      }
    }
    return null;
  }
}
