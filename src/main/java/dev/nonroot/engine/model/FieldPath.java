package dev.nonroot.engine.model;

import java.util.ArrayList;
import java.util.List;

/**
 * A location inside an object, kept as segments so it renders both as an RFC 6901 pointer (for
 * patches) and as a readable field name where list items show their container name.
 */
public final class FieldPath {
  private record Segment(String key, int index, String label) {}

  private static final FieldPath ROOT = new FieldPath(List.of());
  private final List<Segment> segments;
  private String pointer;

  private FieldPath(List<Segment> segments) {
    this.segments = segments;
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
    return with(new Segment(key, -1, null));
  }

  /** A list item; label (a container name) is shown instead of the index when known. */
  public FieldPath index(int index, String label) {
    return with(new Segment(null, index, label));
  }

  private FieldPath with(Segment s) {
    List<Segment> next = new ArrayList<>(segments.size() + 1);
    next.addAll(segments);
    next.add(s);
    return new FieldPath(List.copyOf(next));
  }

  public FieldPath parent() {
    return new FieldPath(segments.subList(0, segments.size() - 1));
  }

  public boolean isRoot() {
    return segments.isEmpty();
  }

  /** Whether the last segment is a list index (its parent must be a list, not an object). */
  public boolean lastIsIndex() {
    return segments.get(segments.size() - 1).key == null;
  }

  /** The last segment as it appears in a pointer. */
  public String lastToken() {
    Segment s = segments.get(segments.size() - 1);
    return s.key != null ? s.key : Integer.toString(s.index);
  }

  /** Computed once: paths are compared and looked up often. */
  public String pointer() {
    String p = pointer;
    if (p == null) {
      p = renderPointer();
      pointer = p;
    }
    return p;
  }

  private String renderPointer() {
    StringBuilder b = new StringBuilder();
    for (Segment s : segments) {
      b.append('/');
      b.append(
          s.key != null ? s.key.replace("~", "~0").replace("/", "~1") : Integer.toString(s.index));
    }
    return b.toString();
  }

  public String display() {
    StringBuilder b = new StringBuilder();
    for (Segment s : segments) {
      if (s.key != null) {
        if (b.length() > 0) b.append('.');
        b.append(s.key);
      } else {
        b.append('[').append(s.label != null ? s.label : Integer.toString(s.index)).append(']');
      }
    }
    return b.toString();
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
