package dev.nonroot.engine.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nonroot.engine.model.FieldPath;
import java.util.List;

/**
 * Applies changes to a JSON tree in place, creating missing parent objects. New keys go at the end
 * of their object, so an existing document keeps its key order.
 */
public final class PlanApplier {
  private PlanApplier() {}

  public static void apply(ObjectNode root, List<Change> changes) {
    for (Change c : changes) {
      if (c.inserts()) insert(root, c.path(), c.newValue());
      else apply(root, c.path(), c.newValue());
    }
  }

  /** Inserts {@code value} into the list at {@code path}'s parent, at its index (or the end). */
  public static void insert(ObjectNode root, FieldPath path, JsonNode value) {
    if (!(ensureObject(root, path.parent()) instanceof ArrayNode arr)) {
      throw new IllegalArgumentException("cannot insert at " + path + ": parent is not a list");
    }
    arr.insert(Math.min(Integer.parseInt(path.lastToken()), arr.size()), value.deepCopy());
  }

  public static void apply(ObjectNode root, FieldPath path, JsonNode value) {
    JsonNode parent = ensureObject(root, path.parent());
    String token = path.lastToken();
    if (parent instanceof ObjectNode obj) {
      if (value == null) obj.remove(token);
      else obj.set(token, value.deepCopy());
    } else if (parent instanceof ArrayNode arr) {
      int i = Integer.parseInt(token);
      if (value == null) arr.remove(i);
      else arr.set(i, value.deepCopy());
    } else {
      throw new IllegalArgumentException(
          "cannot apply " + path + ": parent is not an object or list");
    }
  }

  private static JsonNode ensureObject(ObjectNode root, FieldPath path) {
    if (path.isRoot()) return root;
    JsonNode parent = ensureObject(root, path.parent());
    String token = path.lastToken();
    if (parent instanceof ObjectNode obj) {
      JsonNode child = obj.get(token);
      if (child == null || child.isNull()) {
        child = JsonNodeFactory.instance.objectNode();
        obj.set(token, child);
      }
      return child;
    }
    if (parent instanceof ArrayNode arr) return arr.get(Integer.parseInt(token));
    throw new IllegalArgumentException(
        "cannot reach " + path + ": parent is not an object or list");
  }
}
