package dev.nonroot.manifest;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
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
    checkLineLengths(text);
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

  /**
   * The longest line read. SnakeYAML copies its whole look-ahead window for every 1 KiB it reads of
   * one token, so a token of n characters costs n^2/2048 steps: 20 MB on one line took five
   * minutes. No Kubernetes object holds a value this long (etcd stores at most 1.5 MiB per object,
   * a ConfigMap 1 MiB), and at this length the cost is a second or two.
   */
  public static final int MAX_LINE = 2 * 1024 * 1024;

  private static void checkLineLengths(String text) throws ManifestSyntaxException {
    int line = 1;
    int start = 0;
    while (start <= text.length()) {
      int nl = text.indexOf('\n', start);
      int end = nl < 0 ? text.length() : nl;
      if (end - start > MAX_LINE) {
        throw new ManifestSyntaxException(
            line,
            "line is "
                + (end - start)
                + " characters long; lines of more than "
                + MAX_LINE
                + " are not read (no Kubernetes object holds a value that long)");
      }
      if (nl < 0) break;
      start = nl + 1;
      line++;
    }
  }

  /**
   * Strict UTF-8: a file that is not text fails here, naming the line of the first byte that is not
   * UTF-8, instead of being rewritten with U+FFFD.
   */
  public static String decode(byte[] bytes) throws ManifestSyntaxException {
    // ASCII, what nearly every manifest is, is UTF-8 that needs no checking.
    if (ascii(bytes)) return new String(bytes, StandardCharsets.US_ASCII);
    if (startsWith(bytes, 0xFF, 0xFE) || startsWith(bytes, 0xFE, 0xFF)) {
      throw new ManifestSyntaxException(
          1, "not UTF-8 text: it starts with a UTF-16 byte order mark; save it as UTF-8");
    }
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(bytes.length);
    CoderResult result = decoder.decode(in, out, true);
    if (result.isUnderflow()) result = decoder.flush(out);
    if (result.isError()) {
      int at = in.position();
      int line = 1;
      for (int i = 0; i < at; i++) if (bytes[i] == '\n') line++;
      throw new ManifestSyntaxException(
          line,
          String.format(
              "not UTF-8 text (byte 0x%02X cannot start or continue a UTF-8 character)",
              bytes[at] & 0xFF));
    }
    return out.flip().toString();
  }

  private static boolean startsWith(byte[] bytes, int first, int second) {
    return bytes.length >= 2 && (bytes[0] & 0xFF) == first && (bytes[1] & 0xFF) == second;
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
