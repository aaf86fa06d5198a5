package dev.nonroot.manifest;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.composer.Composer;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeId;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.StreamReader;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * Parses one document into SnakeYAML's node graph (aliases resolved, positions kept). Unquoted
 * scalars get the {@link #PLAIN} tag instead of SnakeYAML's YAML 1.1 guess, so that {@link
 * PlainScalars} can type them the way Kubernetes does.
 */
final class YamlComposer {
  static final Tag PLAIN = new Tag("tag:nonroot.dev,2025:plain");

  private static final Resolver RESOLVER =
      new Resolver() {
        @Override
        public Tag resolve(NodeId kind, String value, boolean implicit) {
          if (kind == NodeId.scalar && implicit) return PLAIN;
          return super.resolve(kind, value, implicit);
        }
      };

  /** Deeper documents are refused before anything recurses over them. */
  static final int MAX_NESTING = 1000;

  private YamlComposer() {}

  /**
   * The document's root node, or null for an empty document. {@code firstLine} is the 1-based line
   * of the text in its file, for error messages.
   */
  static Node compose(String text, int firstLine) throws ManifestSyntaxException {
    return compose(text, firstLine, false);
  }

  /**
   * As {@link #compose(String, int)}; with {@code comments}, comment lines are attached to the
   * nodes.
   */
  static Node compose(String text, int firstLine, boolean comments) throws ManifestSyntaxException {
    LoaderOptions options = new LoaderOptions();
    options.setProcessComments(comments);
    options.setCodePointLimit(Integer.MAX_VALUE);
    options.setNestingDepthLimit(MAX_NESTING);
    options.setMaxAliasesForCollections(1000);
    options.setAllowRecursiveKeys(false);
    try {
      Composer composer =
          new Composer(new ParserImpl(new StreamReader(text), options), RESOLVER, options);
      return composer.getSingleNode();
    } catch (MarkedYAMLException e) {
      throw new ManifestSyntaxException(lineOf(e, firstLine), describe(e));
    } catch (YAMLException e) {
      String message = firstLineOf(e.getMessage());
      if (message.startsWith("Nesting Depth exceeded")) {
        message = "nested more than " + MAX_NESTING + " levels deep; no manifest needs that";
      }
      throw new ManifestSyntaxException(firstLine, message);
    }
  }

  /** 1-based file line of a mark inside a document that starts on {@code firstLine}. */
  static int line(Mark mark, int firstLine) {
    return firstLine + mark.getLine();
  }

  private static int lineOf(MarkedYAMLException e, int firstLine) {
    Mark m = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
    return m == null ? firstLine : line(m, firstLine);
  }

  private static String describe(MarkedYAMLException e) {
    String problem = e.getProblem() == null ? "invalid YAML" : firstLineOf(e.getProblem());
    String context = e.getContext() == null ? "" : " (" + firstLineOf(e.getContext()) + ")";
    return problem + context;
  }

  private static String firstLineOf(String s) {
    if (s == null) return "invalid YAML";
    int nl = s.indexOf('\n');
    return (nl < 0 ? s : s.substring(0, nl)).strip();
  }
}
