package dev.nonroot.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.yaml.snakeyaml.nodes.Node;

/**
 * One YAML document: its raw text exactly as read, and its tree. Until something marks it changed
 * it renders as the raw text, byte for byte; a changed document is written from its tree, keeping
 * the comments and markers before and after it.
 */
public final class ManifestDocument {
  private final ManifestFile file;
  private final int index;
  private final int line;
  private final String raw;
  private final JsonNode tree;
  private final int rootLine;
  private final int endLine;
  private final int endColumn;
  private final List<ManifestObject> objects;
  private boolean changed;
  private boolean anywhere;
  private List<String> changedAt;
  private Node composed;

  ManifestDocument(
      ManifestFile file,
      int index,
      int line,
      String raw,
      JsonNode tree,
      int rootLine,
      int endLine,
      int endColumn) {
    this.file = file;
    this.index = index;
    this.line = line;
    this.raw = raw;
    this.tree = tree;
    this.rootLine = rootLine;
    this.endLine = endLine;
    this.endColumn = endColumn;
    this.objects = objectsOf(tree);
  }

  private List<ManifestObject> objectsOf(JsonNode tree) {
    if (!(tree instanceof ObjectNode root)) return List.of();
    if (!isList(root)) return List.of(new ManifestObject(this, -1, root));
    List<ManifestObject> out = new ArrayList<>();
    JsonNode items = root.get("items");
    for (int i = 0; i < items.size(); i++) {
      if (items.get(i) instanceof ObjectNode item) out.add(new ManifestObject(this, i, item));
    }
    return List.copyOf(out);
  }

  /** {@code kind: List} as kubectl writes it, and typed lists such as DeploymentList. */
  private static boolean isList(ObjectNode root) {
    String kind = root.path("kind").asText("");
    return kind.endsWith("List") && root.path("items").isArray();
  }

  public ManifestFile file() {
    return file;
  }

  /** 0-based position in its file. */
  public int index() {
    return index;
  }

  /** 1-based line in the file where this document's text starts. */
  public int line() {
    return line;
  }

  /** 1-based line in the file where the document's content starts (after comments and ---). */
  public int contentLine() {
    return line + rootLine;
  }

  public String raw() {
    return raw;
  }

  /** The parsed tree, or null for an empty document. */
  public JsonNode tree() {
    return tree;
  }

  /** The Kubernetes objects in this document: the root, or a List's items. */
  public List<ManifestObject> objects() {
    return objects;
  }

  /** The tree changed somewhere: a rewrite compares all of it with the text. */
  public void markChanged() {
    changed = true;
    anywhere = true;
  }

  /**
   * The tree changed at {@code pointer} (RFC 6901, from the document's root) and nowhere else but
   * at other pointers marked so: a rewrite compares only those parts with the text.
   */
  public void markChanged(String pointer) {
    changed = true;
    if (changedAt == null) changedAt = new ArrayList<>();
    changedAt.add(pointer);
  }

  public boolean changed() {
    return changed;
  }

  /**
   * The document as it goes out: the raw text as read, or, once changed, that text with the
   * changes.
   */
  public String render() {
    return changed ? rewrite() : raw;
  }

  /**
   * The raw text patched where the tree changed; a whole rewrite when the change does not fit a
   * patch.
   */
  private String rewrite() {
    TextPatcher.Touched touched =
        anywhere || changedAt == null ? null : TextPatcher.Touched.of(changedAt);
    String patched = TextPatcher.patch(raw, tree, YamlWriter.indentsSequences(raw), touched);
    return patched != null ? patched : reserialize();
  }

  private String reserialize() {
    String nl = raw.contains("\r\n") ? "\r\n" : "\n";
    List<Integer> starts = lineStarts(raw);
    int rootStart = starts.get(Math.min(rootLine, starts.size() - 1));
    int suffixLine = suffixLine(starts);
    StringBuilder out = new StringBuilder(raw.length() + 256);
    out.append(raw, 0, rootStart);
    if (rootStart == 0 && raw.startsWith("\uFEFF")) out.append('\uFEFF');
    if (DocumentSplitter.classify(raw, rootStart, lineEnd(raw, rootStart))
        == DocumentSplitter.START) {
      // Content on the --- line itself (`--- {...}`): keep the marker, the content is rewritten
      // below.
      out.append("---").append(nl);
    }
    // Comments before the content and after it are copied as they are; those inside travel with
    // their keys.
    String body =
        YamlWriter.write(
            tree,
            guide(),
            YamlWriter.indentsSequences(raw),
            raw.indexOf('#') >= 0 ? new YamlWriter.CommentLines(rootLine, suffixLine) : null);
    out.append(nl.equals("\n") ? body : body.replace("\n", nl));
    if (suffixLine >= starts.size() && !raw.endsWith("\n")) {
      out.setLength(out.length() - nl.length()); // the file had no final newline; it still has none
    }
    out.append(
        raw, suffixLine < starts.size() ? starts.get(suffixLine) : raw.length(), raw.length());
    return out.toString();
  }

  /** The document as read, with comments, to copy styles and comments from; null if that fails. */
  private Node guide() {
    try {
      return YamlComposer.compose(raw, line, raw.indexOf('#') >= 0);
    } catch (ManifestSyntaxException | RuntimeException e) {
      try {
        return YamlComposer.compose(raw, line, false);
      } catch (ManifestSyntaxException e2) {
        return null;
      }
    }
  }

  /** The first line of the comment and blank lines (and `...` marker) after the last value. */
  private int suffixLine(List<Integer> starts) {
    int boundary = endColumn == 0 ? endLine : endLine + 1;
    int first = starts.size();
    for (int i = starts.size() - 1; i >= Math.max(boundary, 0); i--) {
      int kind = DocumentSplitter.classify(raw, starts.get(i), lineEnd(raw, starts.get(i)));
      if (kind != DocumentSplitter.BLANK && kind != DocumentSplitter.END) break;
      first = i;
    }
    return first;
  }

  private static List<Integer> lineStarts(String s) {
    List<Integer> starts = new ArrayList<>();
    starts.add(0);
    for (int i = s.indexOf('\n'); i >= 0 && i + 1 < s.length(); i = s.indexOf('\n', i + 1))
      starts.add(i + 1);
    return starts;
  }

  private static int lineEnd(String s, int from) {
    int nl = s.indexOf('\n', from);
    return nl < 0 ? s.length() : nl;
  }

  /** The document's node graph with positions, parsed again on demand (only scan needs it). */
  Node composed() {
    if (composed == null) {
      try {
        composed = YamlComposer.compose(raw, line);
      } catch (ManifestSyntaxException e) {
        throw new IllegalStateException("document parsed once but not twice: " + e.getMessage(), e);
      }
    }
    return composed;
  }
}
