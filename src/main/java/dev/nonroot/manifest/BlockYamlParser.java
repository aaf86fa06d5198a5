package dev.nonroot.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A fast reader for the plain block YAML that manifests are written in: block mappings and
 * sequences, single-line plain and quoted scalars, literal blocks, one-line flow collections and
 * comments. It reads a document several times faster than SnakeYAML and, on request, records where
 * every value sits so a changed document can be patched instead of rewritten.
 *
 * <p>It is deliberately conservative: anything outside that subset (anchors, aliases, tags, folded
 * or multi-line plain scalars, directives, complex keys, odd indentation) and anything invalid
 * makes it give up, and the caller reads the document with SnakeYAML, which also words the errors.
 * When it does answer, the tree is the one SnakeYAML plus {@link TreeConverter} would build (the
 * tests compare the two).
 */
final class BlockYamlParser {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /**
   * Deeper documents go to SnakeYAML, whose own nesting limit words the error: recursion this deep
   * would otherwise end the process with a StackOverflowError. Real manifests stay below 30.
   */
  private static final int MAX_DEPTH = 200;

  /** Thrown (without a stack trace) to give up; never escapes this class. */
  private static final class GiveUp extends RuntimeException {
    private static final long serialVersionUID = 1L;
    static final GiveUp INSTANCE = new GiveUp();

    private GiveUp() {
      super(null, null, false, false);
    }
  }

  /** Where a value sits in the document (0-based lines and columns of the document's text). */
  static final class Shape {
    enum Kind {
      INLINE,
      LITERAL,
      FLOW,
      MAPPING,
      SEQUENCE
    }

    final Kind kind;

    /** INLINE, FLOW, LITERAL header: the value's line and [start, end) columns on it. */
    int line;

    int start;
    int end;

    /** MAPPING: the keys' column; SEQUENCE: the dashes' column. */
    int indent;

    /** MAPPING, SEQUENCE, LITERAL: first and last line with content (inclusive). */
    int firstLine;

    int lastLine;

    /** INLINE: the scalar's style, '"', '\'' or 'p' (plain, also for an empty value). */
    char style;

    /** FLOW: whether its strings are double-quoted. */
    boolean quotedItems;

    /** A mapping's value: the line of its key. */
    int keyLine;

    final Map<String, Shape> values = new LinkedHashMap<>();
    final List<Shape> items = new ArrayList<>();

    Shape(Kind kind) {
      this.kind = kind;
    }
  }

  /**
   * A parsed document: tree, where content starts and ends (as {@link TreeConverter.Result} gives
   * them).
   */
  record Parsed(JsonNode tree, int rootLine, int endLine, int endColumn, Shape shape) {}

  private final String[] lines;

  /**
   * Per line, worked out once: its leading spaces, and whether it holds nothing but blanks and a
   * comment (those are asked about over and over as the collections around a line end).
   */
  private final int[] indents;

  private final boolean[] blank;
  private final boolean shapes;
  private int pos;

  /**
   * Keys and values of the collections being read, innermost last: a collection is built once its
   * size is known, so its map or list is allocated once at the right size.
   */
  private String[] keyStack = new String[64];

  private JsonNode[] valueStack = new JsonNode[64];
  private int top;

  /**
   * A compact mapping inside a sequence item starts mid-line: its first line's indent is this
   * column.
   */
  private int virtualLine = -1;

  private int virtualIndent;
  private int depth;
  private int endLine = -1;
  private int endColumn;
  private boolean tabIndented;

  private BlockYamlParser(String[] lines, boolean shapes) {
    this.lines = lines;
    this.shapes = shapes;
    this.indents = new int[lines.length];
    this.blank = new boolean[lines.length];
    for (int i = 0; i < lines.length; i++) {
      String l = lines[i];
      int n = leadingSpaces(l);
      indents[i] = n;
      boolean tab = false;
      while (n < l.length() && (l.charAt(n) == ' ' || l.charAt(n) == '\t')) {
        tab |= l.charAt(n) == '\t';
        n++;
      }
      blank[i] = n == l.length() || l.charAt(n) == '#';
      // A tab before a line's comment or content is SnakeYAML's (and kubectl's) call to make.
      tabIndented |= tab && n < l.length();
    }
  }

  /** The document read, or null when it is not in the subset (then read it with SnakeYAML). */
  static Parsed parse(String raw, boolean withShapes) {
    if (!simpleCharacters(raw)) return null;
    String[] lines = lines(raw);
    if (lines == null) return null;
    if (lines.length > 0 && lines[0].startsWith("\uFEFF")) lines[0] = lines[0].substring(1);
    try {
      BlockYamlParser parser = new BlockYamlParser(lines, withShapes);
      return parser.tabIndented ? null : parser.document();
    } catch (GiveUp | NumberFormatException | StringIndexOutOfBoundsException e) {
      return null;
    }
  }

  /**
   * The text's lines without their line breaks (a "\r" before a "\n" is part of the break), or null
   * when a "\r" stands anywhere else.
   */
  private static String[] lines(String raw) {
    int count = 1;
    for (int i = raw.indexOf('\n'); i >= 0; i = raw.indexOf('\n', i + 1)) count++;
    String[] out = new String[count];
    boolean anyCr = raw.indexOf('\r') >= 0;
    int start = 0;
    for (int n = 0; n < count; n++) {
      int nl = raw.indexOf('\n', start);
      int end = nl < 0 ? raw.length() : nl;
      int contentEnd = end > start && raw.charAt(end - 1) == '\r' ? end - 1 : end;
      if (anyCr) {
        for (int i = start; i < contentEnd; i++) {
          if (raw.charAt(i) == '\r') return null;
        }
      }
      out[n] = raw.substring(start, contentEnd);
      start = end + 1;
    }
    return out;
  }

  /** No characters SnakeYAML rejects or reads as line breaks; no BOM but a leading one. */
  private static boolean simpleCharacters(String raw) {
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c >= 0x20 && c < 0x7F || c == '\n') continue;
      if (c == '\t' || c == '\r') continue;
      if (c == '\uFEFF' && i == 0) continue;
      if (c < 0xA0 || c == '\u2028' || c == '\u2029' || c == '\uFEFF') return false;
      if (Character.isSurrogate(c)) return false;
    }
    return true;
  }

  private Parsed document() {
    skipBlank();
    if (pos < lines.length && isMarker(lines[pos], '-')) {
      if (!restIsBlank(lines[pos], 3)) throw GiveUp.INSTANCE;
      pos++;
      skipBlank();
    }
    if (pos >= lines.length) throw GiveUp.INSTANCE;
    int rootLine = pos;
    String first = lines[pos];
    if (indentOf(pos) != 0
        || isMarker(first, '.')
        || isMarker(first, '-')
        || first.startsWith("%")) {
      throw GiveUp.INSTANCE;
    }
    Shape shape = shapes ? new Shape(Shape.Kind.MAPPING) : null;
    if (!isKeyLine(pos, 0)) throw GiveUp.INSTANCE;
    JsonNode tree = mapping(0, shape);
    skipBlank();
    if (pos < lines.length) {
      if (!isMarker(lines[pos], '.') || !restIsBlank(lines[pos], 3)) throw GiveUp.INSTANCE;
      pos++;
      skipBlank();
      if (pos < lines.length) throw GiveUp.INSTANCE;
    }
    return new Parsed(tree, rootLine, endLine, endColumn, shape);
  }

  // ---- block collections ----

  private void startShape(Shape shape, int indent) {
    if (shape != null) {
      shape.indent = indent;
      shape.firstLine = pos;
    }
  }

  /**
   * Moves past blank lines; whether the next line may hold another entry of the block collection at
   * this indent (not the end, a dedent or a document marker). A deeper indent is not plain YAML
   * this reader handles.
   */
  private boolean nextEntryAt(int indent) {
    skipBlank();
    if (pos >= lines.length) return false;
    int ind = indentOf(pos);
    if (ind < indent) return false;
    if (ind > indent) throw GiveUp.INSTANCE;
    return !isMarker(lines[pos], '-') && !isMarker(lines[pos], '.');
  }

  private ObjectNode mapping(int indent, Shape shape) {
    if (++depth > MAX_DEPTH) throw GiveUp.INSTANCE;
    int base = top;
    startShape(shape, indent);
    while (nextEntryAt(indent)) {
      if (!isKeyLine(pos, indent)) throw GiveUp.INSTANCE;
      int keyLine = pos;
      String line = lines[pos];
      String key = keyAt(line, indent, keyEnd);
      // A repeated key is refused when the mapping is built, below.
      if (key.equals("<<")) throw GiveUp.INSTANCE;
      int after = keyEnd[0] + 1; // past ':'
      int restAt = skipSpaces(line, after);
      JsonNode value;
      if (restAt < line.length() && line.charAt(restAt) == '\t') throw GiveUp.INSTANCE;
      if (restAt >= line.length() || line.charAt(restAt) == '#') {
        pos++;
        value = nestedValue(indent, true, keyLine, after);
      } else {
        value = inlineValue(line, restAt, indent);
      }
      Shape valueShape = lastShape;
      push(key, value);
      if (shape != null) {
        valueShape.keyLine = keyLine;
        shape.values.put(key, valueShape);
        shape.lastLine = Math.max(keyLine, lastLineOf(valueShape, keyLine));
      }
    }
    int size = top - base;
    if (size == 0) throw GiveUp.INSTANCE;
    Map<String, JsonNode> entries = new LinkedHashMap<>(capacity(size));
    for (int i = base; i < top; i++) entries.put(keyStack[i], valueStack[i]);
    if (entries.size() != size) throw GiveUp.INSTANCE; // a key given twice
    pop(base);
    depth--;
    return new ObjectNode(NODES, entries);
  }

  /** Where key() leaves the column of the key's ':' (one array for the whole document). */
  private final int[] keyEnd = new int[1];

  /** A map capacity that holds {@code size} entries without growing. */
  private static int capacity(int size) {
    return (int) (size / 0.75f) + 1;
  }

  private void push(String key, JsonNode value) {
    if (top == valueStack.length) {
      keyStack = Arrays.copyOf(keyStack, top * 2);
      valueStack = Arrays.copyOf(valueStack, top * 2);
    }
    keyStack[top] = key;
    valueStack[top] = value;
    top++;
  }

  /** Drops the entries from {@code base} on (and lets their nodes go). */
  private void pop(int base) {
    Arrays.fill(keyStack, base, top, null);
    Arrays.fill(valueStack, base, top, null);
    top = base;
  }

  /** The shape of the value just read (null unless shapes are recorded). */
  private Shape lastShape;

  /**
   * The value after "key:" or "-" with nothing else on the line: a block collection on the next
   * lines, or null. A mapping's sequence may sit at the key's own indentation.
   */
  private JsonNode nestedValue(int ownerIndent, boolean ofKey, int ownerLine, int ownerEnd) {
    skipBlank();
    if (pos < lines.length && !isMarker(lines[pos], '-') && !isMarker(lines[pos], '.')) {
      int ind = indentOf(pos);
      boolean dash = isDashLine(pos, ind);
      char first = ind < lines[pos].length() ? lines[pos].charAt(ind) : ' ';
      if (ind > ownerIndent && (first == '{' || first == '[')) {
        // A flow collection on its own line under its key (Helm writes "securityContext:\n  {}").
        return inlineValue(lines[pos], ind, ownerIndent);
      }
      if (ind > ownerIndent || (ofKey && ind == ownerIndent && dash)) {
        Shape s = shapes ? new Shape(dash ? Shape.Kind.SEQUENCE : Shape.Kind.MAPPING) : null;
        JsonNode value;
        if (dash) {
          value = sequence(ind, s);
        } else {
          if (!isKeyLine(pos, ind)) throw GiveUp.INSTANCE;
          value = mapping(ind, s);
        }
        lastShape = s;
        return value;
      }
    }
    // Nothing nested: an empty value, which is null.
    Shape inline = null;
    if (shapes) {
      inline = new Shape(Shape.Kind.INLINE);
      inline.line = ownerLine;
      inline.start = ownerEnd;
      inline.end = ownerEnd;
      inline.style = 'p';
    }
    lastShape = inline;
    seeEnd(ownerLine, ownerEnd);
    return NODES.nullNode();
  }

  private ArrayNode sequence(int indent, Shape shape) {
    if (++depth > MAX_DEPTH) throw GiveUp.INSTANCE;
    int base = top;
    startShape(shape, indent);
    while (nextEntryAt(indent)) {
      if (!isDashLine(pos, indent)) break;
      int itemLine = pos;
      String line = lines[pos];
      int restAt = skipSpaces(line, indent + 1);
      if (restAt < line.length() && line.charAt(restAt) == '\t') throw GiveUp.INSTANCE;
      JsonNode item;
      Shape itemShape;
      if (restAt >= line.length() || line.charAt(restAt) == '#') {
        if (restAt < line.length() && restAt == indent + 1) throw GiveUp.INSTANCE;
        pos++;
        item = nestedValue(indent, false, itemLine, indent + 1);
        itemShape = lastShape;
      } else if (line.charAt(restAt) == '-'
          && (restAt + 1 >= line.length() || line.charAt(restAt + 1) == ' ')) {
        throw GiveUp.INSTANCE; // "- - x": nested compact sequences
      } else if (isKeyAt(line, restAt)) {
        virtualLine = pos;
        virtualIndent = restAt;
        itemShape = shapes ? new Shape(Shape.Kind.MAPPING) : null;
        item = mapping(restAt, itemShape);
      } else {
        item = inlineValue(line, restAt, indent);
        itemShape = lastShape;
      }
      push(null, item);
      if (shape != null) {
        shape.items.add(itemShape);
        shape.lastLine = Math.max(itemLine, lastLineOf(itemShape, itemLine));
      }
    }
    List<JsonNode> items = new ArrayList<>(top - base);
    for (int i = base; i < top; i++) items.add(valueStack[i]);
    pop(base);
    depth--;
    return new ArrayNode(NODES, items);
  }

  private static int lastLineOf(Shape s, int fallback) {
    if (s == null) return fallback;
    return switch (s.kind) {
      case INLINE, FLOW -> s.line;
      case LITERAL, MAPPING, SEQUENCE -> s.lastLine;
    };
  }

  // ---- values on a line ----

  /**
   * A value that starts on the current line at column {@code at}: quoted, flow, literal block or
   * plain. {@code ownerIndent} is the column of the key or dash that owns it.
   */
  private JsonNode inlineValue(String line, int at, int ownerIndent) {
    Shape shape = shapes ? new Shape(Shape.Kind.INLINE) : null;
    lastShape = shape;
    char c = line.charAt(at);
    int lineNo = pos;
    JsonNode value;
    int end;
    switch (c) {
      case '"' -> {
        int[] e = new int[1];
        value = TextNode.valueOf(doubleQuoted(line, at, e));
        end = e[0];
        style(shape, lineNo, at, end, '"');
      }
      case '\'' -> {
        int[] e = new int[1];
        value = TextNode.valueOf(singleQuoted(line, at, e));
        end = e[0];
        style(shape, lineNo, at, end, '\'');
      }
      case '[', '{' -> {
        int[] e = new int[1];
        boolean[] quoted = new boolean[1];
        value = flow(line, at, e, quoted);
        end = e[0];
        if (shape != null) {
          Shape f = new Shape(Shape.Kind.FLOW);
          f.line = lineNo;
          f.start = at;
          f.end = end;
          f.quotedItems = quoted[0];
          lastShape = f;
        }
      }
      case '|' -> {
        return literal(line, at, ownerIndent, shape);
      }
      case '>', '&', '*', '!', '%', '@', '`', '?', '}', ']', ',', '#' -> throw GiveUp.INSTANCE;
      default -> {
        if (c == '-' && (at + 1 >= line.length() || line.charAt(at + 1) == ' '))
          throw GiveUp.INSTANCE;
        if (c == ':' && (at + 1 >= line.length() || line.charAt(at + 1) == ' '))
          throw GiveUp.INSTANCE;
        end = plainEnd(line, at);
        String text = line.substring(at, end);
        if (text.contains(": ") || text.endsWith(":") || text.contains(":\t"))
          throw GiveUp.INSTANCE;
        if (restIsEmpty(line, end)) {
          JsonNode folded = foldedPlain(text, lineNo, ownerIndent);
          if (folded != null) return folded;
        }
        value = PlainScalars.value(text);
        style(shape, lineNo, at, end, 'p');
      }
    }
    if (!restIsBlank(line, end)) throw GiveUp.INSTANCE;
    seeEnd(lineNo, end);
    pos++;
    // A more indented line after a one-line value would continue a plain scalar, or be an error.
    int save = pos;
    skipBlank();
    boolean continues =
        pos < lines.length
            && indentOf(pos) > ownerIndent
            && !isMarker(lines[pos], '-')
            && !isMarker(lines[pos], '.');
    pos = save;
    if (continues) throw GiveUp.INSTANCE;
    return value;
  }

  /**
   * A plain scalar continued on more indented lines, folded as YAML does: one line break becomes a
   * space, n blank lines become n line breaks. Null when the next line does not continue it.
   */
  private JsonNode foldedPlain(String first, int firstLine, int ownerIndent) {
    StringBuilder text = null;
    int breaks = 0;
    int last = firstLine;
    for (int i = firstLine + 1; i < lines.length; i++) {
      String l = lines[i];
      if (l.isBlank()) {
        if (l.indexOf('\t') >= 0) throw GiveUp.INSTANCE;
        breaks++;
        continue;
      }
      int ind = leadingSpaces(l);
      if (ind <= ownerIndent || isMarker(l, '-') || isMarker(l, '.')) break;
      if (l.charAt(ind) == '\t') throw GiveUp.INSTANCE;
      String t = l.strip();
      if (t.startsWith("#")
          || t.startsWith("- ")
          || t.equals("-")
          || t.startsWith("? ")
          || t.startsWith(": ")
          || t.contains(": ")
          || t.contains(":\t")
          || t.endsWith(":")
          || t.contains(" #")
          || t.contains("\t#")) {
        throw GiveUp.INSTANCE;
      }
      if (text == null) text = new StringBuilder(first);
      text.append(breaks == 0 ? " " : "\n".repeat(breaks)).append(t);
      breaks = 0;
      last = i;
    }
    if (text == null) return null;
    if (shapes) {
      // Spread over lines: a patch cannot edit it in place (LITERAL shapes are never patched).
      Shape s = new Shape(Shape.Kind.LITERAL);
      s.line = firstLine;
      s.firstLine = firstLine;
      s.lastLine = last;
      lastShape = s;
    }
    seeEnd(last, lines[last].stripTrailing().length());
    pos = last + 1;
    return PlainScalars.value(text.toString());
  }

  private static boolean restIsEmpty(String l, int from) {
    for (int i = from; i < l.length(); i++) {
      if (l.charAt(i) != ' ' && l.charAt(i) != '\t') return false;
    }
    return true;
  }

  private static void style(Shape shape, int line, int start, int end, char style) {
    if (shape == null) return;
    shape.line = line;
    shape.start = start;
    shape.end = end;
    shape.style = style;
  }

  /** Where a plain scalar ends: before " #" or the line's trailing blanks. */
  private static int plainEnd(String line, int at) {
    int end = line.length();
    for (int i = at + 1; i < line.length(); i++) {
      if (line.charAt(i) == '#' && (line.charAt(i - 1) == ' ' || line.charAt(i - 1) == '\t')) {
        end = i;
        break;
      }
    }
    while (end > at && (line.charAt(end - 1) == ' ' || line.charAt(end - 1) == '\t')) end--;
    return end;
  }

  /** |, |- or |+ and the lines indented under it. */
  private JsonNode literal(String line, int at, int ownerIndent, Shape shape) {
    char chomp = at + 1 < line.length() ? line.charAt(at + 1) : ' ';
    int headerEnd = at + 1;
    if (chomp == '-' || chomp == '+') headerEnd++;
    else chomp = ' ';
    if (!restIsBlank(line, headerEnd)) throw GiveUp.INSTANCE;
    int header = pos;
    pos++;
    int contentIndent = -1;
    int firstContent = -1;
    for (int i = pos; i < lines.length; i++) {
      if (!lines[i].isBlank()) {
        if (lines[i].indexOf('\t') >= 0 && lines[i].strip().isEmpty()) throw GiveUp.INSTANCE;
        contentIndent = leadingSpaces(lines[i]);
        firstContent = i;
        break;
      }
    }
    if (contentIndent <= ownerIndent || contentIndent == 0) throw GiveUp.INSTANCE;
    StringBuilder text = new StringBuilder();
    int last = header;
    int i = pos;
    int trailingBreaks = 0;
    for (; i < lines.length; i++) {
      String l = lines[i];
      if (l.isBlank()) {
        if (l.length() > contentIndent || (i < firstContent && l.length() > contentIndent))
          throw GiveUp.INSTANCE;
        if (l.indexOf('\t') >= 0) throw GiveUp.INSTANCE;
        trailingBreaks++;
        continue;
      }
      if (leadingSpaces(l) < contentIndent) break;
      if (i > firstContent || trailingBreaks > 0) text.append("\n".repeat(trailingBreaks));
      if (i > firstContent) text.append('\n');
      text.append(l, contentIndent, l.length());
      trailingBreaks = 0;
      last = i;
    }
    // Breaks after the last content line: trailingBreaks blank lines follow it.
    String value = text.toString();
    boolean endOfText = i >= lines.length;
    if (chomp == '-') {
      // nothing
    } else if (chomp == '+') {
      // keep: the last line's break and every blank line (the text's final line has no break when
      // the document ends without a newline; SnakeYAML keeps what is there)
      value =
          value + "\n" + "\n".repeat(endOfText ? Math.max(0, trailingBreaks - 1) : trailingBreaks);
      if (endOfText && trailingBreaks == 0) throw GiveUp.INSTANCE;
    } else {
      value = value + "\n";
      if (endOfText && trailingBreaks == 0) throw GiveUp.INSTANCE;
    }
    if (shape != null) {
      Shape s = new Shape(Shape.Kind.LITERAL);
      s.line = header;
      s.start = at;
      s.end = headerEnd;
      s.firstLine = firstContent;
      s.lastLine = last;
      lastShape = s;
    }
    int endsAt = chomp == '+' ? last + 1 + trailingBreaks : last + 1;
    seeEnd(Math.min(endsAt, lines.length), 0);
    pos = last + 1;
    return TextNode.valueOf(value);
  }

  // ---- scalars ----

  private static String doubleQuoted(String line, int at, int[] end) {
    StringBuilder b = new StringBuilder();
    int i = at + 1;
    while (true) {
      if (i >= line.length()) throw GiveUp.INSTANCE; // continues on the next line
      char c = line.charAt(i);
      if (c == '"') break;
      if (c == '\\') {
        if (i + 1 >= line.length()) throw GiveUp.INSTANCE;
        char e = line.charAt(i + 1);
        switch (e) {
          case '\\' -> b.append('\\');
          case '"' -> b.append('"');
          case 'n' -> b.append('\n');
          case 't' -> b.append('\t');
          case 'r' -> b.append('\r');
          case '0' -> b.append('\0');
          case 'x', 'u', 'U' -> {
            int digits = e == 'x' ? 2 : e == 'u' ? 4 : 8;
            if (i + 2 + digits > line.length()) throw GiveUp.INSTANCE;
            int cp = Integer.parseInt(line.substring(i + 2, i + 2 + digits), 16);
            if (!Character.isValidCodePoint(cp)
                || Character.isSurrogate((char) cp) && cp <= 0xFFFF) {
              throw GiveUp.INSTANCE;
            }
            b.appendCodePoint(cp);
            i += digits;
          }
          default -> throw GiveUp.INSTANCE;
        }
        i += 2;
        continue;
      }
      b.append(c);
      i++;
    }
    end[0] = i + 1;
    return b.toString();
  }

  private static String singleQuoted(String line, int at, int[] end) {
    StringBuilder b = new StringBuilder();
    int i = at + 1;
    while (true) {
      if (i >= line.length()) throw GiveUp.INSTANCE;
      char c = line.charAt(i);
      if (c == '\'') {
        if (i + 1 < line.length() && line.charAt(i + 1) == '\'') {
          b.append('\'');
          i += 2;
          continue;
        }
        break;
      }
      b.append(c);
      i++;
    }
    end[0] = i + 1;
    return b.toString();
  }

  /** A flow collection that closes on the same line. */
  private static JsonNode flow(String line, int at, int[] end, boolean[] quoted) {
    int[] p = {at};
    JsonNode value = flowNode(line, p, quoted, 1);
    end[0] = p[0];
    return value;
  }

  private static JsonNode flowNode(String line, int[] p, boolean[] quoted, int depth) {
    if (depth > MAX_DEPTH) throw GiveUp.INSTANCE;
    char open = line.charAt(p[0]);
    char close = open == '[' ? ']' : '}';
    p[0]++;
    JsonNode out = open == '[' ? NODES.arrayNode() : NODES.objectNode();
    p[0] = skipSpaces(line, p[0]);
    if (p[0] < line.length() && line.charAt(p[0]) == close) {
      p[0]++;
      return out;
    }
    while (true) {
      p[0] = skipSpaces(line, p[0]);
      if (open == '[') {
        ((ArrayNode) out).add(flowScalarOrNode(line, p, quoted, false, depth));
      } else {
        JsonNode k = flowScalarOrNode(line, p, quoted, true, depth);
        if (!k.isValueNode()) throw GiveUp.INSTANCE;
        p[0] = skipSpaces(line, p[0]);
        if (p[0] >= line.length() || line.charAt(p[0]) != ':') throw GiveUp.INSTANCE;
        p[0] = skipSpaces(line, p[0] + 1);
        String key = k.isTextual() ? k.asText() : k.isNull() ? null : k.asText();
        if (key == null || ((ObjectNode) out).has(key)) throw GiveUp.INSTANCE;
        ((ObjectNode) out).set(key, flowScalarOrNode(line, p, quoted, false, depth));
      }
      p[0] = skipSpaces(line, p[0]);
      if (p[0] >= line.length()) throw GiveUp.INSTANCE;
      char c = line.charAt(p[0]);
      if (c == close) {
        p[0]++;
        return out;
      }
      if (c != ',') throw GiveUp.INSTANCE;
      p[0] = skipSpaces(line, p[0] + 1);
      if (p[0] < line.length() && line.charAt(p[0]) == close)
        throw GiveUp.INSTANCE; // trailing comma
    }
  }

  /** A flow item: a quoted or plain scalar, or a nested collection. Keys keep plain text as is. */
  private static JsonNode flowScalarOrNode(
      String line, int[] p, boolean[] quoted, boolean key, int depth) {
    if (p[0] >= line.length()) throw GiveUp.INSTANCE;
    char c = line.charAt(p[0]);
    int[] e = new int[1];
    if (c == '"') {
      String s = doubleQuoted(line, p[0], e);
      p[0] = e[0];
      quoted[0] = true;
      return TextNode.valueOf(s);
    }
    if (c == '\'') {
      String s = singleQuoted(line, p[0], e);
      p[0] = e[0];
      return TextNode.valueOf(s);
    }
    if (c == '[' || c == '{') {
      if (key) throw GiveUp.INSTANCE;
      return flowNode(line, p, quoted, depth + 1);
    }
    int start = p[0];
    int i = start;
    while (i < line.length() && ",[]{}:#".indexOf(line.charAt(i)) < 0) i++;
    if (i < line.length() && (line.charAt(i) == '#' || (line.charAt(i) == ':' && !key)))
      throw GiveUp.INSTANCE;
    String text = line.substring(start, i).strip();
    if (text.isEmpty() || "?!&*|>%@`'\"-".indexOf(text.charAt(0)) >= 0) throw GiveUp.INSTANCE;
    // A plain key needs ": " after it ("{a:1}" is the single scalar "a:1").
    if (key && (i + 1 >= line.length() || line.charAt(i + 1) != ' ')) throw GiveUp.INSTANCE;
    p[0] = i;
    return key ? TextNode.valueOf(text) : PlainScalars.value(text);
  }

  // ---- keys and lines ----

  private boolean isKeyLine(int line, int indent) {
    return isKeyAt(lines[line], indent);
  }

  /** The last key read by {@link #isKeyAt}, so the mapping does not read it twice. */
  private String lastKeyLine;

  private int lastKeyAt = -1;
  private String lastKey;
  private int lastKeyEnd;

  /** Whether a mapping key ("key:" followed by a blank or the line end) starts at {@code at}. */
  private boolean isKeyAt(String line, int at) {
    if (at >= line.length()) return false;
    // Cheap rejections first: most non-key lines have no ':' followed by a blank or the line end.
    char c = line.charAt(at);
    if (c == '"' || c == '\'') {
      int colon = line.indexOf(':', at);
      while (colon >= 0 && colon + 1 < line.length() && line.charAt(colon + 1) != ' ')
        colon = line.indexOf(':', colon + 1);
      if (colon < 0) return false;
    } else if (!plainKeyStart(c)) {
      return false;
    }
    // A plain key without ": " or a final ':' is refused by key() itself.
    try {
      int[] end = new int[1];
      lastKey = key(line, at, end);
      lastKeyEnd = end[0];
      lastKeyLine = line;
      lastKeyAt = at;
      return true;
    } catch (GiveUp e) {
      return false;
    }
  }

  /** The key at {@code at} (already checked by {@link #isKeyAt}). */
  private String keyAt(String line, int at, int[] end) {
    if (line == lastKeyLine && at == lastKeyAt) {
      end[0] = lastKeyEnd;
      return lastKey;
    }
    return key(line, at, end);
  }

  /** The key starting at {@code at}; end[0] is the column of its ':'. */
  private static String key(String line, int at, int[] end) {
    char c = line.charAt(at);
    String key;
    int i;
    if (c == '"' || c == '\'') {
      int[] e = new int[1];
      key = c == '"' ? doubleQuoted(line, at, e) : singleQuoted(line, at, e);
      i = skipSpaces(line, e[0]);
      if (i >= line.length() || line.charAt(i) != ':') throw GiveUp.INSTANCE;
    } else {
      if (!plainKeyStart(c)) throw GiveUp.INSTANCE;
      i = -1;
      // One pass: the ':' that ends the key (not after " #"), and no flow indicator before it.
      for (int j = at; j < line.length(); j++) {
        char d = line.charAt(j);
        if (d == '#' && j > at && (line.charAt(j - 1) == ' ' || line.charAt(j - 1) == '\t')) break;
        if (d == ':' && (j + 1 == line.length() || line.charAt(j + 1) == ' ')) {
          i = j;
          break;
        }
        if (d == '[' || d == ']' || d == '{' || d == '}' || d == ',') throw GiveUp.INSTANCE;
      }
      if (i < 0) throw GiveUp.INSTANCE;
      int keyEnd = i;
      while (keyEnd > at && Character.isWhitespace(line.charAt(keyEnd - 1))) keyEnd--;
      if (keyEnd == at) throw GiveUp.INSTANCE;
      for (int j = at; j < keyEnd; j++) {
        if (line.charAt(j) == '\t') throw GiveUp.INSTANCE;
      }
      key = KeyNames.of(line, at, keyEnd);
    }
    if (i + 1 < line.length() && line.charAt(i + 1) != ' ') throw GiveUp.INSTANCE;
    end[0] = i;
    return key;
  }

  private static boolean plainKeyStart(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == '.' || c == '/' || c == '$';
  }

  private boolean isDashLine(int line, int indent) {
    String l = lines[line];
    return indent < l.length()
        && l.charAt(indent) == '-'
        && (indent + 1 == l.length() || l.charAt(indent + 1) == ' ');
  }

  private int indentOf(int line) {
    if (line == virtualLine) return virtualIndent;
    String l = lines[line];
    int n = indents[line];
    if (n < l.length() && l.charAt(n) == '\t') throw GiveUp.INSTANCE;
    return n;
  }

  private static int leadingSpaces(String l) {
    int n = 0;
    while (n < l.length() && l.charAt(n) == ' ') n++;
    return n;
  }

  private static int skipSpaces(String l, int i) {
    while (i < l.length() && l.charAt(i) == ' ') i++;
    return i;
  }

  /** Only blanks, or blanks and then a comment, from {@code from} on. */
  private static boolean restIsBlank(String l, int from) {
    int i = from;
    while (i < l.length() && (l.charAt(i) == ' ' || l.charAt(i) == '\t')) i++;
    return i == l.length() || (l.charAt(i) == '#' && i > from);
  }

  /** Skips blank and comment lines (never a virtual first line, which has content). */
  private void skipBlank() {
    while (pos < lines.length && pos != virtualLine && blank[pos]) pos++;
  }

  private static boolean isMarker(String l, char c) {
    return l.length() >= 3
        && l.charAt(0) == c
        && l.charAt(1) == c
        && l.charAt(2) == c
        && (l.length() == 3 || l.charAt(3) == ' ' || l.charAt(3) == '\t');
  }

  private void seeEnd(int line, int column) {
    if (line > endLine || (line == endLine && column > endColumn)) {
      endLine = line;
      endColumn = column;
    }
  }
}
