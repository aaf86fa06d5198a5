package dev.nonroot.kubesim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/**
 * Applies the {@code default} values of a CRD's structural OpenAPI schema, as kube-apiserver does
 * before it stores a custom resource: a field that is absent (or null) gets its default,
 * recursively through properties, additionalProperties and array items. Without this, a policy
 * created without {@code spec.mode} would print an empty MODE column instead of the CRD's default.
 */
final class SchemaDefaults {
  private SchemaDefaults() {}

  /** Fills defaults into {@code value} in place; a null or missing schema changes nothing. */
  static void apply(JsonNode schema, JsonNode value) {
    if (schema == null || !schema.isObject() || value == null) {
      return;
    }
    if (value.isObject()) {
      ObjectNode object = (ObjectNode) value;
      for (Map.Entry<String, JsonNode> property : schema.path("properties").properties()) {
        JsonNode current = object.get(property.getKey());
        JsonNode fallback = property.getValue().get("default");
        if ((current == null || current.isNull())
            && fallback != null
            && !(current != null && property.getValue().path("nullable").asBoolean(false))) {
          object.set(property.getKey(), fallback.deepCopy());
        }
        apply(property.getValue(), object.get(property.getKey()));
      }
      JsonNode additional = schema.get("additionalProperties");
      if (additional != null && additional.isObject()) {
        for (Map.Entry<String, JsonNode> entry : object.properties()) {
          apply(additional, entry.getValue());
        }
      }
    } else if (value.isArray()) {
      JsonNode items = schema.get("items");
      value.forEach(item -> apply(items, item));
    }
  }
}
