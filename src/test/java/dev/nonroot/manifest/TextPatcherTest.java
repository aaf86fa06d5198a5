package dev.nonroot.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** A changed document is edited where it changed; every other byte stays. */
class TextPatcherTest {

  private static String patch(String raw, Consumer<ObjectNode> change) {
    ObjectNode tree;
    try {
      tree = (ObjectNode) TreeConverter.convert(YamlComposer.compose(raw, 1), 1).tree();
    } catch (ManifestSyntaxException e) {
      throw new AssertionError(e);
    }
    change.accept(tree);
    return TextPatcher.patch(raw, tree, YamlWriter.indentsSequences(raw));
  }

  private static ObjectNode at(JsonNode root, String pointer) {
    return (ObjectNode) root.at(pointer);
  }

  @Test
  void replacesAScalarAndKeepsItsComment() {
    String raw = "spec:\n  ports:\n  - containerPort: 80   # http\n    name: http\n";
    String out = patch(raw, t -> at(t, "/spec/ports/0").put("containerPort", 8080));
    assertThat(out)
        .isEqualTo("spec:\n  ports:\n  - containerPort: 8080   # http\n    name: http\n");
  }

  @Test
  void aBlockEmptiedByTheChangeBecomesAnEmptyMappingOnItsKeyLine() {
    // What revert does to a pod securityContext the API server printed as {} before the fix.
    String raw =
        "spec:\n  securityContext:   \n    runAsNonRoot: true\n    runAsUser: 65532\n"
            + "  containers:\n  - name: c\n    args:\n    - x\n";
    String out =
        patch(
            raw,
            t -> {
              at(t, "/spec/securityContext").removeAll();
              ((ArrayNode) t.at("/spec/containers/0/args")).removeAll();
            });
    assertThat(out)
        .isEqualTo("spec:\n  securityContext: {}\n  containers:\n  - name: c\n    args: []\n");
  }

  @Test
  void anEmptiedBlockAfterACommentedKeyIsNotGuessed() {
    String raw = "spec:\n  securityContext: # set by us\n    runAsNonRoot: true\n";
    assertThat(patch(raw, t -> at(t, "/spec/securityContext").removeAll())).isNull();
  }

  @Test
  void keepsTheQuotingOfAReplacedString() {
    String raw = "a: 'Unconfined'  # was\nb: \"x\"\n";
    String out = patch(raw, t -> t.put("a", "RuntimeDefault").put("b", "8080"));
    assertThat(out).isEqualTo("a: 'RuntimeDefault'  # was\nb: \"8080\"\n");
  }

  @Test
  void newKeysGoAfterTheLastEntryInnerBeforeOuter() {
    String raw = "spec:\n  containers:\n  - name: c\n    image: i\n# trailing comment\n";
    String out =
        patch(
            raw,
            t -> {
              at(t, "/spec/containers/0")
                  .putObject("securityContext")
                  .put("allowPrivilegeEscalation", false);
              at(t, "/spec").putObject("securityContext").put("runAsNonRoot", true);
            });
    assertThat(out)
        .isEqualTo(
            "spec:\n  containers:\n  - name: c\n    image: i\n"
                + "    securityContext:\n      allowPrivilegeEscalation: false\n"
                + "  securityContext:\n    runAsNonRoot: true\n# trailing comment\n");
  }

  @Test
  void newListsFollowTheFileSequenceStyle() {
    String raw = "c:\n  items:\n    - a\n  caps: {}\n";
    String out = patch(raw, t -> at(t, "/c").putObject("caps").putArray("drop").add("ALL"));
    assertThat(out).isEqualTo("c:\n  items:\n    - a\n  caps:\n    drop:\n      - ALL\n");
  }

  @Test
  void removesAKeyWithItsLines() {
    String raw = "caps:\n  add:\n  - NET_ADMIN\n  # why we drop\n  drop:\n  - ALL\n";
    String out = patch(raw, t -> at(t, "/caps").remove("add"));
    assertThat(out).isEqualTo("caps:\n  # why we drop\n  drop:\n  - ALL\n");
  }

  @Test
  void growsABlockListAndAFlowList() {
    String raw = "block:\n- NET_RAW\nflow: [\"NET_RAW\"] # kept\n";
    String out =
        patch(
            raw,
            t -> {
              ((ArrayNode) t.get("block")).add("ALL");
              ((ArrayNode) t.get("flow")).add("ALL");
            });
    assertThat(out).isEqualTo("block:\n- NET_RAW\n- ALL\nflow: [\"NET_RAW\", \"ALL\"] # kept\n");
  }

  @Test
  void fillsEmptyAndNullValues() {
    String raw = "a:\nb: null # none\nc: 1\n";
    String out =
        patch(
            raw,
            t -> {
              t.put("a", "x");
              t.putObject("b").put("type", "RuntimeDefault");
            });
    assertThat(out).isEqualTo("a: x\nb: # none\n  type: RuntimeDefault\nc: 1\n");
  }

  @Test
  void keepsCrlfAndAMissingFinalNewline() {
    String raw = "a: 1\r\nb:\r\n  c: 2";
    String out = patch(raw, t -> at(t, "/b").put("d", true));
    assertThat(out).isEqualTo("a: 1\r\nb:\r\n  c: 2\r\n  d: true");
  }

  @Test
  void quotesNewStringsThatWouldReadAsSomethingElse() {
    String raw = "a: 1\n";
    String out =
        patch(
            raw, t -> t.put("b", "8080").put("c", "yes").put("d", "plain").put("e", "multi\nline"));
    assertThat(out).isEqualTo("a: 1\nb: \"8080\"\nc: \"yes\"\nd: plain\ne: \"multi\\nline\"\n");
  }

  @Test
  void givesUpWhereOnlyARewriteCanDoIt() {
    // Removing the first key of a list item's mapping would take its dash with it.
    assertThat(patch("l:\n- a: 1\n  b: 2\n", t -> at(t, "/l/0").remove("a"))).isNull();
    // Outside the fast reader's subset.
    assertThat(patch("a: &x 1\nb: *x\n", t -> t.put("a", 2))).isNull();
    // Keys reordered.
    assertThat(
            patch(
                "a: 1\nb: 2\n",
                t -> {
                  t.remove("a");
                  t.put("a", 1);
                }))
        .isNull();
  }
}
