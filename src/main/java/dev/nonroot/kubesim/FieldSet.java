package dev.nonroot.kubesim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.TreeMap;

/**
 * A set of field paths, kept as the trie that the structured-merge-diff {@code FieldsV1} format
 * writes out: each child is named by its path element ({@code f:name}, {@code k:{"name":"web"}},
 * {@code v:"value"}), and a node is in the set itself when it is a leaf ({@code {}}) or carries a
 * {@code .} entry beside its children. Children are kept in name order, which puts {@code .} first
 * and the fields before the list items, as kube-apiserver writes them.
 */
final class FieldSet {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final String SELF = ".";

  private boolean member;
  private TreeMap<String, FieldSet> children;

  boolean isEmpty() {
    return !member && (children == null || children.isEmpty());
  }

  /** The child named by a path element, created if missing. */
  FieldSet child(String element) {
    if (children == null) {
      children = new TreeMap<>();
    }
    return children.computeIfAbsent(element, e -> new FieldSet());
  }

  /** Puts this node itself into the set. */
  void add() {
    member = true;
  }

  /** Whether the path (elements from this node down) is in the set. */
  boolean contains(String... path) {
    FieldSet node = this;
    for (String element : path) {
      node = node.children == null ? null : node.children.get(element);
      if (node == null) {
        return false;
      }
    }
    return node.member;
  }

  /** Adds every path of {@code other}. */
  void addAll(FieldSet other) {
    member |= other.member;
    if (other.children != null) {
      for (Map.Entry<String, FieldSet> e : other.children.entrySet()) {
        child(e.getKey()).addAll(e.getValue());
      }
    }
  }

  /**
   * Removes every path of {@code other} (the paths themselves, not what lies below them), as
   * structured-merge-diff's {@code Set.Difference} does.
   *
   * @return whether anything was removed
   */
  boolean removeAll(FieldSet other) {
    boolean removed = false;
    if (other.member && member) {
      member = false;
      removed = true;
    }
    if (children != null && other.children != null) {
      for (Map.Entry<String, FieldSet> e : other.children.entrySet()) {
        FieldSet mine = children.get(e.getKey());
        if (mine != null && mine.removeAll(e.getValue())) {
          removed = true;
          if (mine.isEmpty()) {
            children.remove(e.getKey());
          }
        }
      }
    }
    return removed;
  }

  /**
   * Whether a {@code fieldsV1} trie holds any path of {@code other}, without decoding it: the walk
   * follows {@code other}, which is small (what one write changed).
   */
  static boolean intersects(JsonNode fieldsV1, FieldSet other) {
    if (other.children == null || !fieldsV1.isObject()) {
      return false;
    }
    for (Map.Entry<String, FieldSet> e : other.children.entrySet()) {
      JsonNode mine = fieldsV1.get(e.getKey());
      if (mine == null || !mine.isObject()) {
        continue;
      }
      if (e.getValue().member && (mine.isEmpty() || mine.has(SELF))) {
        return true;
      }
      if (intersects(mine, e.getValue())) {
        return true;
      }
    }
    return false;
  }

  /** The set as a {@code fieldsV1} object. */
  ObjectNode toFieldsV1() {
    ObjectNode out = JSON.objectNode();
    writeChildren(out);
    return out;
  }

  private void writeChildren(ObjectNode out) {
    if (children == null) {
      return;
    }
    for (Map.Entry<String, FieldSet> e : children.entrySet()) {
      FieldSet child = e.getValue();
      ObjectNode node = out.putObject(e.getKey());
      if (child.member && child.children != null && !child.children.isEmpty()) {
        node.putObject(SELF);
      }
      child.writeChildren(node);
    }
  }

  /** Reads a {@code fieldsV1} object; anything that is not an object reads as nothing. */
  static FieldSet fromFieldsV1(JsonNode fieldsV1) {
    FieldSet set = new FieldSet();
    if (fieldsV1 != null && fieldsV1.isObject()) {
      set.readChildren(fieldsV1);
    }
    return set;
  }

  private void readChildren(JsonNode node) {
    for (Map.Entry<String, JsonNode> e : node.properties()) {
      if (e.getKey().equals(SELF) || !e.getValue().isObject()) {
        continue;
      }
      FieldSet child = child(e.getKey());
      JsonNode value = e.getValue();
      if (value.isEmpty() || value.has(SELF)) {
        child.member = true;
      }
      child.readChildren(value);
    }
  }

  @Override
  public String toString() {
    return toFieldsV1().toString();
  }
}
