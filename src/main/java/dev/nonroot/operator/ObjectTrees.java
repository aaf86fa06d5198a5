package dev.nonroot.operator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

/** Typed fabric8 objects to the JSON trees the engine reads, and back. */
final class ObjectTrees {
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private ObjectTrees() {}

  static ObjectNode of(HasMetadata resource) {
    return SERIALIZATION.convertValue(resource, ObjectNode.class);
  }

  /** The other way, for the few trees the client needs typed (a pod selector). */
  static <T> T typed(JsonNode tree, Class<T> type) {
    return SERIALIZATION.convertValue(tree, type);
  }
}
