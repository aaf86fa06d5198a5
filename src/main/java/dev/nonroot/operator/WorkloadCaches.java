package dev.nonroot.operator;

import dev.nonroot.api.WorkloadKind;
import dev.nonroot.engine.model.ObjectRef;
import dev.nonroot.engine.model.WorkloadPods;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
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
    if (kind == WorkloadKind.Pod) {
      labels = meta.getLabels();
    } else {
      labels =
          kind.podTemplateOf(o) instanceof PodTemplateSpec t && t.getMetadata() != null
              ? t.getMetadata().getLabels()
              : null;
    }
    return new WorkloadPods(
        new ObjectRef(kind.name(), meta.getNamespace(), meta.getName()),
        labels == null ? Map.of() : labels,
        controller);
  }
}
