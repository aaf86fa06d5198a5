package dev.nonroot.engine.model;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The other objects a workload's evaluation looks at. The CLI builds one from the documents it
 * read; the operator answers from its informer caches.
 */
public interface Inventory {
  /** Services of one namespace, as JSON trees, in a stable order. */
  List<ObjectNode> services(String namespace);

  /** The Namespace object, when known. Unknown namespaces match no namespaceSelector. */
  Optional<NamespaceInfo> namespace(String name);

  /**
   * Every workload of one namespace whose pods a Service might select, of any kind the caller knows
   * (exempt ones too), in a stable order. A port move checks it so that a Service shared with
   * another workload is not moved under that workload's feet. The default knows none.
   */
  default List<WorkloadPods> workloads(String namespace) {
    return List.of();
  }

  /**
   * The workloads of {@link #workloads} whose pod labels a Service's selector selects (a non-empty
   * selector, every pair present), in the same order. A port move asks for every Service in front
   * of the workload; an inventory with an index answers without looking at every workload of the
   * namespace.
   */
  default List<WorkloadPods> workloadsSelectedBy(String namespace, Map<String, String> selector) {
    List<WorkloadPods> out = new ArrayList<>();
    if (selector.isEmpty()) return out;
    for (WorkloadPods p : workloads(namespace)) {
      if (selects(selector, p.podLabels())) out.add(p);
    }
    return out;
  }

  /** A Service-style selector selects these labels: every pair present. */
  static boolean selects(Map<String, String> selector, Map<String, String> labels) {
    for (Map.Entry<String, String> e : selector.entrySet()) {
      if (!e.getValue().equals(labels.get(e.getKey()))) return false;
    }
    return true;
  }

  /**
   * The networking.k8s.io/v1 NetworkPolicies of one namespace, as JSON trees, in a stable order: a
   * moved port is reported where one still allows only the old port. The default knows none.
   */
  default List<ObjectNode> networkPolicies(String namespace) {
    return List.of();
  }

  /**
   * The UID each container of the workload's running pods reports it runs as ({@code
   * status.containerStatuses[].user.linux.uid}, Kubernetes 1.31+), by container name; 0 included.
   * Empty when no pod reports one (none running, an older kubelet or runtime). Asking may cost a
   * read of the workload's pods, so the engine asks only when it is about to set runAsUser, at most
   * once per evaluation. The default knows none.
   */
  default Map<String, Long> imageUsers(Workload workload) {
    return Map.of();
  }

  /**
   * This inventory without running pods: a decision that writes nothing (Audit, a held or
   * GitOps-owned workload) must not cost a pod LIST on every resync, so it reports the policy's
   * uid.
   */
  default Inventory withoutRunningPods() {
    Inventory self = this;
    return new Inventory() {
      @Override
      public List<ObjectNode> services(String namespace) {
        return self.services(namespace);
      }

      @Override
      public Optional<NamespaceInfo> namespace(String name) {
        return self.namespace(name);
      }

      @Override
      public List<WorkloadPods> workloads(String namespace) {
        return self.workloads(namespace);
      }

      @Override
      public List<WorkloadPods> workloadsSelectedBy(
          String namespace, Map<String, String> selector) {
        return self.workloadsSelectedBy(namespace, selector);
      }

      @Override
      public List<ObjectNode> networkPolicies(String namespace) {
        return self.networkPolicies(namespace);
      }
    };
  }

  /**
   * This inventory's Services and namespaces with other workloads behind them (what the Services
   * would find once a revert is applied); the rest is the defaults, computed on those workloads.
   */
  default Inventory withWorkloads(Function<String, List<WorkloadPods>> byNamespace) {
    Inventory self = this;
    return new Inventory() {
      @Override
      public List<ObjectNode> services(String namespace) {
        return self.services(namespace);
      }

      @Override
      public Optional<NamespaceInfo> namespace(String name) {
        return self.namespace(name);
      }

      @Override
      public List<WorkloadPods> workloads(String namespace) {
        return byNamespace.apply(namespace);
      }
    };
  }

  Inventory EMPTY =
      new Inventory() {
        @Override
        public List<ObjectNode> services(String namespace) {
          return List.of();
        }

        @Override
        public Optional<NamespaceInfo> namespace(String name) {
          return Optional.empty();
        }
      };
}
