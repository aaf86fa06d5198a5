package dev.nonroot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.nonroot.HostileFixtures;
import dev.nonroot.HostileFixtures.Fixture;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every hostile input the CLI reads gets one clear answer: exit 2 with one line naming the file,
 * the line and what is wrong (never a stack trace, an internal error or a partly written file), or
 * the findings that name the field. The table is the fixtures of src/test/resources/hostile: the
 * CLI's own inputs (cli/cases.yaml), the hostile policies (policies/, through --policy) and the odd
 * workloads (workloads/).
 */
class HostileInputTest {
  private static final String WEB = "web.yaml";

  @TempDir Path dir;

  /**
   * One input and its answer: exit 2 naming {@code line} of the file the message must name, or exit
   * 1 with findings; {@code says} must all appear.
   */
  record Case(String name, Setup setup, int exit, int line, List<String> says, boolean revertToo) {
    @Override
    public String toString() {
      return name;
    }
  }

  interface Setup {
    Input make(Path dir) throws IOException;
  }

  /**
   * What one run reads: PATH arguments or standard input, a --policy file, the files that must stay
   * byte for byte after a refused run, and the name the message must start with.
   */
  record Input(List<String> paths, byte[] stdin, String policy, List<Path> files, String named) {}

  static Stream<Case> cases() throws IOException {
    return Stream.of(inputs(), policies(), workloads()).flatMap(s -> s);
  }

  // ---- the table ----

  private static Stream<Case> inputs() throws IOException {
    List<Case> out = new ArrayList<>();
    JsonNode table =
        new YAMLMapper().readTree(HostileFixtures.directory("cli").resolve("cases.yaml").toFile());
    for (JsonNode c : table) {
      List<String> says = new ArrayList<>();
      c.path("says").forEach(s -> says.add(s.asText()));
      boolean stdin = c.path("stdin").asBoolean(false);
      boolean policy = c.path("policy").asBoolean(false);
      String name =
          c.has("generate")
              ? c.get("generate").asText()
              : c.get("file").asText()
                  + (stdin ? " on standard input" : policy ? " as --policy" : "");
      Setup setup =
          c.has("generate")
              ? GENERATORS.get(c.get("generate").asText())
              : fixtureInput(c.get("file").asText(), stdin, policy);
      if (setup == null) throw new IllegalStateException("no generator " + name);
      out.add(
          new Case(
              name,
              setup,
              c.get("exit").asInt(),
              c.path("line").asInt(0),
              says,
              !policy && c.path("revert").asBoolean(true)));
    }
    return out.stream();
  }

  private static Stream<Case> policies() {
    return HostileFixtures.policies().stream()
        .map(
            f ->
                new Case(
                    "policy " + f.name(),
                    d -> {
                      Path policy = copy(f, d);
                      Path web = copyCli(WEB, d);
                      return new Input(
                          List.of(web.toString()),
                          null,
                          policy.toString(),
                          List.of(web),
                          policy.toString());
                    },
                    2,
                    f.line(),
                    f.says(),
                    false));
  }

  private static Stream<Case> workloads() {
    return HostileFixtures.workloads().stream()
        .map(
            f ->
                new Case(
                    "workload " + f.name(),
                    d -> {
                      Path p = copy(f, d);
                      return new Input(List.of(p.toString()), null, null, List.of(p), p.toString());
                    },
                    f.refused() ? 2 : 1,
                    // A workload that is fine is named anywhere in the scan, and fixed whole.
                    f.fixed() ? 0 : f.line(),
                    f.says(),
                    false));
  }

  // ---- the check ----

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void everyHostileInputGetsOneClearAnswer(Case c) throws Exception {
    Input in = c.setup().make(dir);
    if (c.exit() == 2) {
      refused(c, in);
    } else {
      judged(c, in);
    }
  }

  private void refused(Case c, Input in) throws IOException {
    Map<Path, byte[]> before = snapshot(in.files());
    List<List<String>> commands = new ArrayList<>();
    commands.add(List.of("scan"));
    // fix writes to standard output what --in-place writes to the files: the same refusal.
    commands.add(in.stdin() == null ? List.of("fix", "--in-place") : List.of("fix"));
    if (c.revertToo()) commands.add(List.of("revert"));
    for (List<String> command : commands) {
      CliRun r = run(command, in);
      assertThat(r.exit()).as(command + ": " + r.err()).isEqualTo(ExitCodes.BAD_INPUT);
      assertThat(r.out()).as(command + " stdout").isEmpty();
      assertThat(r.errLine())
          .as(command + " stderr")
          .doesNotContain("\n")
          .contains(in.named() + ":" + c.line() + ": ")
          .contains(c.says());
      clean(r);
      assertThat(snapshot(in.files()))
          .as(command + " leaves every input as it was")
          .containsExactlyInAnyOrderEntriesOf(before);
    }
  }

  private void judged(Case c, Input in) throws IOException {
    CliRun scan = run(List.of("scan"), in);
    assertThat(scan.exit()).as(scan.err()).isEqualTo(ExitCodes.FINDINGS);
    clean(scan);
    if (c.line() > 0) {
      // A workload fixture: the finding sits on the line the fixture marks.
      assertThat(scan.out().lines())
          .as(scan.out())
          .anySatisfy(
              row ->
                  assertThat(row).startsWith(in.named() + ":" + c.line() + " ").contains(c.says()));
    } else {
      assertThat(scan.out() + scan.err()).contains(c.says());
    }
    if (in.stdin() != null) return;
    CliRun fix = run(List.of("fix", "--in-place"), in);
    assertThat(fix.exit()).as(fix.err()).isEqualTo(ExitCodes.OK);
    clean(fix);
    CliRun again = run(List.of("scan"), in);
    clean(again);
    if (c.line() > 0) {
      // What cannot be fixed is still named; the fixes made around it hold.
      assertThat(again.exit()).as(again.err()).isEqualTo(ExitCodes.FINDINGS);
      assertThat(again.out()).contains(c.says());
      assertThat(again.out()).doesNotContain(" yes  ");
    } else {
      assertThat(again.exit()).as(again.out() + again.err()).isEqualTo(ExitCodes.OK);
    }
  }

  private static void clean(CliRun r) {
    assertThat(r.out() + r.err())
        .doesNotContain("Exception")
        .doesNotContain("internal error")
        .doesNotContain("\tat ");
  }

  /**
   * Runs the CLI from a thread with a small stack (256 KiB, below any JVM's default): the answer to
   * a document nested 900 levels deep must not depend on the stack of whoever runs the command.
   */
  private static CliRun run(List<String> command, Input in) {
    List<String> args = new ArrayList<>(command);
    if (in.policy() != null) args.addAll(List.of("--policy", in.policy()));
    if (in.stdin() != null) args.add("-");
    else args.addAll(in.paths());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int[] exit = {-1};
    Thread caller =
        new Thread(
            null,
            () ->
                exit[0] =
                    Main.execute(
                        args.toArray(String[]::new),
                        new ByteArrayInputStream(in.stdin() == null ? new byte[0] : in.stdin()),
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8)),
            "small-stack",
            256 * 1024);
    caller.start();
    try {
      caller.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return new CliRun(
        exit[0], out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private static Map<Path, byte[]> snapshot(List<Path> files) throws IOException {
    Map<Path, byte[]> out = new LinkedHashMap<>();
    for (Path f : files) {
      if (Files.isDirectory(f)) {
        try (Stream<Path> all = Files.walk(f)) {
          for (Path p : all.filter(Files::isRegularFile).toList())
            out.put(p, Files.readAllBytes(p));
        }
      } else {
        out.put(f, Files.readAllBytes(f));
      }
    }
    return out;
  }

  // ---- inputs ----

  private static Path copy(Fixture f, Path d) throws IOException {
    return Files.copy(f.path(), d.resolve(f.path().getFileName().toString()));
  }

  private static Path copyCli(String name, Path d) throws IOException {
    Path target = d.resolve(name);
    if (!Files.exists(target)) Files.copy(HostileFixtures.directory("cli").resolve(name), target);
    return target;
  }

  private static Setup fixtureInput(String file, boolean stdin, boolean policy) {
    return d -> {
      Path p = copyCli(file, d);
      if (stdin) return new Input(List.of(), Files.readAllBytes(p), null, List.of(), "<stdin>");
      if (policy) {
        Path web = copyCli(WEB, d);
        return new Input(
            List.of(web.toString()), null, p.toString(), List.of(p, web), p.toString());
      }
      return new Input(List.of(p.toString()), null, null, List.of(p), p.toString());
    };
  }

  private static final String DEPLOYMENT =
      """
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: %s
        namespace: shop
      %sspec:
        selector:
          matchLabels: {app: web}
        template:
          metadata:
            labels: {app: web}
          spec:
            containers:
            - name: web
              image: nginx
      """;

  /** The inputs too big, or of too many files, to keep in the repository. */
  private static final Map<String, Setup> GENERATORS =
      Map.of(
          "deep-block-mapping",
          d -> {
            StringBuilder b = new StringBuilder("apiVersion: v1\nkind: ConfigMap\ndata:\n");
            for (int i = 1; i <= 2000; i++) b.append("  ".repeat(i)).append("a:\n");
            b.append("  ".repeat(2001)).append("b\n");
            return file(d, "deep-block-mapping.yaml", b.toString());
          },
          "huge-line",
          d -> file(d, "huge-line.yaml", deploymentWithAnnotationLine(3 * 1024 * 1024)),
          "long-line-allowed",
          // As long as all of an object's annotations may be.
          d -> file(d, "long-line.yaml", deploymentWithAnnotationLine(256 * 1024)),
          "thousands-of-files",
          d -> files(d, -1),
          "thousands-of-files-one-bad",
          d -> files(d, 1500));

  /** A Deployment whose sixth line, an annotation, is {@code length} characters long. */
  private static String deploymentWithAnnotationLine(int length) {
    String open = "  annotations: {big: \"";
    String line = open + "x".repeat(length - open.length() - 2) + "\"}\n";
    return DEPLOYMENT.formatted("web", line);
  }

  private static Input file(Path d, String name, String text) throws IOException {
    Path p = Files.writeString(d.resolve(name), text);
    return new Input(List.of(p.toString()), null, null, List.of(p), p.toString());
  }

  /** 2,000 files of one workload each; file {@code bad} (unless -1) does not parse (line 3). */
  private static Input files(Path d, int bad) throws IOException {
    Path root = Files.createDirectories(d.resolve("files"));
    Path badFile = null;
    for (int i = 0; i < 2000; i++) {
      Path p = root.resolve(String.format("app-%04d.yaml", i));
      if (i == bad) {
        Files.writeString(p, "apiVersion: apps/v1\nkind: Deployment\nmetadata: name: app\n");
        badFile = p;
      } else {
        Files.writeString(p, DEPLOYMENT.formatted(String.format("app-%04d", i), ""));
      }
    }
    return new Input(
        List.of(root.toString()),
        null,
        null,
        List.of(root),
        badFile == null ? root.toString() : badFile.toString());
  }
}
