package dev.nonroot.operator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

/** Typed fabric8 objects to the JSON trees the engine reads. */
final class ObjectTrees {
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private ObjectTrees() {}

  static ObjectNode of(HasMetadata resource) {
    return SERIALIZATION.convertValue(resource, ObjectNode.class);
  }
}
