package dev.nonroot.manifest;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.yaml.snakeyaml.nodes.Node;

/** One input (a file or standard input): its text and its documents, in order. */
public final class ManifestFile {
  private final String name;
  private final Path path;
  private final String text;
  private final List<ManifestDocument> documents = new ArrayList<>();

  private ManifestFile(String name, Path path, String text) {
    this.name = name;
    this.path = path;
    this.text = text;
  }

  /**
   * Parses every document of {@code text}. {@code name} is how messages name the input; {@code
   * path} is where it lives (null for standard input).
   */
  public static ManifestFile parse(String name, Path path, String text)
      throws ManifestSyntaxException {
    ManifestFile file = new ManifestFile(name, path, text);
    List<DocumentSplitter.Chunk> chunks = DocumentSplitter.split(text);
    List<Integer> indexes = IntStream.range(0, chunks.size()).boxed().toList();
    // Documents are read independently: on as many cores as there are.
    file.documents.addAll(
        InOrder.map(
            indexes,
            i -> {
              DocumentSplitter.Chunk chunk = chunks.get(i);
              return parseDocument(
                  file, i, text.substring(chunk.start(), chunk.end()), chunk.line());
            }));
    return file;
  }

  /** The fast reader first; SnakeYAML for everything it leaves (and for every error message). */
  private static ManifestDocument parseDocument(ManifestFile file, int index, String raw, int line)
      throws ManifestSyntaxException {
    BlockYamlParser.Parsed fast = BlockYamlParser.parse(raw, false);
    if (fast != null) {
      return new ManifestDocument(
          file, index, line, raw, fast.tree(), fast.rootLine(), fast.endLine(), fast.endColumn());
    }
    Node root = YamlComposer.compose(raw, line);
    if (root == null) return new ManifestDocument(file, index, line, raw, null, 0, 0, 0);
    TreeConverter.Result r = TreeConverter.convert(root, line);
    return new ManifestDocument(
        file,
        index,
        line,
        raw,
        r.tree(),
        root.getStartMark().getLine(),
        r.endLine(),
        r.endColumn());
  }

  /** Strict UTF-8: a file that is not text fails here instead of being rewritten with U+FFFD. */
  public static String decode(byte[] bytes) throws CharacterCodingException {
    // ASCII, what nearly every manifest is, is UTF-8 that needs no checking.
    if (ascii(bytes)) return new String(bytes, StandardCharsets.US_ASCII);
    return StandardCharsets.UTF_8
        .newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT)
        .decode(ByteBuffer.wrap(bytes))
        .toString();
  }

  private static boolean ascii(byte[] bytes) {
    for (byte b : bytes) {
      if (b < 0) return false;
    }
    return true;
  }

  public String name() {
    return name;
  }

  /** Where the file lives, or null for standard input. */
  public Path path() {
    return path;
  }

  public String text() {
    return text;
  }

  public List<ManifestDocument> documents() {
    return documents;
  }

  public boolean changed() {
    return documents.stream().anyMatch(ManifestDocument::changed);
  }

  /** The file as it goes out: every document rendered, in order. */
  public String render() {
    if (!changed()) return text;
    // Changed documents are written independently: on as many cores as there are.
    List<String> rendered = InOrder.map(documents, ManifestDocument::render);
    StringBuilder out = new StringBuilder(text.length() + text.length() / 4);
    for (String d : rendered) out.append(d);
    return out.toString();
  }
}
