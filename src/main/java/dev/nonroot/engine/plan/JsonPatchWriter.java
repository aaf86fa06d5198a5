package dev.nonroot.engine.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nonroot.engine.model.FieldPath;
import dev.nonroot.engine.model.Trees;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Turns changes into an RFC 6902 JSON Patch against the object they were planned on. JSON Patch
 * replaces whole values at exact paths, so it behaves the same on a real API server and on the
 * mock. A list item a change inserts is an "add" at its index, which RFC 6902 inserts there.
 */
public final class JsonPatchWriter {
  private final JsonNode original;
  private final ArrayNode ops = JsonNodeFactory.instance.arrayNode();
  private final Set<String> created = new HashSet<>();

  public JsonPatchWriter(JsonNode original) {
    this.original = original;
  }

  public JsonPatchWriter addAll(List<Change> changes) {
    for (Change c : changes) {
      if (c.inserts()) ops.add(op("add", c.path().pointer(), c.newValue()));
      else add(c.path(), c.newValue());
    }
    return this;
  }

  /** Sets (or with null, removes) the value at path, adding missing parent objects first. */
  public JsonPatchWriter add(FieldPath path, JsonNode value) {
    ensureParents(path.parent());
    boolean exists = !created.contains(path.pointer()) && Trees.valueAt(original, path) != null;
    if (value == null) {
      if (exists) ops.add(op("remove", path.pointer(), null));
    } else {
      ops.add(op(exists ? "replace" : "add", path.pointer(), value));
    }
    return this;
  }

  private void ensureParents(FieldPath path) {
    if (path.isRoot() || created.contains(path.pointer())) return;
    if (Trees.valueAt(original, path) != null) return;
    ensureParents(path.parent());
    ops.add(op("add", path.pointer(), JsonNodeFactory.instance.objectNode()));
    created.add(path.pointer());
  }

  public ArrayNode ops() {
    return ops;
  }

  private static ObjectNode op(String op, String path, JsonNode value) {
    ObjectNode o = JsonNodeFactory.instance.objectNode().put("op", op).put("path", path);
    if (value != null) o.set("value", value);
    return o;
  }
}
