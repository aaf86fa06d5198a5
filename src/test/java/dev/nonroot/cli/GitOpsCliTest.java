package dev.nonroot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A workload Argo CD or Flux manages is left to it in the cluster (spec.gitops), so the manifests
 * are where its fix goes: scan names the application that owns it, and fix fixes it.
 */
class GitOpsCliTest {
  @TempDir Path dir;

  @Test
  void scanNamesTheApplicationAndSaysWhereTheFixBelongs() {
    Path file = CliRun.fixtures(dir, "gitops-argocd.yaml")[0];
    CliRun r = CliRun.run("scan", file.toString());
    assertThat(r.exit()).isEqualTo(ExitCodes.FINDINGS);
    assertThat(r.out().lines())
        .anySatisfy(
            line ->
                assertThat(line)
                    .startsWith(file + ":6 ")
                    .contains(
                        "GitOps",
                        "managed by Argo CD application shop: the fix belongs in Git (`kubectl get"
                            + " deployment web -n shop -o yaml | nonroot-operator fix -`); in the"
                            + " cluster, spec.gitops: Report reports it and does not patch it"));
  }

  @Test
  void fixFixesItAtTheSource() {
    Path file = CliRun.fixtures(dir, "gitops-argocd.yaml")[0];
    CliRun r = CliRun.run("fix", file.toString());
    assertThat(r.exit()).isEqualTo(ExitCodes.OK);
    assertThat(r.out()).contains("runAsNonRoot: true", "allowPrivilegeEscalation: false");
    assertThat(r.errLine()).startsWith("fixed ").doesNotContain("Audit");
  }
}
