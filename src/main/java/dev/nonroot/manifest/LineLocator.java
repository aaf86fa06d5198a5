package dev.nonroot.manifest;

import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/** Finds the line of a JSON pointer in a document, or of its nearest existing parent. */
public final class LineLocator {
  private LineLocator() {}

  /** 1-based file line of {@code pointer} (RFC 6901) inside {@code doc}. */
  public static int line(ManifestDocument doc, String pointer) {
    Node node = doc.tree() == null ? null : doc.composed();
    if (node == null) return doc.contentLine();
    int line = node.getStartMark().getLine();
    for (String token : tokens(pointer)) {
      Node next = null;
      if (node instanceof MappingNode m) {
        for (NodeTuple t : m.getValue()) {
          if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(token)) {
            line = k.getStartMark().getLine();
            next = t.getValueNode();
          }
        }
      } else if (node instanceof SequenceNode s && token.matches("[0-9]{1,9}")) {
        int i = Integer.parseInt(token);
        if (i < s.getValue().size()) {
          next = s.getValue().get(i);
          line = next.getStartMark().getLine();
        }
      }
      if (next == null) break;
      node = next;
    }
    return doc.line() + line;
  }

  private static String[] tokens(String pointer) {
    if (pointer.isEmpty()) return new String[0];
    String[] parts = pointer.substring(1).split("/", -1);
    for (int i = 0; i < parts.length; i++)
      parts[i] = parts[i].replace("~1", "/").replace("~0", "~");
    return parts;
  }
}
