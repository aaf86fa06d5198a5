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
