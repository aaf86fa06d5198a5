package dev.nonroot.manifest;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.composer.Composer;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.events.CollectionEndEvent;
import org.yaml.snakeyaml.events.CollectionStartEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.events.StreamEndEvent;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeId;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.ReaderException;
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
    } catch (ReaderException e) {
      throw unprintable(text, firstLine);
    } catch (YAMLException e) {
      String message = firstLineOf(e.getMessage());
      if (message.startsWith("Nesting Depth exceeded")) {
        throw new ManifestSyntaxException(
            tooDeepLine(text, firstLine),
            "nested more than " + MAX_NESTING + " levels deep; no manifest needs that");
      }
      throw new ManifestSyntaxException(firstLine, message);
    }
  }

  /**
   * The line where the document goes deeper than {@link #MAX_NESTING}: the composer's exception
   * names none. The parser's events come one at a time (no recursion), so walking them is safe at
   * any depth.
   */
  private static int tooDeepLine(String text, int firstLine) {
    LoaderOptions options = new LoaderOptions();
    options.setCodePointLimit(Integer.MAX_VALUE);
    ParserImpl parser = new ParserImpl(new StreamReader(text), options);
    int depth = 0;
    try {
      while (parser.peekEvent() != null) {
        Event e = parser.getEvent();
        if (e instanceof CollectionStartEvent) {
          if (++depth > MAX_NESTING) return line(e.getStartMark(), firstLine);
        } else if (e instanceof CollectionEndEvent) {
          depth--;
        } else if (e instanceof StreamEndEvent) {
          break;
        }
      }
    } catch (YAMLException e) {
      // A later syntax error: the depth was not the first problem found, so name the document.
    }
    return firstLine;
  }

  /**
   * The reader's own exception names no line: find the first character YAML does not allow (NUL, a
   * control character) and name it and its line.
   */
  private static ManifestSyntaxException unprintable(String text, int firstLine) {
    int line = firstLine;
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      if (!StreamReader.isPrintable(cp)) {
        return new ManifestSyntaxException(
            line,
            String.format("special character U+%04X is not allowed in YAML (a binary file?)", cp));
      }
      if (cp == '\n') line++;
      i += Character.charCount(cp);
    }
    return new ManifestSyntaxException(firstLine, "special characters are not allowed");
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
