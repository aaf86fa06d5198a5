package dev.nonroot.kubesim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.nonroot.kubesim.FieldTypes.Kind;
import dev.nonroot.kubesim.FieldTypes.Shape;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The fields one write changed, found in one walk over the object before and after it, as
 * structured-merge-diff's {@code Compare} finds them for kube-apiserver's Update operations: {@link
 * #changed} holds what the write added or modified (leaves, and nodes that did not exist before),
 * {@link #removed} what it took away. A list reordered, or a value written again, changes nothing.
 */
final class FieldChanges {
  private static final JsonNode EMPTY = JsonNodeFactory.instance.objectNode();
  private static final JsonNode EMPTY_LIST = JsonNodeFactory.instance.arrayNode();

  private final FieldSet changed = new FieldSet();
  private final FieldSet removed = new FieldSet();
  private final Predicate<String> rootFields;

  private FieldChanges(Predicate<String> rootFields) {
    this.rootFields = rootFields;
  }

  /**
   * @param before the object before the write; null on create
   * @param after the object as stored
   * @param root the object's shape ({@link FieldTypes#of})
   * @param rootFields the top-level fields this write may own (a status write owns no spec)
   */
  static FieldChanges between(
      JsonNode before, JsonNode after, Shape root, Predicate<String> rootFields) {
    FieldChanges changes = new FieldChanges(rootFields);
    changes.compare(before == null ? EMPTY : before, after, root, new Step(null, null, null));
    return changes;
  }

  /** What the writer now owns: added and modified fields. */
  FieldSet changed() {
    return changed;
  }

  /** Fields that no longer exist: nobody owns them any more. */
  FieldSet removed() {
    return removed;
  }

  /** Both sides present. */
  private void compare(JsonNode before, JsonNode after, Shape shape, Step at) {
    if (shape.kind() == Kind.IGNORED) {
      return;
    }
    boolean sameType = before.getNodeType() == after.getNodeType();
    if (sameType && after.isObject() && shape.kind() != Kind.ATOMIC) {
      if (!before.isEmpty() || !after.isEmpty()) {
        compareFields(before, after, shape.kind() == Kind.STRUCT ? shape : FieldTypes.DEDUCED, at);
      }
      return;
    }
    if (sameType && after.isArray() && !(before.isEmpty() && after.isEmpty())) {
      if (shape.kind() == Kind.ASSOCIATIVE_LIST || shape.kind() == Kind.SET) {
        Map<String, JsonNode> b = items(before, shape);
        Map<String, JsonNode> a = items(after, shape);
        if (b != null && a != null) {
          compareItems(b, a, shape, at);
          return;
        }
        // An item without its key, or two with the same: the list is owned as one leaf.
      }
    }
    if (!before.equals(after)) {
      changedAt(at).add(); // a leaf: a scalar, an atomic value, or a value whose type changed
    }
  }

  private void compareFields(JsonNode before, JsonNode after, Shape struct, Step at) {
    boolean root = at.parent == null;
    for (Map.Entry<String, JsonNode> e : after.properties()) {
      String name = e.getKey();
      if (root && !rootFields.test(name)) {
        continue;
      }
      Shape shape = struct.field(name);
      JsonNode old = before.get(name);
      Step child = new Step(at, "f:", name);
      if (old != null) {
        compare(old, e.getValue(), shape, child);
      } else if (struct.isAlways(name)) {
        compare(zeroLike(e.getValue()), e.getValue(), shape, child);
      } else {
        collect(e.getValue(), shape, child, true);
      }
    }
    for (Map.Entry<String, JsonNode> e : before.properties()) {
      String name = e.getKey();
      if (after.has(name) || (root && !rootFields.test(name))) {
        continue;
      }
      Shape shape = struct.field(name);
      Step child = new Step(at, "f:", name);
      if (struct.isAlways(name)) {
        compare(e.getValue(), zeroLike(e.getValue()), shape, child);
      } else {
        collect(e.getValue(), shape, child, false);
      }
    }
  }

  private void compareItems(
      Map<String, JsonNode> before, Map<String, JsonNode> after, Shape list, Step at) {
    boolean set = list.kind() == Kind.SET;
    String prefix = set ? "v:" : "k:";
    for (Map.Entry<String, JsonNode> e : after.entrySet()) {
      JsonNode old = before.get(e.getKey());
      Step item = new Step(at, prefix, e.getKey());
      if (old == null) {
        collect(e.getValue(), set ? FieldTypes.ATOMIC : list.items(), item, true);
      } else if (!set) {
        compare(old, e.getValue(), list.items(), item);
      }
    }
    for (Map.Entry<String, JsonNode> e : before.entrySet()) {
      if (!after.containsKey(e.getKey())) {
        collect(
            e.getValue(),
            set ? FieldTypes.ATOMIC : list.items(),
            new Step(at, prefix, e.getKey()),
            false);
      }
    }
  }

  /** A node present on one side only: it and everything below it were added or removed. */
  private void collect(JsonNode node, Shape shape, Step at, boolean added) {
    if (shape.kind() == Kind.IGNORED) {
      return;
    }
    FieldSet set = added ? changedAt(at) : removedAt(at);
    set.add();
    collectBelow(node, shape, set);
  }

  private static void collectBelow(JsonNode node, Shape shape, FieldSet at) {
    if (shape.kind() == Kind.ATOMIC) {
      return;
    }
    if (node.isObject()) {
      Shape struct = shape.kind() == Kind.STRUCT ? shape : FieldTypes.DEDUCED;
      for (Map.Entry<String, JsonNode> e : node.properties()) {
        Shape field = struct.field(e.getKey());
        if (field.kind() == Kind.IGNORED) {
          continue;
        }
        FieldSet child = at.child("f:" + e.getKey());
        child.add();
        collectBelow(e.getValue(), field, child);
      }
    } else if (node.isArray()
        && (shape.kind() == Kind.ASSOCIATIVE_LIST || shape.kind() == Kind.SET)) {
      Map<String, JsonNode> items = items(node, shape);
      if (items == null) {
        return;
      }
      boolean set = shape.kind() == Kind.SET;
      for (Map.Entry<String, JsonNode> e : items.entrySet()) {
        FieldSet item = at.child((set ? "v:" : "k:") + e.getKey());
        item.add();
        if (!set) {
          collectBelow(e.getValue(), shape.items(), item);
        }
      }
    }
  }

  /**
   * The items of an associative list by their key ({@code {"containerPort":80,"protocol":"TCP"}},
   * keys in name order, a missing key with a default taking it), or of a set by their JSON value;
   * null when an item has no key or two items share one.
   */
  private static Map<String, JsonNode> items(JsonNode list, Shape shape) {
    Map<String, JsonNode> items = new LinkedHashMap<>();
    boolean set = shape.kind() == Kind.SET;
    StringBuilder key = new StringBuilder();
    for (JsonNode item : list) {
      key.setLength(0);
      if (set) {
        if (item.isContainerNode()) {
          return null;
        }
        key.append(item);
      } else {
        if (!item.isObject()) {
          return null;
        }
        key.append('{');
        for (String name : shape.keys()) {
          JsonNode value = item.get(name);
          if (key.length() > 1) {
            key.append(',');
          }
          key.append('"').append(name).append("\":");
          if (value != null && !value.isNull() && !value.isContainerNode()) {
            key.append(value);
          } else if (shape.keyDefaults().containsKey(name)) {
            key.append(JsonNodeFactory.instance.textNode(shape.keyDefaults().get(name)));
          } else {
            return null;
          }
        }
        key.append('}');
      }
      if (items.put(key.toString(), item) != null) {
        return null;
      }
    }
    return items;
  }

  /**
   * How Go serialises an unset field that is never omitted: an empty struct, a null list (which,
   * like an empty one, exists without items), or a null.
   */
  private static JsonNode zeroLike(JsonNode value) {
    if (value.isObject()) {
      return EMPTY;
    }
    return value.isArray() ? EMPTY_LIST : JsonNodeFactory.instance.nullNode();
  }

  private FieldSet changedAt(Step at) {
    if (at.changed == null) {
      at.changed = at.parent == null ? changed : changedAt(at.parent).child(at.element());
    }
    return at.changed;
  }

  private FieldSet removedAt(Step at) {
    if (at.removed == null) {
      at.removed = at.parent == null ? removed : removedAt(at.parent).child(at.element());
    }
    return at.removed;
  }

  /**
   * One step of the walk; its path element is spelled, and its trie nodes made, only when a change
   * is found at or below it, so an unchanged subtree costs no allocation beyond the steps.
   */
  private static final class Step {
    final Step parent;
    final String prefix;
    final String name;
    FieldSet changed;
    FieldSet removed;

    Step(Step parent, String prefix, String name) {
      this.parent = parent;
      this.prefix = prefix;
      this.name = name;
    }

    String element() {
      return prefix + name;
    }
  }
}
