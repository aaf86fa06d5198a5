package dev.nonroot.kubesim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nonroot.kubesim.FieldTypes.Shape;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;

/**
 * {@code metadata.managedFields} kept as kube-apiserver keeps it for Update operations (create,
 * update, every kind of patch): the writer's entry ({@code manager}, {@code operation: Update},
 * {@code apiVersion}, {@code subresource}) gains the fields its write added or modified, with the
 * time of the write; every other entry loses them; every entry loses the fields the write removed;
 * an entry left with no field is dropped. A write that changes nothing leaves the entries as they
 * were. Entries are in kube-apiserver's order: operation, time, manager, apiVersion, subresource.
 */
final class ManagedFields {
  private static final String UPDATE = "Update";
  private static final String FIELDS_V1 = "fieldsV1";

  private static final Comparator<JsonNode> ORDER =
      Comparator.<JsonNode, String>comparing(e -> e.path("operation").asText(""))
          .thenComparing(e -> e.path("time").asText(""))
          .thenComparing(e -> e.path("manager").asText(""))
          .thenComparing(e -> e.path("apiVersion").asText(""))
          .thenComparing(e -> e.path("subresource").asText(""));

  private ManagedFields() {}

  /**
   * Updates the managedFields of {@code written} (the object as stored after the write).
   *
   * @param before the object before the write; null on create
   * @param shape the object's shape ({@link FieldTypes#of})
   * @param subresource "status" (or "scale") for subresource writes, else null
   * @param time the write's time, as the entry's {@code time}
   */
  static void record(
      JsonNode before,
      ObjectNode written,
      Shape shape,
      boolean statusSubresource,
      String manager,
      String subresource,
      String time) {
    ObjectNode metadata =
        written.get("metadata") instanceof ObjectNode m ? m : written.putObject("metadata");
    FieldChanges changes =
        FieldChanges.between(before, written, shape, ownable(statusSubresource, subresource));
    String apiVersion = written.path("apiVersion").asText("");
    List<JsonNode> entries = new ArrayList<>();
    JsonNode writerEntry = null;
    for (JsonNode entry : startingEntries(before, metadata, subresource)) {
      if (!entry.isObject()) {
        continue;
      }
      boolean writers =
          manager.equals(entry.path("manager").asText())
              && UPDATE.equals(entry.path("operation").asText())
              && apiVersion.equals(entry.path("apiVersion").asText())
              && (subresource == null
                  ? !entry.hasNonNull("subresource")
                  : subresource.equals(entry.path("subresource").asText()));
      JsonNode fields = entry.path(FIELDS_V1);
      FieldSet owned = null;
      if (writers && !changes.changed().isEmpty()) {
        owned = FieldSet.fromFieldsV1(fields);
      } else if (FieldSet.intersects(fields, changes.changed())
          || FieldSet.intersects(fields, changes.removed())) {
        owned = FieldSet.fromFieldsV1(fields);
      } else if (fields.isEmpty()) {
        continue; // owns nothing: kube-apiserver drops it
      }
      if (owned != null) {
        owned.removeAll(changes.changed());
        owned.removeAll(changes.removed());
        if (writers) {
          owned.addAll(changes.changed());
        }
        if (owned.isEmpty()) {
          continue;
        }
        ObjectNode updated = ((ObjectNode) entry).deepCopy();
        updated.set(FIELDS_V1, owned.toFieldsV1());
        if (writers) {
          updated.put("time", time);
          writerEntry = updated;
        }
        entry = updated;
      }
      entries.add(entry);
    }
    if (writerEntry == null && !changes.changed().isEmpty()) {
      ObjectNode entry = JsonNodeFactory.instance.objectNode();
      entry.put("manager", manager);
      entry.put("operation", UPDATE);
      entry.put("apiVersion", apiVersion);
      entry.put("time", time);
      entry.put("fieldsType", "FieldsV1");
      entry.set(FIELDS_V1, changes.changed().toFieldsV1());
      if (subresource != null) {
        entry.put("subresource", subresource);
      }
      entries.add(entry);
    }
    entries.sort(ORDER);
    ArrayNode out = metadata.putArray("managedFields");
    entries.forEach(out::add);
  }

  /**
   * The top-level fields a write may own: a main-resource write owns no status of a kind with a
   * status subresource, a status write nothing but status (and metadata), a scale write only spec.
   */
  private static Predicate<String> ownable(boolean statusSubresource, String subresource) {
    if ("status".equals(subresource)) {
      return f -> f.equals("status") || f.equals("metadata");
    }
    if ("scale".equals(subresource)) {
      return f -> f.equals("spec");
    }
    return statusSubresource ? f -> !f.equals("status") : f -> true;
  }

  /**
   * The entries the write starts from: those of the request when a main-resource write sets them
   * (how a client replaces managedFields; {@code [{}]} clears them), else the stored object's.
   */
  private static JsonNode startingEntries(JsonNode before, JsonNode metadata, String subresource) {
    JsonNode requested = metadata.get("managedFields");
    JsonNode live = before == null ? null : before.at("/metadata/managedFields");
    if (subresource == null && requested != null && requested.isArray() && !requested.isEmpty()) {
      if (requested.size() == 1 && requested.get(0).isEmpty()) {
        return JsonNodeFactory.instance.arrayNode();
      }
      return requested;
    }
    return live != null && live.isArray() ? live : JsonNodeFactory.instance.arrayNode();
  }
}
