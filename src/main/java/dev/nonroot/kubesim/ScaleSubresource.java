package dev.nonroot.kubesim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Set;

/**
 * The {@code /scale} subresource of Deployments, StatefulSets and ReplicaSets ({@code kubectl
 * scale}, fabric8 {@code scale(n)}): reads and writes an autoscaling/v1 Scale view of {@code
 * spec.replicas}.
 */
final class ScaleSubresource {
  static final Set<String> SCALABLE = Set.of("deployments", "statefulsets", "replicasets");

  private ScaleSubresource() {}

  static boolean applies(ResourcePath path, ResourceType type) {
    return "scale".equals(path.subresource())
        && type != null
        && !type.custom()
        && SCALABLE.contains(type.plural());
  }

  /** The Scale view of a stored object. */
  static ObjectNode view(JsonNode object) {
    ObjectNode scale = JsonNodeFactory.instance.objectNode();
    scale.put("kind", "Scale");
    scale.put("apiVersion", "autoscaling/v1");
    ObjectNode metadata = scale.putObject("metadata");
    for (String field :
        new String[] {"name", "namespace", "uid", "resourceVersion", "creationTimestamp"}) {
      JsonNode value = object.at("/metadata/" + field);
      if (value.isValueNode() && !value.isNull()) {
        metadata.set(field, value);
      }
    }
    JsonNode replicas = object.at("/spec/replicas");
    scale.putObject("spec").put("replicas", replicas.isNumber() ? replicas.asInt() : 1);
    ObjectNode status = scale.putObject("status");
    status.put("replicas", object.at("/status/replicas").asInt(0));
    String selector = BuiltInColumns.labelSelector(object.at("/spec/selector"));
    if (!selector.isEmpty()) {
      status.put("selector", selector);
    }
    return scale;
  }

  /**
   * The replica count a write to {@code /scale} asks for: a whole Scale (PUT), a merge or strategic
   * merge patch, or a JSON patch on {@code /spec/replicas}; -1 when it names none.
   */
  static int requestedReplicas(JsonNode current, boolean put, String contentType, JsonNode body) {
    if (body == null) {
      return -1;
    }
    if (!put && contentType.contains("json-patch")) {
      int replicas = -1;
      for (JsonNode op : body) {
        String kind = op.path("op").asText();
        if ((kind.equals("replace") || kind.equals("add"))
            && op.path("path").asText().equals("/spec/replicas")
            && op.path("value").isIntegralNumber()) {
          replicas = op.path("value").asInt();
        }
      }
      return replicas;
    }
    JsonNode scale = put ? body : MergePatch.apply(current, body);
    JsonNode replicas = scale.at("/spec/replicas");
    return replicas.isIntegralNumber() ? replicas.asInt() : -1;
  }
}
