package dev.nonroot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FixInPlaceTest {
  private static final FileTime OLD = FileTime.from(Instant.parse("2001-02-03T04:05:06Z"));

  @TempDir Path dir;

  private Path web;
  private Path service;
  private Path compliant;

  @BeforeEach
  void files() throws Exception {
    Path[] f = CliRun.fixtures(dir, "web.yaml", "web-service.yaml", "compliant.yaml");
    web = f[0];
    service = f[1];
    compliant = f[2];
    for (Path p : f) Files.setLastModifiedTime(p, OLD);
  }

  @Test
  void rewritesOnlyTheFilesThatChange() throws Exception {
    String expected = CliRun.run("fix", web.toString(), service.toString()).out();
    CliRun r = CliRun.run("fix", "--in-place", dir.toString());
    assertThat(r.exit()).isEqualTo(ExitCodes.OK);
    assertThat(r.out()).isEmpty();
    assertThat(r.errLine()).contains("across 2 files (rewritten in place)");
    assertThat(CliRun.read(web) + CliRun.read(service).replaceFirst("^", "---\n"))
        .isEqualTo(expected);
    assertThat(Files.getLastModifiedTime(web)).isNotEqualTo(OLD);
    // Untouched: same bytes and not even written.
    assertThat(CliRun.read(compliant)).isEqualTo(CliRun.fixture("compliant.yaml"));
    assertThat(Files.getLastModifiedTime(compliant)).isEqualTo(OLD);
    try (Stream<Path> left = Files.list(dir)) {
      assertThat(left.map(p -> p.getFileName().toString()).sorted().toList())
          .containsExactly("compliant.yaml", "web-service.yaml", "web.yaml");
    }
  }

  @Test
  void secondRunTouchesNothing() throws Exception {
    CliRun.run("fix", "--in-place", dir.toString());
    for (Path p : List.of(web, service, compliant)) Files.setLastModifiedTime(p, OLD);
    String before = CliRun.read(web);
    CliRun again = CliRun.run("fix", "--in-place", dir.toString());
    assertThat(again.exit()).isEqualTo(ExitCodes.OK);
    assertThat(again.errLine()).startsWith("nothing to fix");
    assertThat(CliRun.read(web)).isEqualTo(before);
    for (Path p : List.of(web, service, compliant))
      assertThat(Files.getLastModifiedTime(p)).isEqualTo(OLD);
  }

  @Test
  void badInputAnywhereMeansNothingIsWritten() throws Exception {
    Path[] bad = CliRun.fixtures(dir, "bad/mapping-values.yaml");
    CliRun r =
        CliRun.run("fix", "--in-place", web.toString(), service.toString(), bad[0].toString());
    assertThat(r.exit()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(r.errLine()).startsWith(bad[0] + ":6: ");
    assertThat(CliRun.read(web)).isEqualTo(CliRun.fixture("web.yaml"));
    assertThat(Files.getLastModifiedTime(web)).isEqualTo(OLD);
    assertThat(Files.getLastModifiedTime(service)).isEqualTo(OLD);
  }

  @Test
  void invalidPolicyMeansNothingIsWritten() throws Exception {
    Path[] policy = CliRun.fixtures(dir.resolve(".."), "policies/negative-offset.yaml");
    CliRun r = CliRun.run("fix", "--in-place", "--policy", policy[0].toString(), dir.toString());
    assertThat(r.exit()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(Files.getLastModifiedTime(web)).isEqualTo(OLD);
    assertThat(CliRun.read(web)).isEqualTo(CliRun.fixture("web.yaml"));
  }

  @Test
  void standardInputCannotBeRewritten() {
    CliRun r = CliRun.withStdin(CliRun.fixture("web.yaml"), "fix", "--in-place", "-");
    assertThat(r.exit()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(r.errLine()).doesNotContain("\n").contains("--in-place").contains("standard input");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void rewrittenFileKeepsItsPermissions() throws Exception {
    Files.setPosixFilePermissions(web, PosixFilePermissions.fromString("rw-r-----"));
    CliRun r = CliRun.run("fix", "--in-place", web.toString());
    assertThat(r.exit()).isEqualTo(ExitCodes.OK);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(web)))
        .isEqualTo("rw-r-----");
  }

  @Test
  void symlinkedFileIsRewrittenThroughTheLink() throws Exception {
    Path link = dir.resolve("link.yaml");
    Files.createSymbolicLink(link, web);
    CliRun r = CliRun.run("fix", "--in-place", link.toString());
    assertThat(r.exit()).isEqualTo(ExitCodes.OK);
    assertThat(Files.isSymbolicLink(link)).isTrue();
    assertThat(CliRun.read(web)).contains("runAsNonRoot: true");
  }
}
