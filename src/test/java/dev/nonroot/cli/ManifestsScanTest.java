package dev.nonroot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Our own operator runs non-root: scan over the repository's manifests/ finds nothing. */
class ManifestsScanTest {
  private static final Path MANIFESTS = Path.of("manifests");

  @Test
  void ownDeployManifestsHaveZeroFindings() {
    assertThat(MANIFESTS)
        .as("manifests/ (the operator's kustomize layout) must exist")
        .isDirectory();
    assertThat(containsDeployment())
        .as(
            "manifests/ must contain the operator's Deployment; scanning nothing would prove nothing")
        .isTrue();
    CliRun r = CliRun.run("scan", MANIFESTS.toString());
    assertThat(r.out()).as("findings").isEmpty();
    assertThat(r.exit()).as(r.err()).isEqualTo(ExitCodes.OK);
    assertThat(r.errLine())
        .contains("0 violating")
        .contains("; 0 findings")
        .doesNotContain("scanned 0 workloads");
  }

  private static boolean containsDeployment() {
    try (Stream<Path> files = Files.walk(MANIFESTS)) {
      return files
          .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
          .anyMatch(p -> read(p).lines().anyMatch(l -> l.strip().equals("kind: Deployment")));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
