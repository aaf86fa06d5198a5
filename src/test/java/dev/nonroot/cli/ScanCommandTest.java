package dev.nonroot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScanCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void compliantManifestHasNoFindings() {
    Path[] f = CliRun.fixtures(dir, "compliant.yaml");
    CliRun r = CliRun.run("scan", f[0].toString());
    assertThat(r.exit()).isEqualTo(ExitCodes.OK);
    assertThat(r.out()).isEmpty();
    assertThat(r.errLine())
        .isEqualTo(
            "scanned 1 workload in 1 file: 1 compliant, 0 violating, 0 need root, 0 exempt; 0 findings");
  }

  /**
   * As kubectl apply -f DIR: a placeholder file (empty, or only comments) in a repository is not a
   * mistake, but a directory with no object at all is, and so is such a file named by itself.
   */
  @Test
  void emptyFilesInADirectoryAreSkippedButADirectoryOfNothingIsRefused() throws Exception {
    Path repo = Files.createDirectories(dir.resolve("repo"));
    Files.copy(CliRun.fixtures(dir, "compliant.yaml")[0], repo.resolve("app.yaml"));
    Files.writeString(repo.resolve("empty.yaml"), "");
    Files.writeString(repo.resolve("todo.yaml"), "# the worker goes here\n---\n");
    CliRun r = CliRun.run("scan", repo.toString());
    assertThat(r.exit()).as(r.err()).isEqualTo(ExitCodes.OK);
    assertThat(r.errLine()).startsWith("scanned 1 workload in 3 files: 1 compliant");

    CliRun alone = CliRun.run("scan", repo.resolve("empty.yaml").toString());
    assertThat(alone.exit()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(alone.errLine())
        .isEqualTo(
            repo.resolve("empty.yaml")
                + ":1: no Kubernetes object in this file (it is empty or only comments)");

    Files.delete(repo.resolve("app.yaml"));
    for (String command : List.of("scan", "fix")) {
      CliRun nothing = CliRun.run(command, repo.toString());
      assertThat(nothing.exit()).isEqualTo(ExitCodes.BAD_INPUT);
      assertThat(nothing.out()).isEmpty();
      assertThat(nothing.errLine())
          .isEqualTo(
              repo
                  + ": no Kubernetes object in this directory (its *.yaml and *.yml files are"
                  + " empty or only comments)");
    }
  }

  /**
   * A file met again through a second, overlapping argument is read once; that second argument must
   * not then count as "a directory with no object".
   */
  @Test
  void aDirectoryWhoseFilesWereAlreadyNamedIsNotADirectoryOfNothing() throws Exception {
    Path repo = Files.createDirectories(dir.resolve("repo"));
    Path sub = Files.createDirectories(repo.resolve("apps"));
    Files.copy(CliRun.fixtures(dir, "compliant.yaml")[0], sub.resolve("app.yaml"));
    for (String[] args :
        List.of(
            new String[] {"scan", repo.toString(), sub.toString()},
            new String[] {"scan", sub.resolve("app.yaml").toString(), sub.toString()},
            new String[] {"scan", repo.toString(), repo.toString()})) {
      CliRun r = CliRun.run(args);
      assertThat(r.exit()).as(String.join(" ", args) + "\n" + r.err()).isEqualTo(ExitCodes.OK);
    }
  }

  /**
   * A kustomize overlay's patch names a Deployment but holds no pod template: it is part of a
   * repository `fix --in-place` is run on, not a workload to judge or a mistake. A template that is
   * there but null is still refused (hostile fixtures).
   */
  @Test
  void aPatchOfAWorkloadWithoutAPodTemplateIsNotAWorkload() throws Exception {
    Path repo = Files.createDirectories(dir.resolve("repo"));
    Files.copy(CliRun.fixtures(dir, "compliant.yaml")[0], repo.resolve("app.yaml"));
    Path overlay = Files.createDirectories(repo.resolve("overlays/prod"));
    String replicas =
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\n"
            + "spec:\n  replicas: 5\n";
    String annotations =
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\n"
            + "spec:\n  template:\n    metadata:\n      annotations: {team: shop}\n";
    Files.writeString(overlay.resolve("replicas.yaml"), replicas);
    Files.writeString(overlay.resolve("annotations.yaml"), annotations);
    CliRun scan = CliRun.run("scan", repo.toString());
    assertThat(scan.exit()).as(scan.err()).isEqualTo(ExitCodes.OK);
    assertThat(scan.errLine()).startsWith("scanned 1 workload in 3 files: 1 compliant");
    CliRun fix = CliRun.run("fix", "--in-place", repo.toString());
    assertThat(fix.exit()).as(fix.err()).isEqualTo(ExitCodes.OK);
    assertThat(Files.readString(overlay.resolve("replicas.yaml"))).isEqualTo(replicas);
    assertThat(Files.readString(overlay.resolve("annotations.yaml"))).isEqualTo(annotations);
  }

  @Test
  void findingsAreTableRowsWithFileAndLineOfTheField() {
    Path[] f = CliRun.fixtures(dir, "web.yaml", "web-service.yaml");
    CliRun r = CliRun.run("scan", f[0].toString(), f[1].toString());
    assertThat(r.exit()).isEqualTo(ExitCodes.FINDINGS);
    List<String> lines = r.out().lines().toList();
    assertThat(lines.get(0))
        .startsWith("LOCATION")
        .contains("KIND", "NAME", "CONTAINER", "RULE", "FIX", "MESSAGE");
    assertThat(lines)
        .anySatisfy(
            l ->
                assertThat(l)
                    .startsWith(f[0] + ":23 ")
                    .contains("Deployment", "shop/web", "nginx", "PortRemap", "yes"));
    // The Service lives in the other file; its row points there.
    assertThat(lines)
        .anySatisfy(
            l ->
                assertThat(l)
                    .startsWith(f[1] + ":10 ")
                    .contains("Service", "shop/web", "ServiceTargetPort"));
    assertThat(r.errLine())
        .startsWith("scanned 1 workload in 2 files: 0 compliant, 1 violating")
        .contains("fixable with 'fix'");
  }

  @Test
  void jsonOutputIsOneArrayOfFindings() throws Exception {
    Path[] f = CliRun.fixtures(dir, "web.yaml", "web-service.yaml");
    CliRun r = CliRun.run("scan", "-o", "json", f[0].toString(), f[1].toString());
    assertThat(r.exit()).isEqualTo(ExitCodes.FINDINGS);
    JsonNode findings = JSON.readTree(r.out());
    assertThat(findings.isArray()).isTrue();
    assertThat(findings.size()).isGreaterThan(3);
    for (JsonNode finding : findings) {
      assertThat(iterable(finding.fieldNames()))
          .containsExactly(
              "file",
              "line",
              "kind",
              "namespace",
              "name",
              "container",
              "rule",
              "field",
              "from",
              "to",
              "fixable",
              "message");
    }
    JsonNode remap = find(findings, "PortRemap");
    assertThat(remap.path("file").asText()).isEqualTo(f[0].toString());
    assertThat(remap.path("line").asInt()).isEqualTo(23);
    assertThat(remap.path("field").asText())
        .isEqualTo("spec.template.spec.containers[nginx].ports[0].containerPort");
    assertThat(remap.path("from").asInt()).isEqualTo(80);
    assertThat(remap.path("to").asInt()).isEqualTo(8080);
    assertThat(remap.path("fixable").asBoolean()).isTrue();
    JsonNode svc = find(findings, "ServiceTargetPort");
    assertThat(svc.path("kind").asText()).isEqualTo("Service");
    assertThat(svc.path("file").asText()).isEqualTo(f[1].toString());
    assertThat(svc.path("from").isNull()).isTrue();
    assertThat(svc.path("to").asInt()).isEqualTo(8080);
  }

  @Test
  void jsonOutputWithoutFindingsIsAnEmptyArray() throws Exception {
    Path[] f = CliRun.fixtures(dir, "compliant.yaml");
    CliRun r = CliRun.run("scan", "--output", "json", f[0].toString());
    assertThat(r.exit()).isEqualTo(ExitCodes.OK);
    assertThat(JSON.readTree(r.out()).isArray()).isTrue();
    assertThat(JSON.readTree(r.out()).size()).isZero();
  }

  @Test
  void needsRootIsReportedNotFixable() throws Exception {
    Path[] f = CliRun.fixtures(dir, "needs-root.yaml");
    CliRun r = CliRun.run("scan", "-o", "json", f[0].toString());
    // Reported, but a legitimate need for root alone does not fail a CI gate.
    assertThat(r.exit()).isEqualTo(ExitCodes.OK);
    JsonNode findings = JSON.readTree(r.out());
    assertThat(findings.size()).isEqualTo(1);
    assertThat(findings.get(0).path("rule").asText()).isEqualTo("NeedsRoot");
    assertThat(findings.get(0).path("fixable").asBoolean()).isFalse();
    assertThat(findings.get(0).path("message").asText()).contains("hostPID");
    assertThat(r.errLine()).contains("0 violating, 1 needs root");
  }

  @Test
  void needsRootFailsTheScanOnlyWhenAsked() throws Exception {
    Path[] f = CliRun.fixtures(dir, "needs-root.yaml", "web.yaml");

    assertThat(CliRun.run("scan", f[0].toString()).exit()).isEqualTo(ExitCodes.OK);
    assertThat(CliRun.run("scan", "--fail-on-needs-root", f[0].toString()).exit())
        .isEqualTo(ExitCodes.FINDINGS);
    // Something fixable fails it either way.
    assertThat(CliRun.run("scan", f[0].toString(), f[1].toString()).exit())
        .isEqualTo(ExitCodes.FINDINGS);
  }

  @Test
  void readsStandardInput() {
    CliRun r = CliRun.withStdin(CliRun.fixture("web.yaml"), "scan", "-");
    assertThat(r.exit()).isEqualTo(ExitCodes.FINDINGS);
    assertThat(r.out()).contains("<stdin>:23 ");
  }

  @Test
  void directoriesAreReadRecursivelyInSortedOrder() throws Exception {
    Files.createDirectories(dir.resolve("b/nested"));
    Files.createDirectories(dir.resolve("a"));
    Files.writeString(dir.resolve("b/nested/z.yml"), CliRun.fixture("needs-root.yaml"));
    Files.writeString(dir.resolve("a/web.yaml"), CliRun.fixture("web.yaml"));
    Files.writeString(dir.resolve("notes.txt"), "not: [yaml");
    CliRun r = CliRun.run("scan", "-o", "json", dir.toString());
    assertThat(r.exit()).isEqualTo(ExitCodes.FINDINGS);
    List<String> files = new ArrayList<>();
    JSON.readTree(r.out())
        .forEach(
            n -> {
              if (!files.contains(n.path("file").asText())) files.add(n.path("file").asText());
            });
    assertThat(files)
        .containsExactly(
            dir.resolve("a/web.yaml").toString(), dir.resolve("b/nested/z.yml").toString());
  }

  @Test
  void listItemsAreScannedOneByOne() throws Exception {
    Path[] f = CliRun.fixtures(dir, "list.yaml");
    CliRun r = CliRun.run("scan", "-o", "json", f[0].toString());
    JsonNode remap = find(JSON.readTree(r.out()), "PortRemap");
    assertThat(remap.path("field").asText())
        .isEqualTo("items[1].spec.template.spec.containers[redis].ports[0].containerPort");
    assertThat(remap.path("line").asInt()).isEqualTo(33);
    JsonNode svc = find(JSON.readTree(r.out()), "ServiceTargetPort");
    assertThat(svc.path("field").asText()).isEqualTo("items[0].spec.ports[0].targetPort");
    assertThat(svc.path("line").asInt()).isEqualTo(14);
  }

  @Test
  void aPortThatStaysIsExplained() throws Exception {
    Path[] f = CliRun.fixtures(dir, "keeps-port.yaml");
    CliRun r = CliRun.run("scan", "-o", "json", f[0].toString());
    assertThat(r.exit()).isEqualTo(ExitCodes.FINDINGS);
    JsonNode sysctl = find(JSON.readTree(r.out()), "PortSysctl");
    assertThat(sysctl.path("message").asText())
        .startsWith(
            "container httpd port 80/TCP stays: no listen setting for 80 in its env, args or"
                + " command");
    assertThat(JSON.readTree(r.out()).findValuesAsText("rule")).doesNotContain("PortRemap");
  }

  @Test
  void aStatefulSetWithClaimTemplatesAndNoFsGroupIsAFinding() throws Exception {
    Path[] f = CliRun.fixtures(dir, "statefulset-pvc.yaml");
    CliRun r = CliRun.run("scan", "-o", "json", f[0].toString());
    assertThat(r.exit()).isEqualTo(ExitCodes.FINDINGS);
    JsonNode findings = JSON.readTree(r.out());
    assertThat(findings.findValuesAsText("rule")).containsExactly("FsGroup", "FsGroup");
    JsonNode fsGroup = findings.get(0);
    assertThat(fsGroup.path("kind").asText()).isEqualTo("StatefulSet");
    assertThat(fsGroup.path("field").asText())
        .isEqualTo("spec.template.spec.securityContext.fsGroup");
    assertThat(fsGroup.path("to").asInt()).isEqualTo(999);
    assertThat(fsGroup.path("fixable").asBoolean()).isTrue();
    assertThat(fsGroup.path("message").asText()).contains("persistent volume data");
    assertThat(findings.get(1).path("to").asText()).isEqualTo("OnRootMismatch");
    assertThat(r.errLine()).startsWith("scanned 1 workload in 1 file: 0 compliant, 1 violating");
  }

  @Test
  void policyDecidesWhatIsMatched() {
    Path[] f = CliRun.fixtures(dir, "web.yaml", "policies/only-web-namespace.yaml");
    CliRun r = CliRun.run("scan", "--policy", f[1].toString(), f[0].toString());
    assertThat(r.exit()).isEqualTo(ExitCodes.OK);
    assertThat(r.errLine())
        .contains("scanned 0 workloads")
        .contains("1 workload not matched by the policy");
  }

  private static JsonNode find(JsonNode findings, String rule) {
    for (JsonNode n : findings) {
      if (n.path("rule").asText().equals(rule)) return n;
    }
    throw new AssertionError("no " + rule + " finding in " + findings);
  }

  private static List<String> iterable(Iterator<String> it) {
    List<String> out = new ArrayList<>();
    it.forEachRemaining(out::add);
    return out;
  }
}
