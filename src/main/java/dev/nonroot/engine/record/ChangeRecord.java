package dev.nonroot.engine.record;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nonroot.engine.model.FieldPath;
import dev.nonroot.engine.plan.Change;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The nonroot.dev/changes annotation: one entry per field the operator ever changed on an object.
 * An entry keeps the value before the operator first touched the field (what an undo restores) and
 * the latest change, so the annotation stays small however often drift recurs.
 *
 * <p>A container's field is identified by the container's name, not its position: a container
 * inserted before it must not inherit its entries (an undo would give the newcomer another
 * container's original UID). An entry whose container is gone locates nowhere and stays as history.
 * Version 1 keyed entries by JSON pointer; it is read and migrated by the container name each of
 * its entries carries, and written back as version 2.
 */
public final class ChangeRecord {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The format written. */
  public static final int VERSION = 2;

  // The first container list in a pointer, the item's index, and the path inside the item.
  private static final Pattern IN_CONTAINER =
      Pattern.compile("^(.*?/(?:initContainers|containers))/(\\d+)(/.*)?$");

  /**
   * Where a recorded field lives. In a container: {@code list} is the pointer of the container list
   * (containers and initContainers are told apart), {@code container} its name and {@code path} the
   * pointer inside the container. Elsewhere (pod fields, a Service's fields): {@code list} is null
   * and {@code path} is the whole pointer; {@code container} may still name the container it was
   * about.
   */
  public record Place(String list, String container, String path) {
    /** The place of a change at {@code path} made for {@code container} (null: none). */
    public static Place of(FieldPath path, String container) {
      return of(path.pointer(), container);
    }

    static Place of(String pointer, String container) {
      if (container != null) {
        Matcher m = IN_CONTAINER.matcher(pointer);
        if (m.matches())
          return new Place(m.group(1), container, m.group(3) == null ? "" : m.group(3));
      }
      return new Place(null, container, pointer);
    }

    public boolean inContainer() {
      return list != null;
    }

    String key() {
      return inContainer() ? list + "|" + container + "|" + path : path;
    }

    /**
     * Where the field is in {@code object} now: inside the container of that name in that list,
     * wherever it stands; empty when no container of the list has the name (or several have).
     */
    public Optional<FieldPath> locate(JsonNode object) {
      if (!isPointer(path)) return Optional.empty();
      if (!inContainer()) return Optional.of(FieldPath.ofPointer(path));
      if (!isPointer(list)) return Optional.empty();
      JsonNode items = object.at(list);
      int found = -1;
      for (int i = 0; i < items.size(); i++) {
        // Unnamed containers are named by position, as the rules name them.
        if (!container.equals(items.get(i).path("name").asText("#" + i))) continue;
        if (found >= 0) return Optional.empty();
        found = i;
      }
      if (found < 0) return Optional.empty();
      return Optional.of(FieldPath.ofPointer(list).index(found, container).resolve(path));
    }
  }

  private static boolean isPointer(String s) {
    return s.isEmpty() || s.startsWith("/");
  }

  /** One field. A null JsonNode means the field was absent. */
  public record Entry(
      Place place,
      String field,
      String rule,
      String policy,
      JsonNode original,
      JsonNode from,
      JsonNode to,
      String time,
      int times) {
    public String container() {
      return place.container();
    }

    /** Where the field is in {@code object} now, or empty when its container is gone. */
    public Optional<FieldPath> locate(JsonNode object) {
      return place.locate(object);
    }
  }

  private final Map<String, Entry> entries = new LinkedHashMap<>();

  public static ChangeRecord empty() {
    return new ChangeRecord();
  }

  /**
   * Parses the annotation; a damaged annotation reads as empty rather than blocking remediation.
   */
  public static ChangeRecord parse(String annotation) {
    ChangeRecord r = new ChangeRecord();
    if (annotation == null || annotation.isBlank()) return r;
    try {
      JsonNode root = JSON.readTree(annotation);
      boolean byName = root.path("version").asInt(1) >= 2;
      for (JsonNode e : root.path("changes")) {
        String path = e.path("path").asText();
        String container = text(e, "container");
        String list = text(e, "list");
        // A container's entry without its container's name is damaged: it locates nowhere.
        if (byName && list != null && container == null) continue;
        Place place = byName ? new Place(list, container, path) : Place.of(path, container);
        Entry entry =
            new Entry(
                place,
                e.path("field").asText(),
                e.path("rule").asText(),
                e.path("policy").asText(),
                value(e, "original"),
                value(e, "from"),
                value(e, "to"),
                e.path("time").asText(),
                e.path("times").asInt(1));
        r.entries.merge(place.key(), entry, ChangeRecord::sameField);
      }
    } catch (JsonProcessingException e) {
      return new ChangeRecord();
    }
    return r;
  }

  /**
   * Two version-1 entries that name the same field of the same container (it stood at another
   * position when one was written): one entry, with the older original and the newer change.
   */
  private static Entry sameField(Entry a, Entry b) {
    Entry older = a.time().compareTo(b.time()) <= 0 ? a : b;
    Entry newer = older == a ? b : a;
    return new Entry(
        newer.place(),
        newer.field(),
        newer.rule(),
        newer.policy(),
        older.original(),
        newer.from(),
        newer.to(),
        newer.time(),
        a.times() + b.times());
  }

  /**
   * Records applied changes: a field seen before (the same field of the same container) keeps its
   * original value and counts the repeat.
   */
  public ChangeRecord with(List<Change> changes, String policy, String time) {
    ChangeRecord next = new ChangeRecord();
    next.entries.putAll(entries);
    for (Change c : changes) {
      Place place = Place.of(c.path(), c.container());
      Entry previous = entries.get(place.key());
      JsonNode original = previous != null ? previous.original() : c.oldValue();
      int times = previous != null ? previous.times() + 1 : 1;
      next.entries.put(
          place.key(),
          new Entry(
              place,
              c.field(),
              c.rule().name(),
              policy,
              original,
              c.oldValue(),
              c.newValue(),
              time,
              times));
    }
    return next;
  }

  public List<Entry> entries() {
    return List.copyOf(entries.values());
  }

  /** The entry of the field at {@code path} changed for {@code container} (null: none). */
  public Optional<Entry> entry(FieldPath path, String container) {
    return Optional.ofNullable(entries.get(Place.of(path, container).key()));
  }

  public boolean isEmpty() {
    return entries.isEmpty();
  }

  public String toJson() {
    ObjectNode root = JSON.createObjectNode();
    root.put("version", VERSION);
    ArrayNode list = root.putArray("changes");
    for (Entry e : entries.values()) {
      ObjectNode o = list.addObject();
      Place p = e.place();
      if (p.inContainer()) o.put("list", p.list());
      if (p.container() != null) o.put("container", p.container());
      o.put("path", p.path()).put("field", e.field());
      o.put("rule", e.rule()).put("policy", e.policy());
      if (e.original() != null) o.set("original", e.original());
      if (e.from() != null) o.set("from", e.from());
      if (e.to() != null) o.set("to", e.to());
      o.put("time", e.time()).put("times", e.times());
    }
    return root.toString();
  }

  private static JsonNode value(JsonNode e, String key) {
    JsonNode v = e.get(key);
    return v == null || v.isNull() ? null : v;
  }

  private static String text(JsonNode e, String key) {
    JsonNode v = e.get(key);
    return v == null || v.isNull() ? null : v.asText();
  }
}
