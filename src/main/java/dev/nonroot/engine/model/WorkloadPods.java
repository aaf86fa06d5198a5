package dev.nonroot.engine.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * A workload as the Services in front of it see it: the labels its pods get, and the object that
 * controls it (a ReplicaSet's Deployment, a Pod's ReplicaSet), or null when nothing does. A port
 * move must know which other workloads a Service also sends that port to.
 */
public record WorkloadPods(ObjectRef ref, Map<String, String> podLabels, ObjectRef controller) {
  public WorkloadPods {
    podLabels = Map.copyOf(podLabels);
  }

  public static WorkloadPods of(Workload w) {
    return new WorkloadPods(w.ref(), w.podLabels(), controllerOf(w.root(), w.ref().namespace()));
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
