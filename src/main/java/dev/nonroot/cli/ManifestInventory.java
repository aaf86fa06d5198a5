package dev.nonroot.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nonroot.engine.model.Inventory;
import dev.nonroot.engine.model.NamespaceInfo;
import dev.nonroot.engine.model.ObjectRef;
import dev.nonroot.engine.model.Workload;
import dev.nonroot.engine.model.WorkloadPods;
import dev.nonroot.manifest.ManifestDocument;
import dev.nonroot.manifest.ManifestFile;
import dev.nonroot.manifest.ManifestObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Services, Namespaces, NetworkPolicies and workloads of every document read, across all
 * inputs, indexed once: a workload in one file finds the Service in another.
 *
 * <p>The engine looks at a namespace's Services only to find those whose selector matches the pod
 * template, and does so for every workload. With thousands of Services in one namespace that is
 * quadratic, so {@link #forWorkload} hands it just the candidates: Services indexed by one
 * key=value pair of their selector, looked up by the pod's labels. The engine still checks the
 * whole selector. Services with an empty selector select nothing and are never candidates.
 */
public final class ManifestInventory implements Inventory {
  private final Map<String, List<ObjectNode>> servicesByNamespace = new HashMap<>();

  /**
   * namespace -> "key=value" of a selector pair -> Services with that pair, each under one pair
   * only.
   */
  private final Map<String, Map<String, List<ObjectNode>>> candidatesBySelector = new HashMap<>();

  private final Map<ObjectNode, Integer> order = new IdentityHashMap<>();
  private final Map<ObjectRef, List<ManifestObject>> serviceObjects = new HashMap<>();
  private final Map<String, NamespaceInfo> namespaces = new HashMap<>();
  private final Map<String, List<WorkloadPods>> workloadsByNamespace = new HashMap<>();

  /**
   * namespace -> pod label key -> value -> the workloads with that pod label, in input order: the
   * candidates a Service selector's first pair narrows {@link #workloadsSelectedBy} to.
   */
  private final Map<String, Map<String, Map<String, List<WorkloadPods>>>> workloadsByPodLabel =
      new HashMap<>();

  private final Map<String, List<ObjectNode>> networkPoliciesByNamespace = new HashMap<>();

  public static ManifestInventory of(List<ManifestFile> files) {
    ManifestInventory inv = new ManifestInventory();
    for (ManifestFile f : files) {
      for (ManifestDocument d : f.documents()) {
        for (ManifestObject o : d.objects()) inv.add(o);
      }
    }
    return inv;
  }

  private void add(ManifestObject o) {
    Optional<Workload> workload = Workload.of(o.node());
    if (workload.isPresent()) {
      String ns = workload.get().effectiveNamespace();
      WorkloadPods pods = WorkloadPods.of(workload.get());
      workloadsByNamespace.computeIfAbsent(ns, k -> new ArrayList<>()).add(pods);
      Map<String, Map<String, List<WorkloadPods>>> byLabel =
          workloadsByPodLabel.computeIfAbsent(ns, k -> new HashMap<>());
      pods.podLabels()
          .forEach(
              (key, value) ->
                  byLabel
                      .computeIfAbsent(key, k -> new HashMap<>())
                      .computeIfAbsent(value, k -> new ArrayList<>())
                      .add(pods));
      return;
    }
    if (o.apiVersion().equals("networking.k8s.io/v1") && o.kind().equals("NetworkPolicy")) {
      networkPoliciesByNamespace
          .computeIfAbsent(
              o.namespace().isEmpty() ? "default" : o.namespace(), k -> new ArrayList<>())
          .add(o.node());
      return;
    }
    if (!o.apiVersion().equals("v1")) return;
    if (o.kind().equals("Service")) {
      String ns = o.namespace().isEmpty() ? "default" : o.namespace();
      servicesByNamespace.computeIfAbsent(ns, k -> new ArrayList<>()).add(o.node());
      order.put(o.node(), order.size());
      Map<String, String> selector = strings(o.node().path("spec").path("selector"));
      if (!selector.isEmpty()) {
        Map.Entry<String, String> first = selector.entrySet().iterator().next();
        candidatesBySelector
            .computeIfAbsent(ns, k -> new HashMap<>())
            .computeIfAbsent(first.getKey() + "=" + first.getValue(), k -> new ArrayList<>())
            .add(o.node());
      }
      serviceObjects.computeIfAbsent(serviceRef(o), k -> new ArrayList<>()).add(o);
    } else if (o.kind().equals("Namespace") && !o.name().isEmpty()) {
      JsonNode meta = o.node().path("metadata");
      namespaces.putIfAbsent(
          o.name(),
          new NamespaceInfo(
              o.name(), strings(meta.path("labels")), strings(meta.path("annotations"))));
    }
  }

  /** How the engine names a Service in its changes: metadata.namespace as written. */
  static ObjectRef serviceRef(ManifestObject o) {
    return new ObjectRef("Service", o.namespace(), o.name());
  }

  @Override
  public List<ObjectNode> services(String namespace) {
    return servicesByNamespace.getOrDefault(namespace, List.of());
  }

  @Override
  public Optional<NamespaceInfo> namespace(String name) {
    return Optional.ofNullable(namespaces.get(name));
  }

  @Override
  public List<WorkloadPods> workloads(String namespace) {
    return workloadsByNamespace.getOrDefault(namespace, List.of());
  }

  @Override
  public List<WorkloadPods> workloadsSelectedBy(String namespace, Map<String, String> selector) {
    List<WorkloadPods> out = new ArrayList<>();
    if (selector.isEmpty()) return out;
    Map.Entry<String, String> first = selector.entrySet().iterator().next();
    List<WorkloadPods> candidates =
        workloadsByPodLabel
            .getOrDefault(namespace, Map.of())
            .getOrDefault(first.getKey(), Map.of())
            .getOrDefault(first.getValue(), List.of());
    for (WorkloadPods p : candidates) {
      if (Inventory.selects(selector, p.podLabels())) out.add(p);
    }
    return out;
  }

  @Override
  public List<ObjectNode> networkPolicies(String namespace) {
    return networkPoliciesByNamespace.getOrDefault(namespace, List.of());
  }

  /**
   * This inventory as one workload's evaluation needs it: {@code services} lists only the
   * namespace's Services that may select the workload's pods, in input order.
   */
  public Inventory forWorkload(Workload w) {
    Map<String, String> podLabels = w.podLabels();
    return new Inventory() {
      @Override
      public List<ObjectNode> services(String namespace) {
        Map<String, List<ObjectNode>> index = candidatesBySelector.get(namespace);
        if (index == null || podLabels.isEmpty()) return List.of();
        List<ObjectNode> out = new ArrayList<>();
        for (Map.Entry<String, String> label : podLabels.entrySet()) {
          out.addAll(index.getOrDefault(label.getKey() + "=" + label.getValue(), List.of()));
        }
        if (out.size() > 1) out.sort(Comparator.comparingInt(order::get));
        return out;
      }

      @Override
      public Optional<NamespaceInfo> namespace(String name) {
        return ManifestInventory.this.namespace(name);
      }

      @Override
      public List<WorkloadPods> workloads(String namespace) {
        return ManifestInventory.this.workloads(namespace);
      }

      @Override
      public List<WorkloadPods> workloadsSelectedBy(
          String namespace, Map<String, String> selector) {
        return ManifestInventory.this.workloadsSelectedBy(namespace, selector);
      }

      @Override
      public List<ObjectNode> networkPolicies(String namespace) {
        return ManifestInventory.this.networkPolicies(namespace);
      }
    };
  }

  /**
   * The Service documents a change aimed at {@code ref} applies to (more than one if it is
   * repeated).
   */
  public List<ManifestObject> serviceObjects(ObjectRef ref) {
    return serviceObjects.getOrDefault(ref, List.of());
  }

  private static Map<String, String> strings(JsonNode map) {
    Map<String, String> out = new LinkedHashMap<>();
    map.properties()
        .forEach(e -> out.put(e.getKey(), e.getValue().isNull() ? "" : e.getValue().asText()));
    return out;
  }
}
