package dev.nonroot.engine.record;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nonroot.engine.plan.Change;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The nonroot.dev/changes annotation: one entry per field the operator ever changed on an object.
 * An entry keeps the value before the operator first touched the field (what an undo restores) and
 * the latest change, so the annotation stays small however often drift recurs.
 */
public final class ChangeRecord {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One field. A null JsonNode means the field was absent. */
  public record Entry(
      String path,
      String field,
      String container,
      String rule,
      String policy,
      JsonNode original,
      JsonNode from,
      JsonNode to,
      String time,
      int times) {}

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
      for (JsonNode e : root.path("changes")) {
        Entry entry =
            new Entry(
                e.path("path").asText(),
                e.path("field").asText(),
                text(e, "container"),
                e.path("rule").asText(),
                e.path("policy").asText(),
                value(e, "original"),
                value(e, "from"),
                value(e, "to"),
                e.path("time").asText(),
                e.path("times").asInt(1));
        r.entries.put(entry.path(), entry);
      }
    } catch (JsonProcessingException e) {
      return new ChangeRecord();
    }
    return r;
  }

  /**
   * Records applied changes: a field seen before keeps its original value and counts the repeat.
   */
  public ChangeRecord with(List<Change> changes, String policy, String time) {
    ChangeRecord next = new ChangeRecord();
    next.entries.putAll(entries);
    for (Change c : changes) {
      String path = c.path().pointer();
      Entry previous = entries.get(path);
      JsonNode original = previous != null ? previous.original() : c.oldValue();
      int times = previous != null ? previous.times() + 1 : 1;
      next.entries.put(
          path,
          new Entry(
              path,
              c.field(),
              c.container(),
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

  public Optional<Entry> entry(String path) {
    return Optional.ofNullable(entries.get(path));
  }

  public boolean isEmpty() {
    return entries.isEmpty();
  }

  public String toJson() {
    ObjectNode root = JSON.createObjectNode();
    root.put("version", 1);
    ArrayNode list = root.putArray("changes");
    for (Entry e : entries.values()) {
      ObjectNode o = list.addObject();
      o.put("path", e.path()).put("field", e.field());
      if (e.container() != null) o.put("container", e.container());
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
