package dev.nonroot.engine.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reading JSON trees by {@link FieldPath}: the engine's only way into an object. */
public final class Trees {
  private Trees() {}

  public static JsonNode at(JsonNode root, FieldPath path) {
    JsonNode n = path.find(root);
    return n == null ? MissingNode.getInstance() : n;
  }

  /**
   * The value at path, or null when absent (or explicit null, which Kubernetes treats as absent).
   */
  public static JsonNode valueAt(JsonNode root, FieldPath path) {
    JsonNode n = at(root, path);
    return n.isMissingNode() || n.isNull() ? null : n;
  }

  public static Map<String, String> stringMap(JsonNode node) {
    Map<String, String> out = new LinkedHashMap<>();
    if (node != null && node.isObject()) {
      node.properties()
          .forEach(e -> out.put(e.getKey(), e.getValue().isNull() ? "" : e.getValue().asText()));
    }
    return out;
  }

  /**
   * An int from a number, or from a string of digits; null otherwise (also for a number past an
   * int, which intValue() would wrap around: 2^64 + 80 is not port 80).
   */
  public static Integer intValue(JsonNode n) {
    if (n == null) return null;
    if (n.isIntegralNumber()) return n.canConvertToInt() ? n.intValue() : null;
    if (n.isTextual() && n.asText().matches("[0-9]{1,9}")) return Integer.parseInt(n.asText());
    return null;
  }
}
