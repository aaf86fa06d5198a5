package dev.nonroot.engine.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A location inside an object, kept as segments so it renders both as an RFC 6901 pointer (for
 * patches) and as a readable field name where list items show their container name.
 *
 * <p>A path is its parent plus one segment: the engine builds paths a key at a time and walks up
 * them, and both cost one small object instead of a copy of every segment.
 */
public final class FieldPath {
  private static final FieldPath ROOT = new FieldPath(null, null, -1, null);

  /** Null only for the root. */
  private final FieldPath parent;

  /** The last segment: a key, or (key null) a list index with an optional label. */
  private final String key;

  private final int index;
  private final String label;
  private final int depth;
  private String pointer;

  private FieldPath(FieldPath parent, String key, int index, String label) {
    this.parent = parent;
    this.key = key;
    this.index = index;
    this.label = label;
    this.depth = parent == null ? 0 : parent.depth + 1;
  }

  public static FieldPath root() {
    return ROOT;
  }

  /** Parses a simple pointer made of keys and numeric indexes (no escaping needed). */
  public static FieldPath ofPointer(String pointer) {
    return ROOT.resolve(pointer);
  }

  /** This path followed by a simple relative pointer ("/ports/0/containerPort"). */
  public FieldPath resolve(String pointer) {
    FieldPath p = this;
    for (String part : pointer.split("/")) {
      if (part.isEmpty()) continue;
      p =
          part.chars().allMatch(Character::isDigit)
              ? p.index(Integer.parseInt(part), null)
              : p.key(part);
    }
    return p;
  }

  public FieldPath key(String key) {
    return new FieldPath(this, key, -1, null);
  }

  /** A list item; label (a container name) is shown instead of the index when known. */
  public FieldPath index(int index, String label) {
    return new FieldPath(this, null, index, label);
  }

  public FieldPath parent() {
    if (parent == null) throw new IndexOutOfBoundsException("the root has no parent");
    return parent;
  }

  public boolean isRoot() {
    return parent == null;
  }

  /** Whether the last segment is a list index (its parent must be a list, not an object). */
  public boolean lastIsIndex() {
    if (parent == null) throw new IndexOutOfBoundsException("the root has no segment");
    return key == null;
  }

  /** The last segment as it appears in a pointer. */
  public String lastToken() {
    if (parent == null) throw new IndexOutOfBoundsException("the root has no segment");
    return key != null ? key : Integer.toString(index);
  }

  /** Computed once: paths are compared and looked up often. */
  public String pointer() {
    String p = pointer;
    if (p == null) {
      p = parent == null ? "" : parent.pointer() + "/" + escapedToken();
      pointer = p;
    }
    return p;
  }

  private String escapedToken() {
    return key != null ? key.replace("~", "~0").replace("/", "~1") : Integer.toString(index);
  }

  public String display() {
    FieldPath[] chain = new FieldPath[depth];
    for (FieldPath p = this; p.parent != null; p = p.parent) chain[p.depth - 1] = p;
    StringBuilder b = new StringBuilder();
    for (FieldPath s : chain) {
      if (s.key != null) {
        if (b.length() > 0) b.append('.');
        b.append(s.key);
      } else {
        b.append('[').append(s.label != null ? s.label : Integer.toString(s.index)).append(']');
      }
    }
    return b.toString();
  }

  /**
   * The node at this path under {@code root}, or null: what {@code root.at(pointer())} finds,
   * without writing the pointer and parsing it again.
   */
  JsonNode find(JsonNode root) {
    if (parent == null) return root;
    JsonNode up = parent.find(root);
    if (up == null) return null;
    if (up instanceof ObjectNode obj) return obj.get(lastToken());
    if (up instanceof ArrayNode arr) return arr.get(key != null ? arrayIndex(key) : index);
    return null;
  }

  /**
   * A key used on a list: the index RFC 6901 reads in it ("0", "12"; no sign, no leading zero, at
   * most Integer.MAX_VALUE), else -1, which finds nothing.
   */
  private static int arrayIndex(String token) {
    int len = token.length();
    if (len == 0 || len > 10) return -1;
    char c = token.charAt(0);
    if (c <= '0') return len == 1 && c == '0' ? 0 : -1;
    long value = 0;
    for (int i = 0; i < len; i++) {
      c = token.charAt(i);
      if (c < '0' || c > '9') return -1;
      value = value * 10 + (c - '0');
    }
    return value > Integer.MAX_VALUE ? -1 : (int) value;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FieldPath f && f.pointer().equals(pointer());
  }

  @Override
  public int hashCode() {
    return pointer().hashCode();
  }

  @Override
  public String toString() {
    return pointer();
  }
}
