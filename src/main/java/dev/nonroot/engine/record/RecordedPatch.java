package dev.nonroot.engine.record;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.nonroot.api.Annotations;
import dev.nonroot.engine.model.FieldPath;
import dev.nonroot.engine.plan.Change;
import dev.nonroot.engine.plan.JsonPatchWriter;
import java.util.List;
import java.util.Map;

/**
 * The write that carries a plan: one RFC 6902 JSON Patch that applies the changes and updates the
 * object's nonroot.dev/changes record in the same request, so a change never exists without its
 * record. Every front end writes through here: the operator with the resourceVersion guard, an
 * admission webhook (which patches an object that has no version yet) without.
 */
public final class RecordedPatch {
  /** Whether the patch pins the resourceVersion the plan was made from. */
  public enum Guard {
    /** The API server answers 409 and writes nothing if the object changed since it was read. */
    RESOURCE_VERSION,
    /** No version check (admission responses). */
    NONE
  }

  public static final FieldPath RECORD =
      FieldPath.root().key("metadata").key("annotations").key(Annotations.CHANGES);
  private static final FieldPath RESOURCE_VERSION =
      FieldPath.root().key("metadata").key("resourceVersion");

  private RecordedPatch() {}

  /** The record the object carries now (empty when it has none or it is damaged). */
  public static ChangeRecord recordOf(JsonNode object) {
    JsonNode v = object.at(RECORD.pointer());
    return ChangeRecord.parse(v.isTextual() ? v.asText() : null);
  }

  /**
   * The patch for {@code changes} planned by {@code policy} on {@code original}, recorded at {@code
   * time}.
   */
  public static ArrayNode of(
      JsonNode original, List<Change> changes, String policy, String time, Guard guard) {
    return of(original, changes, recordOf(original).with(original, changes, policy, time), guard);
  }

  /**
   * The patch for {@code changes} on {@code original}, writing {@code record} as the new record.
   */
  public static ArrayNode of(
      JsonNode original, List<Change> changes, ChangeRecord record, Guard guard) {
    return of(original, changes, record, guard, Map.of());
  }

  /**
   * The same, with more fields set in the same request ({@code also}: a null value removes the
   * field), such as the rollout the write starts. Nothing the request carries exists without the
   * rest of it.
   */
  public static ArrayNode of(
      JsonNode original,
      List<Change> changes,
      ChangeRecord record,
      Guard guard,
      Map<FieldPath, JsonNode> also) {
    JsonPatchWriter writer = new JsonPatchWriter(original);
    if (guard == Guard.RESOURCE_VERSION) {
      writer.add(RESOURCE_VERSION, original.at(RESOURCE_VERSION.pointer()));
    }
    writer.addAll(changes);
    if (record != null) writer.add(RECORD, TextNode.valueOf(record.toJson()));
    also.forEach(writer::add);
    return writer.ops();
  }
}
