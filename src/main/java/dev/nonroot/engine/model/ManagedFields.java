package dev.nonroot.engine.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Who last wrote a field, from the object's {@code metadata.managedFields}: the API server moves a
 * field to the manager of each write that changes it (FieldsV1: {@code f:} for a field, {@code k:}
 * for an item of a keyed list). Read to name who set back a field the operator changed.
 */
public final class ManagedFields {
  /** The field manager of the operator's writes. */
  public static final String OURS = "nonroot-operator";

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * The keys of the keyed lists of a pod template and a Service (the others are atomic: owned as a
   * whole). A port item is keyed by its number and protocol.
   */
  private static final Map<String, List<String>> LIST_KEYS =
      Map.of(
          "containers", List.of("name"),
          "initContainers", List.of("name"),
          "ephemeralContainers", List.of("name"),
          "env", List.of("name"),
          "volumes", List.of("name"),
          "volumeMounts", List.of("mountPath"),
          "imagePullSecrets", List.of("name"),
          "ports", List.of("containerPort", "protocol"));

  /** A manager's entry: its name and when it last wrote. */
  public record Writer(String manager, Instant time) {}

  private ManagedFields() {}

  /**
   * The manager other than the operator that owns the field at {@code pointer} (a JSON Pointer into
   * {@code object}), or, when no entry names the field (a removed field has no owner; a server may
   * track no fields), the other manager that wrote the spec last. A manager whose fields are all
   * outside the spec never set a spec field back: not a status writer (subresource status), nor
   * kube-controller-manager's main-resource writes of a Deployment's revision annotation, nor a
   * label edit. Empty when the object has no managedFields.
   */
  public static Optional<Writer> setBy(JsonNode object, String pointer) {
    JsonNode entries = object.path("metadata").path("managedFields");
    if (!entries.isArray() || entries.isEmpty()) return Optional.empty();
    Writer latest = null;
    for (JsonNode e : entries) {
      String manager = e.path("manager").asText("");
      if (manager.isEmpty() || manager.equals(OURS) || e.has("subresource")) continue;
      Writer w = new Writer(manager, time(e.path("time").asText(null)));
      if (owns(e.path("fieldsV1"), object, pointer)) return Optional.of(w);
      if (!touchesSpec(e.path("fieldsV1"))) continue;
      if (latest == null || later(w, latest)) latest = w;
    }
    // Nobody owns a field that was removed, and a server may track no fields: the last writer.
    return Optional.ofNullable(latest);
  }

  /**
   * Whether an entry's fields include some of the spec, or are not tracked at all (then it may have
   * written anything).
   */
  private static boolean touchesSpec(JsonNode fields) {
    return fields.size() == 0 || fields.has("f:spec");
  }

  private static boolean later(Writer a, Writer b) {
    return a.time() != null && (b.time() == null || a.time().isAfter(b.time()));
  }

  /** Whether a FieldsV1 set holds the field (or an atomic list or value above it). */
  private static boolean owns(JsonNode fields, JsonNode object, String pointer) {
    JsonNode set = fields;
    JsonNode at = object;
    String parent = null;
    for (String raw : pointer.substring(1).split("/", -1)) {
      String token = raw.replace("~1", "/").replace("~0", "~");
      if (at.isArray()) {
        List<String> keys = LIST_KEYS.get(parent);
        int index;
        try {
          index = Integer.parseInt(token);
        } catch (NumberFormatException e) {
          return false;
        }
        JsonNode item = at.path(index);
        // An atomic list is owned whole: whoever owns the list owns its items.
        if (keys == null) return !set.isMissingNode();
        set = keyed(set, item, keys);
        at = item;
      } else {
        set = set.path("f:" + token);
        at = at.path(token);
      }
      if (set.isMissingNode()) return false;
      parent = token;
    }
    return true;
  }

  /**
   * The item's entry in a keyed list's set, matched on its key fields (protocol TCP unless set).
   */
  private static JsonNode keyed(JsonNode set, JsonNode item, List<String> keys) {
    for (Iterator<String> it = set.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!name.startsWith("k:")) continue;
      try {
        JsonNode key = JSON.readTree(name.substring(2));
        boolean same = true;
        for (String k : keys) {
          String want = item.path(k).asText(k.equals("protocol") ? "TCP" : "");
          if (k.equals("containerPort") && !item.has(k)) want = item.path("port").asText("");
          String got =
              key.has(k)
                  ? key.path(k).asText()
                  : k.equals("containerPort") ? key.path("port").asText("") : "";
          same &= want.equals(got);
        }
        if (same) return set.path(name);
      } catch (JsonProcessingException e) {
        // Not a key this reader understands: not the item.
      }
    }
    return set.path("k:?").path("");
  }

  /** An RFC 3339 time as managedFields and the record write it, or null when unreadable. */
  public static Instant time(String text) {
    if (text == null) return null;
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
