package dev.nonroot.cli.manifest;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
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
   * Parses every document of {@code text}. {@code name} is how messages name the input; {@code path}
   * is where it lives (null for standard input).
   */
  public static ManifestFile parse(String name, Path path, String text) throws ManifestSyntaxException {
    ManifestFile file = new ManifestFile(name, path, text);
    List<DocumentSplitter.Chunk> chunks = DocumentSplitter.split(text);
    Object[] parsed = new Object[chunks.size()];
    // Documents are independent: large inputs parse on every core.
    IntStream indexes = IntStream.range(0, chunks.size());
    (chunks.size() >= PARALLEL_THRESHOLD ? indexes.parallel() : indexes).forEach(i -> {
      try {
        parsed[i] = parseDocument(file, i, text, chunks.get(i));
      } catch (ManifestSyntaxException e) {
        parsed[i] = e;
      }
    });
    for (Object p : parsed) {
      // The first bad document in file order is the one reported, however the work was split.
      if (p instanceof ManifestSyntaxException e) throw e;
      file.documents.add((ManifestDocument) p);
    }
    return file;
  }

  /** Below this many documents, threads cost more than they save. */
  static final int PARALLEL_THRESHOLD = 64;

  private static ManifestDocument parseDocument(ManifestFile file, int index, String text, DocumentSplitter.Chunk chunk)
      throws ManifestSyntaxException {
    String raw = text.substring(chunk.start(), chunk.end());
    Node root = YamlComposer.compose(raw, chunk.line());
    if (root == null) return new ManifestDocument(file, index, chunk.line(), raw, null, 0, 0, 0, Set.of());
    TreeConverter.Result r = TreeConverter.convert(root, chunk.line());
    return new ManifestDocument(file, index, chunk.line(), raw, r.tree(), root.getStartMark().getLine(),
        r.endLine(), r.endColumn(), r.quoted());
  }

  /** Strict UTF-8: a file that is not text fails here instead of being rewritten with U+FFFD. */
  public static String decode(byte[] bytes) throws CharacterCodingException {
    return StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT)
        .decode(ByteBuffer.wrap(bytes))
        .toString();
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
    Stream<ManifestDocument> docs = documents.size() >= PARALLEL_THRESHOLD ? documents.parallelStream() : documents.stream();
    return docs.map(ManifestDocument::render).collect(Collectors.joining());
  }
}
