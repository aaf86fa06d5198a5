package dev.nonroot.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.yaml.snakeyaml.nodes.Node;

/**
 * The fast reader must agree with SnakeYAML (plus the Kubernetes typing) on every document it
 * accepts, and must hand everything unusual or invalid to SnakeYAML.
 */
class BlockYamlParserTest {

  static Stream<String> acceptedDocuments() {
    return Stream.of(
        "a: 1\nb: -2\nc: 0777\nd: 0x1F\ne: 0o17\nf: 1_000\ng: 1.5\nh: 1e3\ni: .5\nj: .inf\nk: -.Inf\nl: .nan\n",
        "a: yes\nb: No\nc: on\nd: OFF\ne: y\nf: N\ng: true\nh: False\n",
        "a: null\nb: ~\nc:\nd: Null\n",
        "a: 2001-12-14\nb: 12:30\nc: http://example.com:8080/x\nd: a:b\ne: -c\nf: --port=80\ng: 'it''s'\n",
        "key with spaces: value with spaces\n80: http\ntrue: yes\n\"quoted key\": 1\n'single': 2\napp.kubernetes.io/name: x\n",
        "a: \"tab\\there \\\"q\\\" back\\\\slash \\x41 \\u00e9 nl\\n\"\nb: 'no \\n escape'\nc: \"\"\nd: ''\n",
        "a: b # comment\nc: d#not-a-comment\n# full line\n  # indented comment\ne: \"# in quotes\" # real\n",
        "list:\n- a\n- 'b'\n- \"c\"\n- 1\n-\n- null\nindented:\n  - x\n  - y\n",
        "items:\n-   name: a\n    value: 1\n- name: b\n  nested:\n  - 1\n  - 2\n  more:\n    deep: true\n-\n  name: c\n",
        "f1: []\nf2: {}\nf3: [a, \"b\", 'c', 1, true, null]\nf4: {a: 1, \"b\": [1, 2], c: {d: e}}\nf5: [ spaced , items ]\n",
        "s: |\n  line one\n    indented\n\n  after blank\nt: |-\n  strip\n\nu: |+\n  keep\n\nv: end\n",
        "seq:\n- |\n  in a list\n  # not a comment\n- after\n",
        "---\na: 1\n...\n",
        "# leading comment\n---\n# another\na: 1\n# trailing\n",
        "\uFEFFa: 1\n",
        "a: 1\r\nb:\r\n  - x\r\n  - \"y\"\r\n",
        "a: ünïcödé ✓\nb: \"ü\"\n",
        "a:\n  b:\n    c:\n      d: deep\n  e: back\nf: top\n",
        "a: 1",
        "keep: |+\n  x\n\n",
        "empty-value:\n# comment\nnext: 1\n",
        "a: this is\n  multi-line\n\n\n  plain, folded\nb: x\n",
        "l:\n- until nc -z host 6379; do sleep 2;\n  done;\n- next\n",
        "description: Operation contains information about a requested or running\n  operation\n");
  }

  @ParameterizedTest
  @MethodSource("acceptedDocuments")
  void readsTheSubsetExactlyAsSnakeYamlDoes(String doc) throws Exception {
    BlockYamlParser.Parsed fast = BlockYamlParser.parse(doc, true);
    assertThat(fast).as("fast reader should accept:\n" + doc).isNotNull();
    assertThat(fast.tree()).isEqualTo(slow(doc));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "a: &x 1\nb: *x\n",
        "a: !!str 1\n",
        "a: >\n  folded\n",
        "a: |2\n   indicator\n",
        "a: this is\n  multi-line # not allowed after a comment\n  plain\n",
        "a: \"multi\n  line\"\n",
        "? complex\n: key\n",
        "a: 1\na: 2\n",
        "a:\n\t- tab\n",
        "apiVersion: v1\nkind: ConfigMap\n\t# a tab before a comment\nmetadata:\n  name: x\n",
        "a: [unclosed\n",
        "a: b: c\n",
        "<<: {a: 1}\n",
        "a: [1, 2, ]\n",
        "a: {b:1}\n",
        "%YAML 1.1\n---\na: 1\n",
        "- top level list\n",
        "just a scalar\n",
        "",
        "# only a comment\n",
        "--- {a: 1}\n",
        "a: \"\\ud83d\"\n",
        "a: \"\\/ is no YAML 1.1 escape\"\n",
        "a: \"😀\"\n",
        "a: 1\n  b: 2\n",
        "a:\n  - x\n   - y\n",
        "a: - b\n",
        "{{- if .Values.x }}\n",
      })
  void leavesEverythingElseToSnakeYaml(String doc) {
    assertThat(BlockYamlParser.parse(doc, false)).as(doc).isNull();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "web.yaml",
        "web-service.yaml",
        "list.yaml",
        "needs-root.yaml",
        "tricky-strings.yaml"
      })
  void agreesOnEveryFixtureDocument(String fixture) throws Exception {
    String text = fixture(fixture);
    int fast = 0;
    for (DocumentSplitter.Chunk c : DocumentSplitter.split(text)) {
      String raw = text.substring(c.start(), c.end());
      BlockYamlParser.Parsed p = BlockYamlParser.parse(raw, false);
      if (p == null) continue;
      fast++;
      assertThat(p.tree()).as(raw).isEqualTo(slow(raw));
    }
    assertThat(fast).as("documents read by the fast reader").isPositive();
  }

  @ParameterizedTest
  @MethodSource("acceptedDocuments")
  void contentStartsWhereSnakeYamlSaysItDoes(String doc) throws Exception {
    BlockYamlParser.Parsed fast = BlockYamlParser.parse(doc, false);
    Node root = YamlComposer.compose(doc, 1);
    assertThat(fast.rootLine()).isEqualTo(root.getStartMark().getLine());
  }

  private static JsonNode slow(String doc) throws ManifestSyntaxException {
    Node root = YamlComposer.compose(doc, 1);
    return TreeConverter.convert(root, 1).tree();
  }

  static String fixture(String name) throws IOException {
    try (InputStream in = BlockYamlParserTest.class.getResourceAsStream("/cli/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
