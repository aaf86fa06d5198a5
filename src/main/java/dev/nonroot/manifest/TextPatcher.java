package dev.nonroot.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nonroot.manifest.BlockYamlParser.Shape;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Writes a changed document by editing its text where the tree changed and nowhere else: a value
 * that changed is replaced in place, a new key is inserted after its mapping's last entry, a
 * removed key's lines are deleted. Comments, quoting, spacing and every untouched line stay byte
 * for byte. The result is read back and compared with the tree; when a change does not fit these
 * edits (or the document is outside what {@link BlockYamlParser} reads), the caller writes the
 * whole document instead.
 */
final class TextPatcher {
  /** Replace [start, end) with text; seq orders insertions at one offset (inner before outer). */
  private record Edit(int start, int end, String text, int seq) {}

  /** Thrown (without a stack trace) when the change needs a whole rewrite. */
  private static final class CannotPatch extends RuntimeException {
    private static final long serialVersionUID = 1L;
    static final CannotPatch INSTANCE = new CannotPatch();

    private CannotPatch() {
      super(null, null, false, false);
    }
  }

  private final String raw;
  private final String nl;
  private final boolean indentSequences;
  private final int[] lineStarts;
  private final List<Edit> edits = new ArrayList<>();

  private TextPatcher(String raw, boolean indentSequences) {
    this.raw = raw;
    this.nl = raw.contains("\r\n") ? "\r\n" : "\n";
    this.indentSequences = indentSequences;
    int count = 1;
    for (int i = raw.indexOf('\n'); i >= 0; i = raw.indexOf('\n', i + 1)) count++;
    int[] starts = new int[count];
    starts[0] = raw.startsWith("\uFEFF") ? 1 : 0;
    int n = 1;
    for (int i = raw.indexOf('\n'); i >= 0; i = raw.indexOf('\n', i + 1)) starts[n++] = i + 1;
    this.lineStarts = starts;
  }

  /** {@code raw} edited to hold {@code after}, or null when only a whole rewrite can do it. */
  static String patch(String raw, JsonNode after, boolean indentSequences) {
    return patch(raw, after, indentSequences, null);
  }

  /**
   * As {@link #patch(String, JsonNode, boolean)}, told where the tree may differ from the text:
   * everything else is known to be as read, so the diff does not walk it. Null: anywhere.
   */
  static String patch(String raw, JsonNode after, boolean indentSequences, Touched touched) {
    BlockYamlParser.Parsed before = BlockYamlParser.parse(raw, true);
    if (before == null || !after.isObject()) return null;
    TextPatcher p = new TextPatcher(raw, indentSequences);
    String text;
    try {
      p.value(before.tree(), after, before.shape(), -1, -1, touched);
      text = p.apply();
    } catch (CannotPatch e) {
      return null;
    }
    return readsBackAs(text, after) ? text : null;
  }

  private static boolean readsBackAs(String text, JsonNode expected) {
    BlockYamlParser.Parsed fast = BlockYamlParser.parse(text, false);
    JsonNode back;
    if (fast != null) {
      back = fast.tree();
    } else {
      try {
        Node root = YamlComposer.compose(text, 1);
        if (root == null) return false;
        back = TreeConverter.convert(root, 1).tree();
      } catch (ManifestSyntaxException e) {
        return false;
      }
    }
    return expected.equals(YamlWriter.SAME_VALUE, back);
  }

  // ---- the diff ----

  /**
   * Makes the text of {@code before} (at {@code shape}) say {@code after}. {@code ownerIndent} is
   * the column of the key (or dash) that holds the value, -1 for the root; {@code ownerLine} its
   * line.
   */
  private void value(
      JsonNode before,
      JsonNode after,
      Shape shape,
      int ownerIndent,
      int ownerLine,
      Touched touched) {
    // Collections are compared by walking them (an up-front deep equals at every level is
    // quadratic).
    if (before.isObject()
        && after.isObject()
        && shape.kind == Shape.Kind.MAPPING
        && !after.isEmpty()) {
      mapping(before, after, shape, touched);
    } else if (before.isArray()
        && after.isArray()
        && shape.kind == Shape.Kind.SEQUENCE
        && before.size() == after.size()) {
      for (int i = 0; i < before.size(); i++) {
        Touched below = Touched.below(touched, Integer.toString(i));
        if (below == Touched.NOT) continue;
        Shape item = shape.items.get(i);
        value(before.get(i), after.get(i), item, shape.indent, -1, below);
      }
    } else if (!before.equals(after)) {
      replace(after, shape, ownerIndent, ownerLine);
    }
  }

  /**
   * Where a fix changed a document: the pointers of the fields it set or removed, as a tree of
   * tokens. A value that no pointer passes through is as it was read, and diffs to nothing.
   */
  static final class Touched {
    /** Below a field no pointer passes through. */
    static final Touched NOT = new Touched();

    private final Map<String, Touched> below = new HashMap<>();

    /** A pointer ends here: anything under it may have changed. */
    private boolean whole;

    private Touched() {}

    /** The tree of these pointers (RFC 6901), or null (anywhere) when one is the whole document. */
    static Touched of(Collection<String> pointers) {
      Touched root = new Touched();
      for (String pointer : pointers) {
        if (pointer.isEmpty()) return null;
        Touched at = root;
        int start = 1;
        while (true) {
          int slash = pointer.indexOf('/', start);
          String token = pointer.substring(start, slash < 0 ? pointer.length() : slash);
          if (token.indexOf('~') >= 0) token = token.replace("~1", "/").replace("~0", "~");
          Touched next = at.below.get(token);
          if (next == null) {
            next = new Touched();
            at.below.put(token, next);
          }
          at = next;
          if (slash < 0) break;
          start = slash + 1;
        }
        at.whole = true;
      }
      return root;
    }

    /** What may have changed under {@code token}: NOT, null (anything) or the pointers below. */
    static Touched below(Touched touched, String token) {
      if (touched == null) return null;
      Touched t = touched.below.get(token);
      if (t == null) return NOT;
      return t.whole ? null : t;
    }
  }

  private void mapping(JsonNode before, JsonNode after, Shape shape, Touched touched) {
    List<String> kept = new ArrayList<>();
    List<String> removed = new ArrayList<>();
    before.fieldNames().forEachRemaining(k -> (after.has(k) ? kept : removed).add(k));
    List<String> afterKeys = new ArrayList<>();
    after.fieldNames().forEachRemaining(afterKeys::add);
    // The fixes keep existing keys in order and append new ones; anything else is a rewrite.
    if (!afterKeys.subList(0, Math.min(kept.size(), afterKeys.size())).equals(kept))
      throw CannotPatch.INSTANCE;
    List<String> added = afterKeys.subList(kept.size(), afterKeys.size());
    if (kept.isEmpty() && added.isEmpty()) throw CannotPatch.INSTANCE;
    for (String k : removed) deleteEntry(shape, k);
    for (String k : kept) {
      Touched below = Touched.below(touched, k);
      if (below == Touched.NOT) continue;
      Shape valueShape = shape.values.get(k);
      value(before.get(k), after.get(k), valueShape, shape.indent, valueShape.keyLine, below);
    }
    if (!added.isEmpty()) {
      StringBuilder block = new StringBuilder();
      for (String k : added) entry(block, k, after.get(k), shape.indent);
      insertAfterLine(shape.lastLine, block.toString());
    }
  }

  private void deleteEntry(Shape shape, String key) {
    int keyLine = shape.values.get(key).keyLine;
    requireOwnLine(keyLine, shape.indent);
    Shape v = shape.values.get(key);
    int last =
        switch (v.kind) {
          case INLINE, FLOW -> v.line;
          case LITERAL, MAPPING, SEQUENCE -> v.lastLine;
        };
    edits.add(edit(lineStart(keyLine), lineStart(last + 1), ""));
  }

  /** A value whose type or size changed: its text is replaced by the new value's. */
  private void replace(JsonNode after, Shape shape, int ownerIndent, int ownerLine) {
    boolean collection = (after.isObject() || after.isArray()) && !after.isEmpty();
    switch (shape.kind) {
      case INLINE -> {
        if (!collection) {
          String text = scalar(after, shape.style, false);
          int at = lineStart(shape.line) + shape.start;
          // An empty value ("key:") gets a blank before the new one.
          String lead = shape.start == shape.end ? " " : "";
          edits.add(edit(at, lineStart(shape.line) + shape.end, lead + text));
        } else {
          // "key: null" or "key:" becomes "key:" with the new block on the lines after it.
          if (ownerLine != shape.line || ownerIndent < 0) throw CannotPatch.INSTANCE;
          moveBelowKey(after, shape, ownerIndent);
        }
      }
      case FLOW -> {
        if (collection
            && shape.end - shape.start == 2
            && ownerLine == shape.line
            && ownerIndent >= 0) {
          // "key: {}" or "key: []" that gets content: the key line keeps "key:", the content goes
          // below.
          moveBelowKey(after, shape, ownerIndent);
          return;
        }
        if (collection && shape.end - shape.start == 2 && ownerLine != shape.line) {
          // "key:" with "{}" or "[]" on the next line: the content replaces that line, as a block.
          requireOwnLine(shape.line, shape.start);
          StringBuilder block = new StringBuilder();
          if (after.isObject()) {
            after.properties().forEach(e -> entry(block, e.getKey(), e.getValue(), shape.start));
          } else {
            for (JsonNode item : after) item(block, item, shape.start);
          }
          edits.add(edit(lineStart(shape.line), lineStart(shape.line + 1), block.toString()));
          return;
        }
        if (!flat(after)) throw CannotPatch.INSTANCE;
        String text =
            after.isValueNode() ? scalar(after, 'p', true) : flow(after, shape.quotedItems);
        edits.add(
            edit(lineStart(shape.line) + shape.start, lineStart(shape.line) + shape.end, text));
      }
      case MAPPING, SEQUENCE -> {
        if (!collection) {
          collapse(after, shape, ownerIndent, ownerLine);
          return;
        }
        requireOwnLine(shape.firstLine, shape.indent);
        StringBuilder block = new StringBuilder();
        if (after.isObject()) {
          if (shape.kind != Shape.Kind.MAPPING) throw CannotPatch.INSTANCE;
          after.properties().forEach(e -> entry(block, e.getKey(), e.getValue(), shape.indent));
        } else {
          if (shape.kind != Shape.Kind.SEQUENCE) throw CannotPatch.INSTANCE;
          for (JsonNode item : after) item(block, item, shape.indent);
        }
        edits.add(
            edit(lineStart(shape.firstLine), lineStart(shape.lastLine + 1), block.toString()));
      }
      case LITERAL -> throw CannotPatch.INSTANCE;
    }
  }

  /**
   * A block under "key:" that the change empties: its lines go and the key says "{}" or "[]" (the
   * form the API server prints an empty securityContext in), the opposite of {@link #moveBelowKey}.
   */
  private void collapse(JsonNode after, Shape shape, int ownerIndent, int ownerLine) {
    if (!after.isContainerNode()
        || ownerIndent < 0
        || ownerLine < 0
        || ownerLine >= shape.firstLine) throw CannotPatch.INSTANCE;
    int start = lineStart(ownerLine);
    int end = raw.indexOf('\n', start);
    if (end < 0) end = raw.length();
    if (end > start && raw.charAt(end - 1) == '\r') end--;
    String key = raw.substring(start, end).stripTrailing();
    // Anything after the colon (a comment, an anchor, a tag) is more than this edit can keep.
    if (!key.endsWith(":")) throw CannotPatch.INSTANCE;
    requireOwnLine(shape.firstLine, shape.indent);
    edits.add(edit(start + key.length(), end, after.isObject() ? " {}" : " []"));
    edits.add(edit(lineStart(shape.firstLine), lineStart(shape.lastLine + 1), ""));
  }

  /** Lines can only be cut or replaced whole where nothing but indentation precedes the content. */
  private void requireOwnLine(int line, int column) {
    int start = lineStart(line);
    for (int i = start; i < start + column; i++) {
      if (i >= raw.length() || raw.charAt(i) != ' ') throw CannotPatch.INSTANCE;
    }
  }

  /** Drops the inline value after "key:" and writes the new value as a block on the lines below. */
  private void moveBelowKey(JsonNode after, Shape shape, int ownerIndent) {
    int from = lineStart(shape.line) + shape.start;
    while (from > lineStart(shape.line) && raw.charAt(from - 1) == ' ') from--;
    edits.add(edit(from, lineStart(shape.line) + shape.end, ""));
    StringBuilder block = new StringBuilder();
    nested(block, after, ownerIndent);
    insertAfterLine(shape.line, block.toString());
  }

  private void insertAfterLine(int line, String block) {
    if (line + 1 < lineStarts.length) {
      edits.add(edit(lineStarts[line + 1], lineStarts[line + 1], block));
    } else {
      // The document's last line has no newline: the new lines go after one, and end without one.
      edits.add(
          edit(raw.length(), raw.length(), nl + block.substring(0, block.length() - nl.length())));
    }
  }

  private Edit edit(int start, int end, String text) {
    return new Edit(start, end, text, edits.size());
  }

  private int lineStart(int line) {
    return line < lineStarts.length ? lineStarts[line] : raw.length();
  }

  /**
   * Applies the edits from the end of the text backwards. Insertions at one offset come from nested
   * mappings that end on the same line; the inner one was planned first and must come first.
   */
  private String apply() {
    edits.sort(
        Comparator.comparingInt(Edit::start)
            .thenComparingInt(Edit::end)
            .thenComparingInt(Edit::seq)
            .reversed());
    StringBuilder out = new StringBuilder(raw);
    int limit = Integer.MAX_VALUE;
    for (Edit e : edits) {
      if (e.end() > limit) throw CannotPatch.INSTANCE; // overlapping edits
      out.replace(e.start(), e.end(), e.text());
      limit = e.start();
    }
    return out.toString();
  }

  // ---- writing new values (block style, at a given indentation) ----

  private void entry(StringBuilder out, String key, JsonNode value, int indent) {
    out.append(" ".repeat(indent)).append(scalarText(key, false));
    out.append(':');
    if (value.isValueNode() || value.isEmpty()) {
      out.append(' ').append(scalar(value, 'p', false)).append(nl);
    } else {
      out.append(nl);
      nested(out, value, indent);
    }
  }

  /**
   * A collection under a key at {@code keyIndent}: a mapping two columns in, a list as the file
   * does.
   */
  private void nested(StringBuilder out, JsonNode value, int keyIndent) {
    if (value.isObject()) {
      value.properties().forEach(e -> entry(out, e.getKey(), e.getValue(), keyIndent + 2));
    } else {
      int dash = indentSequences ? keyIndent + 2 : keyIndent;
      for (JsonNode item : value) item(out, item, dash);
    }
  }

  private void item(StringBuilder out, JsonNode value, int dash) {
    if (value.isValueNode() || value.isEmpty()) {
      out.append(" ".repeat(dash)).append("- ").append(scalar(value, 'p', false)).append(nl);
      return;
    }
    if (value.isArray()) throw CannotPatch.INSTANCE;
    StringBuilder inner = new StringBuilder();
    value.properties().forEach(e -> entry(inner, e.getKey(), e.getValue(), dash + 2));
    // The first entry shares the dash's line.
    out.append(" ".repeat(dash)).append("- ").append(inner, dash + 2, inner.length());
  }

  private static boolean flat(JsonNode value) {
    if (value.isValueNode()) return !value.asText().contains("\n");
    for (JsonNode child : value) {
      if (!flat(child)) return false;
    }
    return true;
  }

  private static String flow(JsonNode value, boolean quoteStrings) {
    StringBuilder b = new StringBuilder();
    if (value.isArray()) {
      b.append('[');
      for (int i = 0; i < value.size(); i++) {
        if (i > 0) b.append(", ");
        JsonNode item = value.get(i);
        b.append(
            item.isValueNode()
                ? scalar(item, quoteStrings ? '"' : 'p', true)
                : flow(item, quoteStrings));
      }
      return b.append(']').toString();
    }
    b.append('{');
    int i = 0;
    for (Map.Entry<String, JsonNode> e : value.properties()) {
      if (i++ > 0) b.append(", ");
      b.append(scalarText(e.getKey(), true)).append(": ");
      JsonNode v = e.getValue();
      b.append(v.isValueNode() ? scalar(v, quoteStrings ? '"' : 'p', true) : flow(v, quoteStrings));
    }
    return b.append('}').toString();
  }

  /**
   * A scalar (or empty collection) on one line; strings keep the given style where it can carry
   * them.
   */
  static String scalar(JsonNode value, char style, boolean inFlow) {
    if (value.isObject()) return "{}";
    if (value.isArray()) return "[]";
    if (value.isNull()) return "null";
    if (value.isBoolean()) return value.asText();
    if (value.isNumber()) {
      if (value.isDouble() || value.isFloat()) {
        double d = value.doubleValue();
        if (Double.isNaN(d)) return ".nan";
        if (Double.isInfinite(d)) return d > 0 ? ".inf" : "-.inf";
      }
      return value.isBigDecimal() ? value.decimalValue().toString() : value.asText();
    }
    String s = value.asText();
    if (style == '\'' && singleQuotable(s)) return "'" + s.replace("'", "''") + "'";
    if (style == '"') return doubleQuoted(s);
    return scalarText(s, inFlow);
  }

  /** A string plain where that reads back as the same string, double-quoted otherwise. */
  static String scalarText(String s, boolean inFlow) {
    return plainSafe(s, inFlow) ? s : doubleQuoted(s);
  }

  private static boolean plainSafe(String s, boolean inFlow) {
    if (s.isEmpty() || ScalarTyping.needsQuotes(s)) return false;
    char c = s.charAt(0);
    if ("?:,[]{}#&*!|>'\"%@`".indexOf(c) >= 0) return false;
    if (c == '-' && (s.length() == 1 || s.charAt(1) == ' ')) return false;
    if (s.contains(": ") || s.contains(" #") || s.endsWith(":")) return false;
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (ch < 0x20 || ch == 0x7F || (inFlow && ",[]{}:".indexOf(ch) >= 0)) return false;
      if (ch >= 0x80 && ch < 0xA0) return false;
    }
    return true;
  }

  private static boolean singleQuotable(String s) {
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (ch < 0x20
          || (ch >= 0x7F && ch < 0xA0)
          || ch == '\u2028'
          || ch == '\u2029'
          || ch == '\uFEFF') return false;
    }
    return true;
  }

  static String doubleQuoted(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      switch (ch) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\t' -> b.append("\\t");
        case '\r' -> b.append("\\r");
        default -> {
          if (ch < 0x20
              || (ch >= 0x7F && ch < 0xA0)
              || ch == '\u2028'
              || ch == '\u2029'
              || ch == '\uFEFF') {
            b.append(String.format("\\u%04x", (int) ch));
          } else {
            b.append(ch);
          }
        }
      }
    }
    return b.append('"').toString();
  }
}
