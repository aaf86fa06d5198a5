package dev.nonroot.kubesim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Strategic merge patch for the built-in kinds the demo serves, which kubectl sends by default
 * ({@code kubectl patch}, {@code apply} of a changed object, {@code edit}, {@code set image}).
 * Lists whose API type declares a merge key (containers by name, container ports by containerPort,
 * ...) are merged element by element; other lists are replaced; maps merge as in RFC 7386.
 * Directives: {@code $patch: replace|delete}, {@code $retainKeys}, {@code $setElementOrder/<list>},
 * {@code $deleteFromPrimitiveList/<list>}. The merge keys are looked up by field name, not by
 * schema, which is exact for the workload, Service and Namespace fields this server cares about.
 */
final class StrategicMergePatch {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final String PATCH = "$patch";
  private static final String RETAIN_KEYS = "$retainKeys";
  private static final String SET_ORDER = "$setElementOrder/";
  private static final String DELETE_FROM = "$deleteFromPrimitiveList/";

  /** patchMergeKey of list fields in core/v1 and apps/v1, by field name. */
  private static final Map<String, String> MERGE_KEYS =
      Map.ofEntries(
          Map.entry("containers", "name"),
          Map.entry("initContainers", "name"),
          Map.entry("ephemeralContainers", "name"),
          Map.entry("volumes", "name"),
          Map.entry("imagePullSecrets", "name"),
          Map.entry("env", "name"),
          Map.entry("resourceClaims", "name"),
          Map.entry("schedulingGates", "name"),
          Map.entry("volumeMounts", "mountPath"),
          Map.entry("volumeDevices", "devicePath"),
          Map.entry("hostAliases", "ip"),
          Map.entry("conditions", "type"),
          Map.entry("ownerReferences", "uid"));

  private StrategicMergePatch() {}

  /** Returns the patched object; {@code target} is not modified. */
  static JsonNode apply(JsonNode target, JsonNode patch) {
    if (!patch.isObject()) {
      throw new IllegalArgumentException("a strategic merge patch must be a JSON object");
    }
    ObjectNode result =
        mergeMap(
            target != null && target.isObject()
                ? ((ObjectNode) target).deepCopy()
                : JSON.objectNode(),
            (ObjectNode) patch);
    return result == null ? JSON.objectNode() : result;
  }

  /** Null when the patch deletes the map. */
  private static ObjectNode mergeMap(ObjectNode target, ObjectNode patch) {
    String directive = patch.path(PATCH).asText("");
    if (directive.equals("delete")) {
      return null;
    }
    if (directive.equals("replace")) {
      return (ObjectNode) withoutDirectives(patch);
    }
    for (Map.Entry<String, JsonNode> e : patch.properties()) {
      String key = e.getKey();
      JsonNode value = e.getValue();
      if (key.equals(PATCH) || key.equals(RETAIN_KEYS) || key.startsWith(SET_ORDER)) {
        continue;
      }
      if (key.startsWith(DELETE_FROM)) {
        String field = key.substring(DELETE_FROM.length());
        JsonNode list = target.get(field);
        if (list != null && list.isArray()) {
          Set<JsonNode> doomed = new HashSet<>();
          value.forEach(doomed::add);
          ArrayNode kept = JSON.arrayNode();
          list.forEach(
              v -> {
                if (!doomed.contains(v)) {
                  kept.add(v);
                }
              });
          target.set(field, kept);
        }
        continue;
      }
      if (value.isNull()) {
        target.remove(key);
      } else if (value.isObject()) {
        JsonNode existing = target.get(key);
        ObjectNode merged =
            mergeMap(
                existing != null && existing.isObject() ? (ObjectNode) existing : JSON.objectNode(),
                (ObjectNode) value);
        if (merged == null) {
          target.remove(key);
        } else {
          target.set(key, merged);
        }
      } else if (value.isArray()) {
        target.set(key, mergeList(key, target.get(key), (ArrayNode) value));
      } else {
        target.set(key, value.deepCopy());
      }
    }
    for (Map.Entry<String, JsonNode> e : patch.properties()) {
      if (e.getKey().startsWith(SET_ORDER) && e.getValue().isArray()) {
        String field = e.getKey().substring(SET_ORDER.length());
        JsonNode list = target.get(field);
        if (list != null && list.isArray()) {
          target.set(field, reorder(field, (ArrayNode) list, (ArrayNode) e.getValue()));
        }
      }
    }
    JsonNode retain = patch.get(RETAIN_KEYS);
    if (retain != null && retain.isArray()) {
      Set<String> keep = new HashSet<>();
      retain.forEach(k -> keep.add(k.asText()));
      List<String> dropped = new ArrayList<>();
      target
          .fieldNames()
          .forEachRemaining(
              name -> {
                if (!keep.contains(name)) {
                  dropped.add(name);
                }
              });
      target.remove(dropped);
    }
    return target;
  }

  private static ArrayNode mergeList(String field, JsonNode existing, ArrayNode patch) {
    ArrayNode current =
        existing != null && existing.isArray() ? (ArrayNode) existing : JSON.arrayNode();
    if (field.equals("finalizers")) {
      ArrayNode union = current.deepCopy();
      patch.forEach(
          v -> {
            if (!contains(union, v)) {
              union.add(v);
            }
          });
      return union;
    }
    String key = mergeKey(field, current, patch);
    if (key == null) {
      ArrayNode replaced = JSON.arrayNode();
      patch.forEach(
          v -> {
            if (!isDirectiveOnly(v)) {
              replaced.add(withoutDirectives(v));
            }
          });
      return replaced;
    }
    List<JsonNode> result = new ArrayList<>();
    boolean replace = false;
    for (JsonNode element : patch) {
      if (isDirectiveOnly(element) && element.path(PATCH).asText().equals("replace")) {
        replace = true;
      }
    }
    if (!replace) {
      current.forEach(result::add);
    }
    for (JsonNode element : patch) {
      if (isDirectiveOnly(element) || !element.isObject()) {
        continue;
      }
      JsonNode id = element.get(key);
      int at = indexOf(result, key, id);
      if (element.path(PATCH).asText().equals("delete")) {
        if (at >= 0) {
          result.remove(at);
        }
      } else if (at >= 0 && result.get(at).isObject()) {
        ObjectNode merged =
            mergeMap(((ObjectNode) result.get(at)).deepCopy(), (ObjectNode) element);
        if (merged == null) {
          result.remove(at);
        } else {
          result.set(at, merged);
        }
      } else {
        result.add(withoutDirectives(element));
      }
    }
    ArrayNode out = JSON.arrayNode();
    result.forEach(out::add);
    return out;
  }

  /** Container ports merge on containerPort, Service ports on port. */
  private static String mergeKey(String field, ArrayNode current, ArrayNode patch) {
    if (field.equals("ports")) {
      for (ArrayNode list : List.of(patch, current)) {
        for (JsonNode element : list) {
          if (element.has("containerPort")) {
            return "containerPort";
          }
          if (element.has("port")) {
            return "port";
          }
        }
      }
      return null;
    }
    return MERGE_KEYS.get(field);
  }

  private static ArrayNode reorder(String field, ArrayNode list, ArrayNode order) {
    List<JsonNode> remaining = new ArrayList<>();
    list.forEach(remaining::add);
    ArrayNode out = JSON.arrayNode();
    String key = mergeKey(field, list, JSON.arrayNode());
    for (JsonNode wanted : order) {
      for (int i = 0; i < remaining.size(); i++) {
        JsonNode candidate = remaining.get(i);
        boolean same =
            key == null || !wanted.isObject()
                ? candidate.equals(wanted)
                : candidate.path(key).equals(wanted.path(key));
        if (same) {
          out.add(candidate);
          remaining.remove(i);
          break;
        }
      }
    }
    remaining.forEach(out::add);
    return out;
  }

  private static int indexOf(List<JsonNode> list, String key, JsonNode id) {
    for (int i = 0; i < list.size(); i++) {
      if (id != null && id.equals(list.get(i).get(key))) {
        return i;
      }
    }
    return -1;
  }

  private static boolean contains(ArrayNode list, JsonNode value) {
    for (JsonNode v : list) {
      if (v.equals(value)) {
        return true;
      }
    }
    return false;
  }

  private static boolean isDirectiveOnly(JsonNode element) {
    return element.isObject() && element.size() == 1 && element.has(PATCH);
  }

  private static JsonNode withoutDirectives(JsonNode node) {
    if (node.isObject()) {
      ObjectNode copy = JSON.objectNode();
      for (Map.Entry<String, JsonNode> e : node.properties()) {
        if (!e.getKey().startsWith("$")) {
          copy.set(e.getKey(), withoutDirectives(e.getValue()));
        }
      }
      return copy;
    }
    if (node.isArray()) {
      ArrayNode copy = JSON.arrayNode();
      node.forEach(v -> copy.add(withoutDirectives(v)));
      return copy;
    }
    return node.deepCopy();
  }
}
