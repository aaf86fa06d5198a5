package dev.nonroot.engine.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nonroot.engine.model.FieldPath;
import java.util.ArrayList;
import java.util.List;

/** One container of a pod spec (init or regular) with its location. */
record ContainerView(String name, ObjectNode node, FieldPath path) {

  FieldPath securityContext() {
    return path.key("securityContext");
  }

  JsonNode get(FieldPath p) {
    return node.at(p.pointer().substring(path.pointer().length()));
  }

  /** initContainers first, then containers: the order the kubelet starts them. */
  static List<ContainerView> all(ObjectNode podSpec, FieldPath podSpecPath) {
    List<ContainerView> out = new ArrayList<>();
    for (String list : List.of("initContainers", "containers")) {
      JsonNode items = podSpec.path(list);
      if (!items.isArray()) continue;
      for (int i = 0; i < items.size(); i++) {
        if (!(items.get(i) instanceof ObjectNode c)) continue;
        String name = c.path("name").asText("#" + i);
        out.add(new ContainerView(name, c, podSpecPath.key(list).index(i, name)));
      }
    }
    return out;
  }
}
