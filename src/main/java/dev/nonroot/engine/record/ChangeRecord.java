package dev.nonroot.engine.record;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nonroot.engine.model.FieldPath;
import dev.nonroot.engine.model.Trees;
import dev.nonroot.engine.model.WorkloadPods;
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
 *
 * <p>Inside a container, an item of {@code ports} or {@code env} is identified by its Kubernetes
 * key, not its index: a port by its name, or (unnamed) by the port number and protocol it had
 * before the operator moved it; an env var by its name. Two ports that stood at the same index one
 * after the other (an author's reorder, or a duplicate port removed) are then two entries, each
 * with its own original value.
 *
 * <p>Version 1 keyed entries by JSON pointer, version 2 by container name and the index inside it;
 * both are read and migrated as far as they tell (a port by its recorded original number, protocol
 * unknown until the next change of that port names it; an env var by the name in the entry's
 * field), and written back as version 3.
 */
public final class ChangeRecord {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The format written. */
  public static final int VERSION = 3;

  // The first container list in a pointer, the item's index, and the path inside the item.
  private static final Pattern IN_CONTAINER =
      Pattern.compile("^(.*?/(?:initContainers|containers))/(\\d+)(/.*)?$");
  // A keyed list item inside a container: the list, the item's index, the path inside the item.
  private static final Pattern IN_ITEM = Pattern.compile("^/(ports|env)/(\\d+)(/.*)?$");

  /**
   * A list item of a container, by its Kubernetes key rather than its position: in {@code ports} by
   * {@code name}, else by {@code port} and {@code protocol} as the item was before the operator
   * first changed it (null protocol: not known, from an older record); in {@code env} by {@code
   * name}. {@code at}: for an item the operator removed, the index it stood at (null: not recorded,
   * as in older records).
   */
  public record Item(String list, String name, Integer port, String protocol, Integer at) {
    static final String PORTS = "ports";

    Item(String list, String name, Integer port, String protocol) {
      this(list, name, port, protocol, null);
    }

    /**
     * The same key, for a change of the whole item (a removal) made while it stood at {@code
     * index}: where a revert inserts it again. Not part of the key.
     */
    Item standingAt(int index) {
      return new Item(list, name, port, protocol, index);
    }

    /**
     * The key of {@code item} (as it is before a change) in {@code list}, or null if it has none.
     */
    static Item of(String list, JsonNode item) {
      String name = item.path("name").asText("");
      if (!name.isEmpty()) return new Item(list, name, null, null);
      if (!PORTS.equals(list)) return null;
      Integer port = Trees.intValue(item.get("containerPort"));
      return port == null ? null : new Item(list, null, port, item.path("protocol").asText("TCP"));
    }

    String key() {
      return list
          + "["
          + (name != null ? "name=" + name : port + "/" + (protocol == null ? "?" : protocol))
          + "]";
    }

    boolean matches(JsonNode item) {
      if (name != null) return name.equals(item.path("name").asText(""));
      return protocol == null || protocol.equals(item.path("protocol").asText("TCP"));
    }
  }

  /**
   * Where a recorded field lives. In a container: {@code list} is the pointer of the container list
   * (containers and initContainers are told apart), {@code container} its name and {@code path} the
   * pointer inside the container, or, when {@code item} names a port or env item, inside that item.
   * Elsewhere (pod fields, a Service's fields): {@code list} and {@code item} are null and {@code
   * path} is the whole pointer; {@code container} may still name the container it was about.
   */
  public record Place(String list, String container, Item item, String path) {
    /**
     * The place of a change at {@code path} made for {@code container} (null: none) in {@code
     * object} as it is before the change (a port or env item is keyed by what it holds there).
     */
    public static Place of(JsonNode object, FieldPath path, String container, JsonNode oldValue) {
      Place p = of(path.pointer(), container);
      if (!p.inContainer()) return p;
      Matcher m = IN_ITEM.matcher(p.path());
      if (!m.matches()) return p;
      JsonNode item = object == null ? null : object.at(itemPointer(path.pointer(), m));
      Item key = item != null && item.isObject() ? Item.of(m.group(1), item) : null;
      // Without the object, a port item's own value (a removed item, or the moved number) says it.
      if (key == null && oldValue != null && oldValue.isObject() && m.group(3) == null) {
        key = Item.of(m.group(1), oldValue);
      } else if (key == null
          && Item.PORTS.equals(m.group(1))
          && "/containerPort".equals(m.group(3))
          && Trees.intValue(oldValue) != null) {
        key = new Item(Item.PORTS, null, Trees.intValue(oldValue), "TCP");
      }
      if (key == null) return p;
      if (m.group(3) == null) key = key.standingAt(Integer.parseInt(m.group(2)));
      return new Place(p.list(), container, key, m.group(3) == null ? "" : m.group(3));
    }

    static Place of(String pointer, String container) {
      if (container != null) {
        Matcher m = IN_CONTAINER.matcher(pointer);
        if (m.matches())
          return new Place(m.group(1), container, null, m.group(3) == null ? "" : m.group(3));
      }
      return new Place(null, container, null, pointer);
    }

    public boolean inContainer() {
      return list != null;
    }

    String key() {
      if (!inContainer()) return path;
      return list + "|" + container + "|" + (item == null ? "" : item.key()) + "|" + path;
    }

    /**
     * Where the field is in {@code object} now: inside the container of that name in that list,
     * wherever it stands, and in it inside the item of that key (for a port without a name, the one
     * that now declares {@code to}, the value the operator gave it, else the one that still
     * declares the recorded number); empty when no container of the list has the name (or several
     * have), or no item has the key.
     */
    Optional<FieldPath> locate(JsonNode object, JsonNode to) {
      if (!isPointer(path)) return Optional.empty();
      if (!inContainer()) return Optional.of(FieldPath.ofPointer(path));
      int found = containerIndex(object);
      if (found < 0) return Optional.empty();
      FieldPath at = FieldPath.ofPointer(list).index(found, container);
      if (item == null) return Optional.of(at.resolve(path));
      JsonNode listed = object.at(list).get(found).path(item.list());
      int index = itemIndex(listed, to);
      if (index < 0) return Optional.empty();
      String name = listed.get(index).path("name").asText("");
      return Optional.of(
          at.key(item.list()).index(index, name.isEmpty() ? null : name).resolve(path));
    }

    /**
     * Where a whole item that was removed from here goes back into {@code object}: its container's
     * list, at the index it stood at (the end of the list when the record does not say, where
     * {@code kubectl apply} adds an item). The index may lie past the end of the list as it is now:
     * items removed beside it go back first, and whoever inserts clamps it to the list as those
     * insertions leave it. Empty when this is not a whole item, or its container (or the list) is
     * gone.
     */
    Optional<FieldPath> slot(JsonNode object) {
      if (!inContainer() || item == null || !path.isEmpty() || !isPointer(list)) {
        return Optional.empty();
      }
      int found = containerIndex(object);
      if (found < 0) return Optional.empty();
      JsonNode listed = object.at(list).get(found).path(item.list());
      if (!listed.isArray()) return Optional.empty();
      int index = item.at() == null ? listed.size() : item.at();
      return Optional.of(
          FieldPath.ofPointer(list).index(found, container).key(item.list()).index(index, null));
    }

    /** The index of the one container of that name in the list, else -1. */
    private int containerIndex(JsonNode object) {
      if (!isPointer(list)) return -1;
      JsonNode items = object.at(list);
      int found = -1;
      for (int i = 0; i < items.size(); i++) {
        // Unnamed containers are named by position, as the rules name them.
        if (!container.equals(items.get(i).path("name").asText("#" + i))) continue;
        if (found >= 0) return -1;
        found = i;
      }
      return found;
    }

    private int itemIndex(JsonNode listed, JsonNode to) {
      JsonNode value = path.isEmpty() ? null : to;
      int first = -1;
      int original = -1;
      for (int i = 0; i < listed.size(); i++) {
        JsonNode candidate = listed.get(i);
        if (!item.matches(candidate)) continue;
        JsonNode now = path.isEmpty() ? candidate : candidate.at(path);
        if (value != null && sameValue(now, value)) return i;
        if (first < 0) first = i;
        if (original < 0
            && item.port() != null
            && item.port().equals(Trees.intValue(candidate.get("containerPort")))) original = i;
      }
      // An unnamed port is only the item that declares its moved or its recorded number.
      return item.name() != null ? first : original;
    }
  }

  /** The same value, a number whatever its JSON width (a long uid reads back as an int). */
  static boolean sameValue(JsonNode a, JsonNode b) {
    if (a == null || b == null) return a == b;
    if (a.equals(b)) return true;
    Integer x = Trees.intValue(a);
    return x != null && x.equals(Trees.intValue(b));
  }

  private static String itemPointer(String pointer, Matcher inItem) {
    String rest = inItem.group(3) == null ? "" : inItem.group(3);
    return pointer.substring(0, pointer.length() - rest.length());
  }

  private static boolean isPointer(String s) {
    return s.isEmpty() || s.startsWith("/");
  }

  /** Action of an entry whose latest change a remediation made. */
  public static final String PATCHED = "Patched";

  /** Action of an entry whose latest change put the field back after a failed rollout. */
  public static final String REVERTED = "Reverted";

  /**
   * One field. A null JsonNode means the field was absent. {@code action} says what the latest
   * change was: {@link #PATCHED} (from → to by a rule) or {@link #REVERTED} (put back to {@code
   * to}, the value before the remediation, after its rollout failed).
   */
  public record Entry(
      Place place,
      String field,
      String rule,
      String policy,
      JsonNode original,
      JsonNode from,
      JsonNode to,
      String time,
      int times,
      String action) {
    public Entry(
        Place place,
        String field,
        String rule,
        String policy,
        JsonNode original,
        JsonNode from,
        JsonNode to,
        String time,
        int times) {
      this(place, field, rule, policy, original, from, to, time, times, PATCHED);
    }

    public String container() {
      return place.container();
    }

    public boolean reverted() {
      return REVERTED.equals(action);
    }

    /**
     * Where the field is in {@code object} now, if it still holds the value this entry's latest
     * change gave it; empty when someone changed it since (or it is gone).
     */
    public Optional<FieldPath> stillApplied(JsonNode object) {
      Optional<FieldPath> at = locate(object);
      if (at.isEmpty()) return at;
      JsonNode now = Trees.valueAt(object, at.get());
      if (to == null) return now == null ? at : Optional.empty();
      return now != null && sameValue(now, to) ? at : Optional.empty();
    }

    /**
     * Where the field is in {@code object} now, or empty when its container (or its port or env
     * item) is gone.
     */
    public Optional<FieldPath> locate(JsonNode object) {
      return place.locate(object, to);
    }

    /**
     * The port ({@code "8080/TCP"}) a containerPort move of this entry declares in {@code object}:
     * empty unless the entry moved a container's port, was not put back, and still holds.
     */
    public Optional<String> movedPort(JsonNode object) {
      Item item = place.item();
      if (reverted()
          || item == null
          || !"ports".equals(item.list())
          || !"/containerPort".equals(place.path())) {
        return Optional.empty();
      }
      Optional<FieldPath> at = stillApplied(object);
      Integer port = Trees.intValue(to);
      if (at.isEmpty() || port == null) return Optional.empty();
      JsonNode declared = Trees.valueAt(object, at.get().parent());
      return Optional.of(
          WorkloadPods.port(
              port, declared == null ? "TCP" : declared.path("protocol").asText("TCP")));
    }

    /** Whether this entry's latest change removed a whole port or env item. */
    public boolean removedItem() {
      return to == null && place.item() != null && place.path().isEmpty();
    }

    /**
     * For an entry whose change removed a whole item that no item of {@code object} holds again:
     * where inserting it puts it back ({@link Place#slot}); empty otherwise.
     */
    public Optional<FieldPath> insertion(JsonNode object) {
      if (!removedItem() || locate(object).isPresent()) return Optional.empty();
      return place.slot(object);
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
      int version = root.path("version").asInt(1);
      for (JsonNode e : root.path("changes")) {
        String path = e.path("path").asText();
        String container = text(e, "container");
        String list = text(e, "list");
        // A container's entry without its container's name is damaged: it locates nowhere.
        if (version >= 2 && list != null && container == null) continue;
        Place place =
            version >= 3
                ? new Place(list, container, item(e.get("item")), path)
                : byItem(
                    version >= 2
                        ? new Place(list, container, null, path)
                        : Place.of(path, container),
                    e.path("field").asText(),
                    value(e, "original"));
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
                e.path("times").asInt(1),
                e.path("action").asText(PATCHED));
        r.entries.merge(place.key(), entry, ChangeRecord::sameField);
      }
    } catch (JsonProcessingException e) {
      return new ChangeRecord();
    }
    return r;
  }

  /**
   * An entry of an older version, which kept a port or env item by its index: the item's key as far
   * as the entry tells it. A moved port by the number it had (its protocol unknown), a removed port
   * item by what it held, an env var by the name its field shows ("...env[PORT].value").
   */
  private static Place byItem(Place p, String field, JsonNode original) {
    if (!p.inContainer()) return p;
    Matcher m = IN_ITEM.matcher(p.path());
    if (!m.matches()) return p;
    String list = m.group(1);
    String rest = m.group(3) == null ? "" : m.group(3);
    Item key = null;
    if (Item.PORTS.equals(list)) {
      if (rest.isEmpty() && original != null && original.isObject()) {
        key = Item.of(list, original);
        // The index is the annotation's, which anyone can edit: one too large to be read is none.
        if (key != null && m.group(2).length() < 10) {
          key = key.standingAt(Integer.parseInt(m.group(2)));
        }
      } else if (rest.equals("/containerPort") && Trees.intValue(original) != null) {
        key = new Item(list, null, Trees.intValue(original), null);
      }
    } else {
      String open = "[" + p.container() + "].env[";
      String close = "]" + rest.replace('/', '.');
      int at = field.indexOf(open);
      if (at >= 0
          && field.endsWith(close)
          && field.length() >= at + open.length() + close.length()) {
        String name = field.substring(at + open.length(), field.length() - close.length());
        // A number is the item's index: the env var had no name to show.
        if (!name.isEmpty() && !name.equals(m.group(2))) key = new Item(list, name, null, null);
      }
    }
    return key == null ? p : new Place(p.list(), p.container(), key, rest);
  }

  private static Item item(JsonNode o) {
    if (o == null || !o.isObject()) return null;
    return new Item(
        o.path("list").asText(),
        text(o, "name"),
        o.hasNonNull("containerPort") ? o.get("containerPort").asInt() : null,
        text(o, "protocol"),
        o.path("at").canConvertToInt() && o.path("at").asInt() >= 0 ? o.get("at").asInt() : null);
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
   * Records changes applied to {@code object} (as it is before them): a field seen before (the same
   * field of the same container and, in a port or env item, of the same item) keeps its original
   * value and counts the repeat.
   */
  public ChangeRecord with(JsonNode object, List<Change> changes, String policy, String time) {
    ChangeRecord next = new ChangeRecord();
    next.entries.putAll(entries);
    for (Change c : changes) {
      Place place = Place.of(object, c.path(), c.container(), c.oldValue());
      Entry previous = next.entries.get(place.key());
      if (previous == null) previous = adoptMigrated(next, place, object, c);
      JsonNode original = previous != null ? previous.original() : c.oldValue();
      // A field the operator itself put back (its rollout failed) is applied again by a rescue or
      // a re-arm, not because someone set it back: that does not count as a repeat.
      int times =
          previous == null ? 1 : previous.reverted() ? previous.times() : previous.times() + 1;
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

  /**
   * The entry an older record kept for this port under its number alone (protocol unknown): taken
   * out of {@code next}, so the change's entry, keyed in full now, carries on its history.
   */
  private static Entry adoptMigrated(ChangeRecord next, Place place, JsonNode object, Change c) {
    if (place.item() == null || !Item.PORTS.equals(place.item().list())) return null;
    Integer port = place.item().port();
    if (port == null && object != null) {
      String rest = place.path();
      String pointer = c.path().pointer();
      port =
          Trees.intValue(
              object
                  .at(pointer.substring(0, pointer.length() - rest.length()))
                  .get("containerPort"));
    }
    if (port == null) return null;
    Place migrated =
        new Place(
            place.list(), place.container(), new Item(Item.PORTS, null, port, null), place.path());
    return next.entries.remove(migrated.key());
  }

  /**
   * Records that the fields of {@code restored} (entries of this record) were put back, at {@code
   * time}, to the value they had before their latest change: each keeps its original and its place,
   * its latest change becomes to → from, marked {@link #REVERTED}.
   */
  public ChangeRecord reverted(List<Entry> restored, String time) {
    ChangeRecord next = new ChangeRecord();
    next.entries.putAll(entries);
    for (Entry e : restored) {
      next.entries.put(
          e.place().key(),
          new Entry(
              e.place(),
              e.field(),
              e.rule(),
              e.policy(),
              e.original(),
              e.to(),
              e.from(),
              time,
              e.times(),
              REVERTED));
    }
    return next;
  }

  /**
   * This record without {@code gone} (entries of it): what is left once their fields are undone.
   */
  public ChangeRecord without(List<Entry> gone) {
    ChangeRecord next = new ChangeRecord();
    next.entries.putAll(entries);
    for (Entry e : gone) next.entries.remove(e.place().key());
    return next;
  }

  /**
   * Whether an annotation is present but cannot be read as a record ({@link #parse} reads it as
   * empty): an undo must say so rather than find nothing to do.
   */
  public static boolean damaged(String annotation) {
    if (annotation == null || annotation.isBlank()) return false;
    try {
      JsonNode root = JSON.readTree(annotation);
      return root == null || !root.isObject() || !root.path("changes").isArray();
    } catch (JsonProcessingException e) {
      return true;
    }
  }

  public List<Entry> entries() {
    return List.copyOf(entries.values());
  }

  /**
   * The entry of the field at {@code path} of {@code object} changed for {@code container} (null:
   * none).
   */
  public Optional<Entry> entry(JsonNode object, FieldPath path, String container) {
    return Optional.ofNullable(
        entries.get(Place.of(object, path, container, Trees.valueAt(object, path)).key()));
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
      if (p.item() != null) {
        ObjectNode item = o.putObject("item").put("list", p.item().list());
        if (p.item().name() != null) item.put("name", p.item().name());
        if (p.item().port() != null) item.put("containerPort", p.item().port());
        if (p.item().protocol() != null) item.put("protocol", p.item().protocol());
        if (p.item().at() != null) item.put("at", p.item().at());
      }
      o.put("path", p.path()).put("field", e.field());
      o.put("rule", e.rule()).put("policy", e.policy());
      if (e.original() != null) o.set("original", e.original());
      if (e.from() != null) o.set("from", e.from());
      if (e.to() != null) o.set("to", e.to());
      o.put("time", e.time()).put("times", e.times());
      if (e.reverted()) o.put("action", e.action());
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
