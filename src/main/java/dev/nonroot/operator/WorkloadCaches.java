package dev.nonroot.operator;

import dev.nonroot.api.WorkloadKind;
import dev.nonroot.engine.model.Inventory;
import dev.nonroot.engine.model.ObjectRef;
import dev.nonroot.engine.model.WorkloadPods;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.javaoperatorsdk.operator.api.reconciler.IndexedResourceCache;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The workload caches of every controller of one operator instance, so that a decision about one
 * workload sees the others of its namespace, whatever their kind (a Service in front of a
 * Deployment and a StatefulSet). Kinds the operator does not watch are not in view.
 *
 * <p>Every look goes through an index of the informer's cache (by namespace, or by one label of the
 * pod template), never through a scan of the whole cache: a decision, or the workloads a Service
 * change concerns, costs the same in a cluster of 100 workloads and of 100,000.
 */
final class WorkloadCaches {
  /** The index of workloads by one of their pods' labels: "namespace/key=value". */
  static final String POD_LABEL_INDEX = "nonroot.dev/pod-label";

  private final Map<WorkloadKind, IndexedResourceCache<? extends HasMetadata>> caches =
      new EnumMap<>(WorkloadKind.class);

  /** Set once every controller's informers have synced. */
  private volatile boolean synced;

  /**
   * Adds a kind's cache, and the pod label index to it: before its informer starts (JOSDK builds
   * the indexes when it creates the informer).
   */
  synchronized <R extends HasMetadata> void add(WorkloadKind kind, IndexerResourceCache<R> cache) {
    cache.addIndexer(POD_LABEL_INDEX, o -> podLabelKeys(kind, o));
    caches.put(kind, cache);
  }

  void markSynced() {
    synced = true;
  }

  /**
   * Whether every workload cache is complete. Before that a controller may already run while
   * another kind's cache is still empty, and a workload behind a shared Service would look alone.
   */
  boolean synced() {
    return synced;
  }

  /** The cached workloads of one namespace, kind by kind in table order, each by name. */
  List<WorkloadPods> workloads(String namespace) {
    List<WorkloadPods> out = new ArrayList<>();
    snapshot()
        .forEach(
            (kind, cache) ->
                sortedByName(cache.byIndex(Cache.NAMESPACE_INDEX, namespace))
                    .forEach(o -> out.add(pods(kind, o))));
    return out;
  }

  /**
   * The cached workloads of one namespace whose pods a Service selector selects (a non-empty one,
   * every pair present), in the order of {@link #workloads}: looked up by the selector's first
   * pair.
   */
  List<WorkloadPods> workloadsSelectedBy(String namespace, Map<String, String> selector) {
    List<WorkloadPods> out = new ArrayList<>();
    if (selector.isEmpty()) return out;
    snapshot()
        .forEach(
            (kind, cache) -> {
              for (HasMetadata o : selected(kind, cache, namespace, selector)) {
                out.add(pods(kind, o));
              }
            });
    return out;
  }

  /**
   * The objects of one cache whose pods a Service selector selects (none for an empty selector), by
   * name.
   */
  static <R extends HasMetadata> List<R> selected(
      WorkloadKind kind,
      IndexedResourceCache<R> cache,
      String namespace,
      Map<String, String> selector) {
    if (selector == null || selector.isEmpty()) return List.of();
    Map.Entry<String, String> first = selector.entrySet().iterator().next();
    List<R> out = new ArrayList<>();
    for (R o : cache.byIndex(POD_LABEL_INDEX, key(namespace, first.getKey(), first.getValue()))) {
      if (Inventory.selects(selector, podLabels(kind, o))) out.add(o);
    }
    return sortedByName(out);
  }

  private synchronized Map<WorkloadKind, IndexedResourceCache<? extends HasMetadata>> snapshot() {
    return new EnumMap<>(caches);
  }

  private static <R extends HasMetadata> List<R> sortedByName(List<R> objects) {
    List<R> out = new ArrayList<>(objects);
    out.sort(Comparator.comparing(o -> o.getMetadata().getName()));
    return out;
  }

  /** The labels a workload's pods get: its template's, or a Pod's own. Never null. */
  static Map<String, String> podLabels(WorkloadKind kind, HasMetadata o) {
    Map<String, String> labels;
    if (kind == WorkloadKind.Pod) {
      labels = o.getMetadata().getLabels();
    } else {
      labels =
          kind.podTemplateOf(o) instanceof PodTemplateSpec t && t.getMetadata() != null
              ? t.getMetadata().getLabels()
              : null;
    }
    return strings(labels);
  }

  /**
   * A label map as the engine's trees read it: a null value reads as "" there, so it does here
   * (index keys and selector matches agree with the engine's). Never null.
   */
  static Map<String, String> strings(Map<String, String> labels) {
    if (labels == null) return Map.of();
    boolean nulls = false;
    for (String v : labels.values()) nulls |= v == null;
    if (!nulls) return labels;
    Map<String, String> out = new LinkedHashMap<>();
    labels.forEach((k, v) -> out.put(k, v == null ? "" : v));
    return out;
  }

  private static List<String> podLabelKeys(WorkloadKind kind, HasMetadata o) {
    String namespace = o.getMetadata().getNamespace();
    List<String> keys = new ArrayList<>();
    podLabels(kind, o).forEach((k, v) -> keys.add(key(namespace, k, v)));
    return keys;
  }

  private static String key(String namespace, String label, String value) {
    return namespace + "/" + label + "=" + value;
  }

  private static WorkloadPods pods(WorkloadKind kind, HasMetadata o) {
    ObjectMeta meta = o.getMetadata();
    ObjectRef controller = null;
    if (meta.getOwnerReferences() != null) {
      for (OwnerReference owner : meta.getOwnerReferences()) {
        if (Boolean.TRUE.equals(owner.getController())) {
          controller = new ObjectRef(owner.getKind(), meta.getNamespace(), owner.getName());
          break;
        }
      }
    }
    PodSpec spec;
    if (kind == WorkloadKind.Pod) {
      spec = kind.podTemplateOf(o) instanceof PodSpec s ? s : null;
    } else {
      PodTemplateSpec t = kind.podTemplateOf(o) instanceof PodTemplateSpec x ? x : null;
      spec = t == null ? null : t.getSpec();
    }
    return new WorkloadPods(
        new ObjectRef(kind.name(), meta.getNamespace(), meta.getName()),
        podLabels(kind, o),
        controller,
        ports(spec));
  }

  /** The container ports a pod spec declares, as {@link WorkloadPods#ports} names them. */
  private static Set<String> ports(PodSpec spec) {
    Set<String> out = new LinkedHashSet<>();
    if (spec == null) return out;
    for (List<Container> list :
        List.of(nonNull(spec.getContainers()), nonNull(spec.getInitContainers()))) {
      for (Container c : list) {
        if (c.getPorts() == null) continue;
        for (ContainerPort p : c.getPorts()) {
          if (p.getContainerPort() != null) {
            out.add(WorkloadPods.port(p.getContainerPort(), p.getProtocol()));
          }
        }
      }
    }
    return out;
  }

  private static List<Container> nonNull(List<Container> list) {
    return list == null ? List.of() : list;
  }
}
