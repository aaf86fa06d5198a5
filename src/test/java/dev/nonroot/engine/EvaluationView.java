package dev.nonroot.engine;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.nonroot.engine.plan.Change;
import dev.nonroot.engine.plan.Finding;
import dev.nonroot.engine.rules.Evaluation;
import java.util.Iterator;
import java.util.Map;

/**
 * An evaluation in the fixtures' {@code expect} shape, so expected and actual compare as trees and
 * print side by side:
 *
 * <pre>
 * outcome: NonCompliant
 * changes:        [{field, from, to, rule}]       # from/to absent = field absent / removed;
 *                                                 # optional reason: a substring
 * serviceChanges: [{service: ns/name, field, from, to}]
 * unfixable:      [{rule, message}]              # expected message is a substring
 * needsRoot:      [KernelChanges, ...]           # evidence reasons, in order
 * exemption:      substring (optional)
 * action:         NONE, PATCH, WOULD_PATCH, ... (optional): what the Governor decides
 * gitops:         the Argo CD or Flux application the decision leaves the workload to, or none
 *                 (optional)
 * </pre>
 */
final class EvaluationView {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private EvaluationView() {}

  /** The decision's evaluation, with its action and GitOps owner where the fixture asks. */
  static ObjectNode of(Decision d, JsonNode expect) {
    ObjectNode v = of(d.evaluation());
    if (expect.has("action")) v.put("action", d.action().name());
    if (expect.has("gitops")) v.put("gitops", d.gitops() == null ? "none" : d.gitops().describe());
    return v;
  }

  static ObjectNode of(Evaluation e) {
    ObjectNode v = F.objectNode();
    v.put("outcome", e.outcome().name());
    ArrayNode changes = v.putArray("changes");
    for (Change c : e.changes()) {
      ObjectNode o = changes.addObject().put("field", c.field());
      o.set("from", c.oldValue());
      o.set("to", c.newValue());
      o.put("rule", c.rule().name());
      o.put("reason", c.reason());
    }
    ArrayNode services = v.putArray("serviceChanges");
    for (Change c : e.serviceChanges()) {
      ObjectNode o =
          services
              .addObject()
              .put(
                  "service",
                  c.target().namespace().isEmpty()
                      ? c.target().name()
                      : c.target().namespace() + "/" + c.target().name())
              .put("field", c.field());
      o.set("from", c.oldValue());
      o.set("to", c.newValue());
    }
    ArrayNode unfixable = v.putArray("unfixable");
    for (Finding f : e.findings()) {
      if (!f.fixable())
        unfixable.addObject().put("rule", f.rule().name()).put("message", f.message());
    }
    ArrayNode needsRoot = v.putArray("needsRoot");
    e.needsRoot().forEach(ev -> needsRoot.add(ev.reason().name()));
    if (e.exemption() != null) v.put("exemption", e.exemption());
    return canonical(v);
  }

  /** The fixture's expectation with every list present (absent = none) and nulls dropped. */
  static ObjectNode expected(JsonNode expect) {
    ObjectNode v = F.objectNode();
    v.set("outcome", expect.get("outcome"));
    for (String list : new String[] {"changes", "serviceChanges", "unfixable", "needsRoot"}) {
      JsonNode l = expect.get(list);
      v.set(list, l == null || l.isNull() ? F.arrayNode() : l.deepCopy());
    }
    if (expect.has("exemption")) v.set("exemption", expect.get("exemption"));
    for (String key : new String[] {"action", "gitops"}) {
      if (expect.has(key)) v.set(key, expect.get(key));
    }
    return canonical(v);
  }

  /**
   * Rewrites the actual view toward the expected one where the fixture only asks for part of it:
   * unfixable messages, change reasons and the exemption are substrings; a change reason or an
   * exemption not asked for is ignored.
   */
  static ObjectNode alignedTo(ObjectNode actual, ObjectNode expected) {
    ObjectNode a = actual.deepCopy();
    ArrayNode changes = (ArrayNode) a.get("changes");
    JsonNode wantChanges = expected.get("changes");
    for (int i = 0; i < changes.size(); i++) {
      ObjectNode g = (ObjectNode) changes.get(i);
      JsonNode w = i < wantChanges.size() ? wantChanges.get(i).get("reason") : null;
      if (w == null) {
        g.remove("reason");
      } else if (g.path("reason").asText().contains(w.asText())) {
        g.set("reason", w);
      }
    }
    ArrayNode got = (ArrayNode) a.get("unfixable");
    JsonNode want = expected.get("unfixable");
    for (int i = 0; i < Math.min(got.size(), want.size()); i++) {
      ObjectNode g = (ObjectNode) got.get(i);
      JsonNode w = want.get(i);
      if (g.path("rule").equals(w.path("rule"))
          && g.path("message").asText().contains(w.path("message").asText())) {
        g.set("message", w.get("message"));
      }
    }
    if (!expected.has("exemption")) {
      a.remove("exemption");
    } else if (a.path("exemption").asText().contains(expected.get("exemption").asText())) {
      a.set("exemption", expected.get("exemption"));
    }
    return a;
  }

  private static final YAMLMapper PRINTER =
      YAMLMapper.builder()
          .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
          .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
          .build();

  static String yaml(JsonNode n) {
    try {
      return PRINTER.writeValueAsString(n);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Nulls dropped and numbers re-read from text, so 65532 as a long equals 65532 read from YAML.
   */
  static ObjectNode canonical(ObjectNode v) {
    dropNulls(v);
    try {
      return (ObjectNode) Fixture.JSON.readTree(Fixture.JSON.writeValueAsString(v));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void dropNulls(JsonNode n) {
    if (n instanceof ObjectNode o) {
      for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (e.getValue() == null || e.getValue().isNull()) it.remove();
        else dropNulls(e.getValue());
      }
    } else if (n instanceof ArrayNode a) {
      a.forEach(EvaluationView::dropNulls);
    }
  }
}
