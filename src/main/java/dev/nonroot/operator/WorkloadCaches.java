package dev.nonroot.operator;

import dev.nonroot.api.WorkloadKind;
import dev.nonroot.engine.model.ObjectRef;
import dev.nonroot.engine.model.WorkloadPods;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The workload caches of every controller of one operator instance, so that a decision about one
 * workload sees the others of its namespace, whatever their kind (a Service in front of a
 * Deployment and a StatefulSet). Kinds the operator does not watch are not in view.
 */
final class WorkloadCaches {
  private final Map<WorkloadKind, Function<String, Stream<? extends HasMetadata>>> caches =
      new EnumMap<>(WorkloadKind.class);

  /** Set once every controller's informers have synced. */
  private volatile boolean synced;

  synchronized void add(WorkloadKind kind, Function<String, Stream<? extends HasMetadata>> cache) {
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
    Map<WorkloadKind, Function<String, Stream<? extends HasMetadata>>> all;
    synchronized (this) {
      all = new EnumMap<>(caches);
    }
    List<WorkloadPods> out = new ArrayList<>();
    all.forEach(
        (kind, cache) ->
            cache
                .apply(namespace)
                .sorted(Comparator.comparing(o -> o.getMetadata().getName()))
                .forEach(o -> out.add(pods(kind, o))));
    return out;
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
    Map<String, String> labels;
    PodSpec spec;
    if (kind == WorkloadKind.Pod) {
      labels = meta.getLabels();
      spec = kind.podTemplateOf(o) instanceof PodSpec s ? s : null;
    } else {
      PodTemplateSpec t = kind.podTemplateOf(o) instanceof PodTemplateSpec x ? x : null;
      labels = t != null && t.getMetadata() != null ? t.getMetadata().getLabels() : null;
      spec = t == null ? null : t.getSpec();
    }
    return new WorkloadPods(
        new ObjectRef(kind.name(), meta.getNamespace(), meta.getName()),
        labels == null ? Map.of() : labels,
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
