package dev.nonroot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every user mistake: exit 2, one line naming the file and the line or field, never a stack trace.
 */
class BadInputTest {
  @TempDir Path dir;

  /**
   * name, how to make the arguments in a temp dir (after "scan"/"fix"), and what the line must say.
   */
  record Case(String name, Setup setup, String... expected) {
    @Override
    public String toString() {
      return name;
    }
  }

  interface Setup {
    List<String> args(Path dir) throws Exception;
  }

  static Stream<Case> cases() {
    return Stream.of(
        manifest(
            "bad/mapping-values.yaml",
            "mapping-values.yaml:6: ",
            "mapping values are not allowed here"),
        manifest("bad/second-doc.yaml", "second-doc.yaml:12: ", "flow sequence"),
        manifest("bad/duplicate-key.yaml", "duplicate-key.yaml:5: ", "duplicate key \"name\""),
        manifest("bad/tab.yaml", "tab.yaml:4: ", "TAB"),
        manifest("bad/template.yaml", "template.yaml:1: ", "template"),
        new Case(
            "missing file",
            d -> List.of(d.resolve("nope.yaml").toString()),
            "nope.yaml: no such file or directory"),
        new Case(
            "directory without yaml",
            d -> {
              Files.createDirectories(d.resolve("empty"));
              Files.writeString(d.resolve("empty/readme.txt"), "hi");
              return List.of(d.resolve("empty").toString());
            },
            "empty: no *.yaml or *.yml files in this directory"),
        new Case(
            "not utf-8",
            d -> {
              Files.write(d.resolve("latin1.yaml"), new byte[] {'a', ':', ' ', (byte) 0xE9, '\n'});
              return List.of(d.resolve("latin1.yaml").toString());
            },
            "latin1.yaml:1: not UTF-8 text (byte 0xE9"),
        new Case(
            "flow collections nested 5000 deep",
            d -> {
              Path f = d.resolve("deep-flow.yaml");
              Files.writeString(
                  f,
                  "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n  a: "
                      + "[".repeat(5000)
                      + "]".repeat(5000)
                      + "\n");
              return List.of(f.toString());
            },
            "deep-flow.yaml:5: ",
            "nested more than 1000 levels deep"),
        new Case(
            "block mappings nested 3000 deep",
            d -> {
              StringBuilder b = new StringBuilder("apiVersion: v1\nkind: ConfigMap\ndata:\n");
              for (int i = 1; i <= 3000; i++) b.append("  ".repeat(i)).append("a:\n");
              b.append("  ".repeat(3001)).append("b\n");
              Path f = d.resolve("deep-block.yaml");
              Files.writeString(f, b.toString());
              return List.of(f.toString());
            },
            "deep-block.yaml:1003: ",
            "nested more than 1000 levels deep"),
        new Case("stdin twice", d -> List.of("-", "-"), "standard input can be given only once"),
        policy("policies/bad-mode.yaml", "bad-mode.yaml:6: ", "spec.mode", "Enforced"),
        policy(
            "policies/negative-offset.yaml", "negative-offset.yaml:8: ", "spec.ports.offset", "-1"),
        policy("policies/low-map.yaml", "low-map.yaml:8: ", "spec.ports.map[\"53\"]", "853"),
        policy(
            "policies/unknown-field.yaml",
            "unknown-field.yaml:8: ",
            "unknown field spec.securityContext.dropCapabilites"),
        policy(
            "policies/selector-typo.yaml",
            "selector-typo.yaml:8: ",
            "spec.match.selector.matchLabel: unknown field"),
        policy("policies/wrong-type.yaml", "wrong-type.yaml:7: ", "spec.ports.offset", "lots"),
        policy(
            "policies/not-a-policy.yaml",
            "not-a-policy.yaml:2: ",
            "not a NonRootPolicy",
            "Deployment"),
        new Case(
            "policy file missing",
            d -> {
              Path web = CliRun.fixtures(d, "web.yaml")[0];
              return List.of("--policy", d.resolve("none.yaml").toString(), web.toString());
            },
            "none.yaml: no such file (--policy)"),
        new Case(
            "policy is a directory",
            d -> {
              Path web = CliRun.fixtures(d, "web.yaml")[0];
              return List.of("--policy", d.toString(), web.toString());
            },
            "is a directory; --policy takes a file"));
  }

  private static Case manifest(String fixture, String... expected) {
    return new Case(fixture, d -> List.of(CliRun.fixtures(d, fixture)[0].toString()), expected);
  }

  private static Case policy(String fixture, String... expected) {
    return new Case(
        fixture,
        d -> {
          Path[] f = CliRun.fixtures(d, "web.yaml", fixture);
          return List.of("--policy", f[1].toString(), f[0].toString());
        },
        expected);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void scanSaysWhatIsWrongInOneLine(Case c) throws Exception {
    check(c, "scan");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void fixSaysWhatIsWrongInOneLine(Case c) throws Exception {
    check(c, "fix");
  }

  /** The cases about manifests and paths: revert reads no policy. */
  static Stream<Case> manifestCases() {
    return cases().filter(c -> !c.name().contains("polic"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("manifestCases")
  void revertSaysWhatIsWrongInOneLine(Case c) throws Exception {
    check(c, "revert");
  }

  private void check(Case c, String command) throws Exception {
    List<String> args = new ArrayList<>(List.of(command));
    args.addAll(c.setup().args(dir));
    CliRun r = CliRun.run(args.toArray(String[]::new));
    assertThat(r.exit()).as(r.err()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(r.out()).isEmpty();
    assertThat(r.errLine())
        .doesNotContain("\n")
        .contains(c.expected())
        .doesNotContain("Exception")
        .doesNotContain("at dev.")
        .doesNotContain("\tat ");
  }
}
