package dev.nonroot.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Map.Entry;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.comments.CommentLine;
import org.yaml.snakeyaml.emitter.Emitter;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeId;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.serializer.Serializer;

/**
 * Writes a changed document's tree as YAML, guided by the document as it was read: every value
 * still where it was keeps its spelling and quoting ({@code "15m"}, {@code 'x'}, {@code ~}), lists
 * and mappings keep flow or block style, and comments stay on their keys. Values the fixes added
 * are written in block style, quoted only when they would otherwise read back as another type. Key
 * order is the tree's. Every result is read back and compared with the tree, so a writing mistake
 * can never silently change a value.
 */
public final class YamlWriter {
  private YamlWriter() {}

  /** Which lines of the original document (0-based, relative) may lend their comments. */
  record CommentLines(int from, int until) {
    boolean contains(CommentLine c) {
      int line = c.getStartMark().getLine();
      return line >= from && line < until;
    }
  }

  /**
   * The tree as YAML ending in a newline. {@code original} (may be null) is the document's node
   * graph as read, composed with comments; {@code comments} limits which of its comments are kept.
   */
  static String write(
      JsonNode tree, Node original, boolean indentSequences, CommentLines comments) {
    if (comments != null) {
      try {
        String text =
            emit(new Builder(comments).build(tree, original, false), indentSequences, true);
        return verified(tree, commentsAboveDashes(text));
      } catch (RuntimeException e) {
        // Comment placement is best effort; without comments the document is still written exactly.
      }
    }
    return verified(
        tree, emit(new Builder(null).build(tree, original, false), indentSequences, false));
  }

  /**
   * SnakeYAML writes a list item's leading comments after its dash ({@code - # note\n name: x});
   * put them above the dash, where authors write them. A literal block whose text looks like that
   * would change, which {@link #verified} catches (the document is then written without comments).
   */
  static String commentsAboveDashes(String text) {
    if (!text.contains("- #") && !text.contains("- \n")) return text;
    String[] lines = text.split("\n", -1);
    StringBuilder out = new StringBuilder(text.length());
    int i = 0;
    while (i < lines.length) {
      String line = lines[i];
      int dash = leadingSpaces(line);
      if (line.length() == dash + 2
          && line.startsWith("- ", dash)
          && i + 1 < lines.length
          && leadingSpaces(lines[i + 1]) == dash + 2
          && !lines[i + 1].isBlank()) {
        // A blank line kept before a list item: SnakeYAML writes it after the dash.
        out.append('\n').append(" ".repeat(dash)).append("- ").append(lines[i + 1].stripLeading());
        if (i + 1 < lines.length - 1) out.append('\n');
        i += 2;
        continue;
      }
      if (line.startsWith("- #", dash)) {
        String pad = " ".repeat(dash);
        out.append(pad).append(line.substring(dash + 2)).append('\n');
        int j = i + 1;
        while (j < lines.length && lines[j].stripLeading().startsWith("#")) {
          out.append(pad).append(lines[j].stripLeading()).append('\n');
          j++;
        }
        if (j < lines.length) {
          out.append(pad).append("- ").append(lines[j].stripLeading());
          if (j < lines.length - 1) out.append('\n');
        }
        i = j + 1;
        continue;
      }
      out.append(line);
      if (i < lines.length - 1) out.append('\n');
      i++;
    }
    return out.toString();
  }

  private static int leadingSpaces(String line) {
    int n = 0;
    while (n < line.length() && line.charAt(n) == ' ') n++;
    return n;
  }

  private static String emit(Node root, boolean indentSequences, boolean withComments) {
    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    options.setIndent(2);
    if (indentSequences) {
      options.setIndicatorIndent(2);
      options.setIndentWithIndicator(true);
    }
    options.setWidth(Integer.MAX_VALUE);
    options.setSplitLines(false);
    options.setAllowUnicode(true);
    options.setExplicitStart(false);
    options.setProcessComments(withComments);
    StringWriter out = new StringWriter();
    try {
      Serializer serializer =
          new Serializer(new Emitter(out, options), ScalarTyping.INSTANCE, options, null);
      serializer.open();
      serializer.serialize(root);
      serializer.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  private static String verified(JsonNode tree, String text) {
    JsonNode back;
    try {
      Node root = YamlComposer.compose(text, 1);
      back = root == null ? NullNode.getInstance() : TreeConverter.convert(root, 1).tree();
    } catch (ManifestSyntaxException e) {
      throw new IllegalStateException("written YAML does not parse: " + e.getMessage(), e);
    }
    if (!tree.equals(SAME_VALUE, back)) {
      throw new IllegalStateException("written YAML reads back differently; refusing to write it");
    }
    return text;
  }

  /** Numbers compare by value: 1.0 may read back as 1, the same JSON number. */
  static final Comparator<JsonNode> SAME_VALUE =
      (a, b) -> {
        if (a.equals(b)) return 0;
        if (a.isNumber() && b.isNumber()) {
          if (a.isDouble() || b.isDouble()) return Double.compare(a.doubleValue(), b.doubleValue());
          BigDecimal x = a.decimalValue();
          BigDecimal y = b.decimalValue();
          return x.compareTo(y);
        }
        return 1;
      };

  /**
   * Builds the node graph to emit, taking styles and comments from the original where it matches.
   */
  private static final class Builder {
    private final CommentLines comments;

    Builder(CommentLines comments) {
      this.comments = comments;
    }

    Node build(JsonNode value, Node original, boolean inFlow) {
      if (value.isObject())
        return mapping(value, original instanceof MappingNode m ? m : null, inFlow);
      if (value.isArray())
        return sequence(value, original instanceof SequenceNode s ? s : null, inFlow);
      return scalar(value, original instanceof ScalarNode s ? s : null, inFlow);
    }

    private Node mapping(JsonNode value, MappingNode original, boolean inFlow) {
      Map<String, NodeTuple> before = new HashMap<>();
      if (original != null) {
        for (NodeTuple t : original.getValue()) {
          if (t.getKeyNode() instanceof ScalarNode k) before.putIfAbsent(k.getValue(), t);
        }
      }
      boolean flow = inFlow || keepsFlow(original, value);
      List<NodeTuple> tuples = new ArrayList<>(value.size());
      for (Entry<String, JsonNode> e : value.properties()) {
        NodeTuple old = before.get(e.getKey());
        ScalarNode oldKey = old == null ? null : (ScalarNode) old.getKeyNode();
        Node key = stringScalar(e.getKey(), oldKey);
        Node item = build(e.getValue(), old == null ? null : old.getValueNode(), flow);
        if (old != null && !flow) {
          key.setBlockComments(kept(oldKey.getBlockComments()));
          key.setInLineComments(kept(oldKey.getInLineComments()));
          item.setInLineComments(kept(old.getValueNode().getInLineComments()));
          if (!(item instanceof ScalarNode))
            item.setEndComments(kept(old.getValueNode().getEndComments()));
        }
        tuples.add(new NodeTuple(key, item));
      }
      return new MappingNode(
          Tag.MAP, tuples, flow ? DumperOptions.FlowStyle.FLOW : DumperOptions.FlowStyle.BLOCK);
    }

    private Node sequence(JsonNode value, SequenceNode original, boolean inFlow) {
      boolean flow = inFlow || keepsFlow(original, value);
      List<Node> items = new ArrayList<>(value.size());
      for (int i = 0; i < value.size(); i++) {
        Node old =
            original != null && i < original.getValue().size() ? original.getValue().get(i) : null;
        Node item = build(value.get(i), old, flow);
        if (old != null && !flow) {
          item.setBlockComments(kept(old.getBlockComments()));
          item.setInLineComments(kept(old.getInLineComments()));
        }
        items.add(item);
      }
      return new SequenceNode(
          Tag.SEQ, items, flow ? DumperOptions.FlowStyle.FLOW : DumperOptions.FlowStyle.BLOCK);
    }

    /**
     * A one-line [..] or {..} stays as it was written; a flow collection spread over several lines
     * (JSON-like manifests), or an empty {} or [] that the fixes fill, is written in block style.
     */
    private static boolean keepsFlow(Node original, JsonNode value) {
      if (original == null) return false;
      boolean wasEmpty =
          original instanceof MappingNode m
              ? m.getValue().isEmpty()
              : ((SequenceNode) original).getValue().isEmpty();
      return (original instanceof MappingNode m
                  ? m.getFlowStyle()
                  : ((SequenceNode) original).getFlowStyle())
              == DumperOptions.FlowStyle.FLOW
          && original.getStartMark().getLine() == original.getEndMark().getLine()
          && (!wasEmpty || value.isEmpty());
    }

    private List<CommentLine> kept(List<CommentLine> lines) {
      if (comments == null || lines == null || lines.isEmpty()) return null;
      List<CommentLine> out = new ArrayList<>(lines.size());
      for (CommentLine c : lines) {
        if (comments.contains(c)) out.add(c);
      }
      return out.isEmpty() ? null : out;
    }

    /** A value keeps its original spelling when it is still the same value. */
    private static Node scalar(JsonNode value, ScalarNode original, boolean inFlow) {
      // An empty plain null (`key:`) cannot be written inside [...] or {...}.
      if (original != null
          && sameValue(value, original)
          && !(inFlow && original.getValue().isEmpty())) {
        return new ScalarNode(
            typeOf(value, original.getValue()),
            original.getValue(),
            null,
            null,
            original.getScalarStyle());
      }
      if (value.isTextual()) return stringScalar(value.asText(), null);
      if (value.isNull()) return plain(Tag.NULL, "null");
      if (value.isBoolean()) return plain(Tag.BOOL, value.asText());
      if (value.isDouble() || value.isFloat()) {
        double d = value.doubleValue();
        String text =
            Double.isNaN(d)
                ? ".nan"
                : Double.isInfinite(d) ? (d > 0 ? ".inf" : "-.inf") : value.asText();
        return plain(Tag.FLOAT, text);
      }
      String text = value.isBigDecimal() ? value.decimalValue().toString() : value.asText();
      return plain(ScalarTyping.INSTANCE.resolve(NodeId.scalar, text, true), text);
    }

    private static ScalarNode stringScalar(String s, ScalarNode original) {
      if (original != null && original.getValue().equals(s) && isString(original)) {
        return new ScalarNode(Tag.STR, s, null, null, original.getScalarStyle());
      }
      DumperOptions.ScalarStyle style =
          s.indexOf('\n') >= 0
              ? DumperOptions.ScalarStyle.LITERAL
              : ScalarTyping.needsQuotes(s)
                  ? DumperOptions.ScalarStyle.DOUBLE_QUOTED
                  : DumperOptions.ScalarStyle.PLAIN;
      return new ScalarNode(Tag.STR, s, null, null, style);
    }

    private static boolean isString(ScalarNode n) {
      return !n.getTag().equals(YamlComposer.PLAIN) || PlainScalars.value(n.getValue()).isTextual();
    }

    private static boolean sameValue(JsonNode value, ScalarNode original) {
      JsonNode before;
      if (original.getTag().equals(YamlComposer.PLAIN))
        before = PlainScalars.value(original.getValue());
      else if (original.getTag().equals(Tag.STR)) before = TextNode.valueOf(original.getValue());
      else return false;
      return value.equals(SAME_VALUE, before) && value.isTextual() == before.isTextual();
    }

    /**
     * The tag the emitter checks the text against: strings stay strings, other values keep their
     * type.
     */
    private static Tag typeOf(JsonNode value, String text) {
      if (value.isTextual()) return Tag.STR;
      return ScalarTyping.INSTANCE.resolve(NodeId.scalar, text, true);
    }

    private static ScalarNode plain(Tag tag, String text) {
      return new ScalarNode(tag, text, null, null, DumperOptions.ScalarStyle.PLAIN);
    }
  }

  /**
   * Whether the document's block sequences are mostly indented under their key ({@code key:\n - a})
   * rather than flush with it ({@code key:\n- a}, kubectl's style).
   */
  public static boolean indentsSequences(String raw) {
    int prevIndent = -1;
    boolean prevOpens = false;
    int indented = 0;
    int flush = 0;
    int pos = 0;
    while (pos < raw.length()) {
      int nl = raw.indexOf('\n', pos);
      int end = nl < 0 ? raw.length() : nl;
      int first = pos;
      while (first < end && raw.charAt(first) == ' ') first++;
      int last = end;
      while (last > first && Character.isWhitespace(raw.charAt(last - 1))) last--;
      if (last > first && raw.charAt(first) != '#') {
        int indent = first - pos;
        boolean dash =
            raw.charAt(first) == '-' && (last == first + 1 || raw.charAt(first + 1) == ' ');
        if (dash && prevOpens) {
          if (indent > prevIndent) indented++;
          else flush++;
        }
        prevIndent = indent;
        prevOpens = raw.charAt(last - 1) == ':';
      }
      pos = end + 1;
    }
    return indented > flush;
  }
}
