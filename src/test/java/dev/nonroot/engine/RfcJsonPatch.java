package dev.nonroot.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A strict RFC 6902 applier for add, remove and replace, as strict as a real API server: add needs
 * an existing parent, remove and replace need an existing target. Written here so the engine's
 * patch writer is checked against the RFC, not against itself.
 */
public final class RfcJsonPatch {
  private RfcJsonPatch() {}

  public static JsonNode apply(JsonNode document, ArrayNode ops) {
    JsonNode doc = document.deepCopy();
    for (JsonNode op : ops) {
      String kind = op.path("op").asText();
      List<String> tokens = tokens(op.path("path").asText());
      if (tokens.isEmpty()) throw new AssertionError("patch op on the document root: " + op);
      JsonNode parent = resolve(doc, tokens.subList(0, tokens.size() - 1), op);
      String last = tokens.get(tokens.size() - 1);
      JsonNode value = op.get("value");
      switch (kind) {
        case "add" -> add(parent, last, value, op);
        case "remove" -> remove(parent, last, op);
        case "replace" -> {
          remove(parent, last, op);
          add(parent, last, value, op);
        }
        default -> throw new AssertionError("unexpected op " + op);
      }
    }
    return doc;
  }

  private static void add(JsonNode parent, String token, JsonNode value, JsonNode op) {
    if (value == null) throw new AssertionError("op without value: " + op);
    if (parent instanceof ObjectNode o) {
      o.set(token, value.deepCopy());
    } else if (parent instanceof ArrayNode a) {
      if (token.equals("-")) a.add(value.deepCopy());
      else a.insert(index(a, token, a.size(), op), value.deepCopy());
    } else {
      throw new AssertionError("parent is not a container: " + op);
    }
  }

  private static void remove(JsonNode parent, String token, JsonNode op) {
    if (parent instanceof ObjectNode o) {
      if (!o.has(token)) throw new AssertionError("target does not exist: " + op);
      o.remove(token);
    } else if (parent instanceof ArrayNode a) {
      a.remove(index(a, token, a.size() - 1, op));
    } else {
      throw new AssertionError("parent is not a container: " + op);
    }
  }

  private static JsonNode resolve(JsonNode doc, List<String> tokens, JsonNode op) {
    JsonNode n = doc;
    for (String t : tokens) {
      if (n instanceof ObjectNode o && o.has(t)) n = o.get(t);
      else if (n instanceof ArrayNode a) n = a.get(index(a, t, a.size() - 1, op));
      else throw new AssertionError("parent of the target does not exist: " + op);
    }
    return n;
  }

  private static int index(ArrayNode a, String token, int max, JsonNode op) {
    if (!token.matches("0|[1-9][0-9]*") || Integer.parseInt(token) > max) {
      throw new AssertionError("bad array index in " + op);
    }
    return Integer.parseInt(token);
  }

  private static List<String> tokens(String pointer) {
    if (!pointer.startsWith("/")) throw new AssertionError("not a JSON pointer: " + pointer);
    List<String> out = new ArrayList<>();
    for (String t : pointer.substring(1).split("/", -1))
      out.add(t.replace("~1", "/").replace("~0", "~"));
    return out;
  }
}
