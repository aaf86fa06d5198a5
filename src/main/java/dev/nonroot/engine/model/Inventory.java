package dev.nonroot.engine.model;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;

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
   * The networking.k8s.io/v1 NetworkPolicies of one namespace, as JSON trees, in a stable order: a
   * moved port is reported where one still allows only the old port. The default knows none.
   */
  default List<ObjectNode> networkPolicies(String namespace) {
    return List.of();
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
