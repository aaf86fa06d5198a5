package dev.nonroot.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.nodes.CollectionNode;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Turns a composed YAML node graph into a Jackson tree: aliases expanded, merge keys ({@code <<})
 * applied, key order kept, scalars typed as Kubernetes types them.
 */
final class TreeConverter {
  /** Guards against alias bombs: a document may expand to at most this many nodes. */
  private static final int MAX_NODES = 5_000_000;

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final int firstLine;
  private final Map<Node, Boolean> onPath = new IdentityHashMap<>();
  private int count;

  /**
   * Where the last value ends (0-based line and column in the document): comments after it trail.
   */
  private int endLine = -1;

  private int endColumn;

  private TreeConverter(int firstLine) {
    this.firstLine = firstLine;
  }

  /** A converted document and where its last value ends. */
  record Result(JsonNode tree, int endLine, int endColumn) {}

  static Result convert(Node root, int firstLine) throws ManifestSyntaxException {
    TreeConverter c = new TreeConverter(firstLine);
    JsonNode tree = c.node(root);
    return new Result(tree, c.endLine, c.endColumn);
  }

  private void seeEnd(Node n) {
    int line = n.getEndMark().getLine();
    int column = n.getEndMark().getColumn();
    if (line > endLine || (line == endLine && column > endColumn)) {
      endLine = line;
      endColumn = column;
    }
  }

  private JsonNode node(Node n) throws ManifestSyntaxException {
    if (++count > MAX_NODES) {
      throw error(n, "document expands to more than " + MAX_NODES + " values through aliases");
    }
    if (onPath.put(n, Boolean.TRUE) != null)
      throw error(n, "recursive alias: a node contains itself");
    try {
      // Block collections end where the next token starts (after trailing comments); scalars and
      // flow collections end exactly.
      if (n instanceof ScalarNode s) {
        seeEnd(n);
        return scalar(s);
      }
      if (n instanceof CollectionNode<?> c && c.getFlowStyle() == DumperOptions.FlowStyle.FLOW)
        seeEnd(n);
      if (n instanceof SequenceNode seq) {
        ArrayNode a = NODES.arrayNode(seq.getValue().size());
        for (Node item : seq.getValue()) a.add(node(item));
        return a;
      }
      return mapping((MappingNode) n);
    } finally {
      onPath.remove(n);
    }
  }

  private static JsonNode scalar(ScalarNode s) {
    Tag tag = s.getTag();
    String v = s.getValue();
    if (tag.equals(YamlComposer.PLAIN)) return PlainScalars.value(v);
    if (tag.equals(Tag.INT)
        || tag.equals(Tag.FLOAT)
        || tag.equals(Tag.BOOL)
        || tag.equals(Tag.NULL)) {
      JsonNode typed = PlainScalars.value(v.strip());
      if (!typed.isTextual()) return typed;
    }
    return TextNode.valueOf(v);
  }

  private ObjectNode mapping(MappingNode m) throws ManifestSyntaxException {
    ObjectNode out = NODES.objectNode();
    List<NodeTuple> tuples = m.getValue();
    Set<String> explicit = null;
    for (NodeTuple t : tuples) {
      if (isMerge(t.getKeyNode())) {
        explicit = new HashSet<>();
        break;
      }
    }
    if (explicit != null) {
      for (NodeTuple t : tuples) {
        if (!isMerge(t.getKeyNode())) explicit.add(key(t.getKeyNode()));
      }
    }
    for (NodeTuple t : tuples) {
      Node keyNode = t.getKeyNode();
      if (isMerge(keyNode)) {
        merge(out, t.getValueNode(), explicit);
        continue;
      }
      String key = key(keyNode);
      // Merges never fill explicit keys, so a key already present was set by an earlier entry.
      if (out.has(key)) throw error(keyNode, "duplicate key \"" + key + "\"");
      out.set(key, node(t.getValueNode()));
    }
    return out;
  }

  /** Merge keys: values from the merged mappings fill in keys the mapping does not set itself. */
  private void merge(ObjectNode out, Node value, Set<String> explicit)
      throws ManifestSyntaxException {
    if (value instanceof SequenceNode seq) {
      for (Node item : seq.getValue()) merge(out, item, explicit);
      return;
    }
    if (!(value instanceof MappingNode))
      throw error(value, "a merge key (<<) needs a mapping or a list of mappings");
    JsonNode merged = node(value);
    merged
        .properties()
        .forEach(
            e -> {
              if (!explicit.contains(e.getKey()) && !out.has(e.getKey()))
                out.set(e.getKey(), e.getValue());
            });
  }

  private static boolean isMerge(Node key) {
    return key instanceof ScalarNode s
        && (s.getTag().equals(Tag.MERGE)
            || (s.getTag().equals(YamlComposer.PLAIN) && s.getValue().equals("<<")));
  }

  private String key(Node keyNode) throws ManifestSyntaxException {
    if (keyNode instanceof ScalarNode s) return s.getValue();
    throw error(keyNode, "a mapping key must be a plain value, not a list or mapping");
  }

  private ManifestSyntaxException error(Node n, String problem) {
    return new ManifestSyntaxException(YamlComposer.line(n.getStartMark(), firstLine), problem);
  }
}
