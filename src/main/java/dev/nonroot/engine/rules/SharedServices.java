package dev.nonroot.engine.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nonroot.engine.model.Inventory;
import dev.nonroot.engine.model.ObjectRef;
import dev.nonroot.engine.model.Trees;
import dev.nonroot.engine.model.Workload;
import dev.nonroot.engine.model.WorkloadPods;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Services in front of this workload and another one. A Service has one targetPort for every pod it
 * selects: moving it for this workload's port move would cut the other workload off (or, moved back
 * by the other's policy, this one). Until all of them can move together, such a port does not move
 * at all, whatever the order workloads are evaluated in.
 */
public final class SharedServices {
  /** A low port that stays, and why. */
  record Kept(int port, String reason) {}

  private SharedServices() {}

  /**
   * The ports among {@code moving} (keys "80/TCP") that a Service selecting this workload's pods
   * sends to by number (numeric or implicit targetPort) while also selecting the pods of another
   * workload, one entry per port, in Service order. Named targetPorts follow the port's name and
   * never block a move.
   */
  static List<Kept> keptPorts(Workload w, Inventory inventory, Set<String> moving) {
    List<Kept> out = new ArrayList<>();
    if (moving.isEmpty()) return out;
    Set<String> seen = new HashSet<>();
    for (ObjectNode svc : PortReferences.selectingServices(w, inventory)) {
      for (JsonNode sp : svc.path("spec").path("ports")) {
        Integer port = PortReferences.numericTarget(sp);
        if (port == null) continue;
        String key = port + "/" + sp.path("protocol").asText("TCP");
        if (!moving.contains(key) || seen.contains(key)) continue;
        List<ObjectRef> behind = others(svc, w, inventory);
        if (behind.isEmpty()) continue;
        seen.add(key);
        out.add(new Kept(port, reason(svc, port, behind)));
      }
    }
    return out;
  }

  private static String reason(ObjectNode svc, int port, List<ObjectRef> behind) {
    JsonNode meta = svc.path("metadata");
    String ns = meta.path("namespace").asText("");
    ObjectRef first = behind.get(0);
    return "Service "
        + (ns.isEmpty() ? "" : ns + "/")
        + meta.path("name").asText("")
        + " also sends port "
        + port
        + " to "
        + first.kind()
        + " "
        + (first.namespace().isEmpty() ? "" : first.namespace() + "/")
        + first.name()
        + (behind.size() > 1 ? " and " + (behind.size() - 1) + " more workload(s)" : "")
        + ": moving it would cut that workload off";
  }

  /**
   * The workloads whose pods the Service selects, other than {@code w} and the objects of its own
   * lineage (its ReplicaSets and Pods, or the Deployment that controls it), as the inventory has
   * them: what else a change of the Service's targetPort would reach.
   */
  public static List<WorkloadPods> sharing(ObjectNode svc, Workload w, Inventory inventory) {
    return List.copyOf(ownersOfOthers(svc, w, inventory).keySet());
  }

  /** The same workloads, each named once by its owner (a Deployment for its ReplicaSets). */
  private static List<ObjectRef> others(ObjectNode svc, Workload w, Inventory inventory) {
    return List.copyOf(new LinkedHashSet<>(ownersOfOthers(svc, w, inventory).values()));
  }

  /** Each workload the Service selects outside {@code w}'s lineage, with its owner. */
  private static Map<WorkloadPods, ObjectRef> ownersOfOthers(
      ObjectNode svc, Workload w, Inventory inventory) {
    Map<String, String> selector = Trees.stringMap(svc.path("spec").path("selector"));
    String namespace = w.effectiveNamespace();
    // Most Services select one workload's pods: look at owners only when there are others.
    List<WorkloadPods> selected = new ArrayList<>();
    for (WorkloadPods p : inventory.workloadsSelectedBy(namespace, selector)) {
      if (!same(p.ref(), w.ref())) selected.add(p);
    }
    if (selected.isEmpty()) return Map.of();
    Map<String, WorkloadPods> byName = byName(inventory.workloads(namespace));
    ObjectRef self = ownerOf(WorkloadPods.of(w), byName);
    Map<WorkloadPods, ObjectRef> out = new LinkedHashMap<>();
    for (WorkloadPods p : selected) {
      ObjectRef owner = ownerOf(p, byName);
      if (!same(owner, w.ref()) && !same(owner, self)) out.put(p, owner);
    }
    return out;
  }

  /** The workloads by kind and name, first occurrence kept, in the inventory's order. */
  private static Map<String, WorkloadPods> byName(List<WorkloadPods> workloads) {
    Map<String, WorkloadPods> out = new LinkedHashMap<>();
    for (WorkloadPods p : workloads) out.putIfAbsent(p.ref().kind() + "/" + p.ref().name(), p);
    return out;
  }

  /**
   * The workload a set of pods belongs to: the object itself, or the topmost controller in view (a
   * ReplicaSet's Deployment, its Pods' ReplicaSet and so on up). A controller not in view (a custom
   * resource, an object the input lacks) leaves the object as its own workload: it may well be
   * another one, and keeping a port is the safe mistake.
   */
  private static ObjectRef ownerOf(WorkloadPods p, Map<String, WorkloadPods> byName) {
    WorkloadPods at = p;
    for (int depth = 0; depth < 8 && at.controller() != null; depth++) {
      WorkloadPods up = byName.get(at.controller().kind() + "/" + at.controller().name());
      if (up == null) break;
      at = up;
    }
    return at.ref();
  }

  /** The same object, whether or not either names its namespace (manifests may leave it out). */
  private static boolean same(ObjectRef a, ObjectRef b) {
    return a.kind().equals(b.kind()) && a.name().equals(b.name());
  }
}
