package dev.nonroot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FixCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void fileWithNothingToFixIsPrintedByteForByte() {
    Path[] f = CliRun.fixtures(dir, "compliant.yaml");
    CliRun r = CliRun.run("fix", f[0].toString());
    assertThat(r.exit()).isEqualTo(ExitCodes.OK);
    // Comments, anchors, flow style, trailing spaces and the missing final newline all survive.
    assertThat(r.out()).isEqualTo(CliRun.fixture("compliant.yaml"));
    assertThat(r.errLine()).isEqualTo("nothing to fix in 1 workload");
  }

  @Test
  void documentsThatAreNotFixedStayByteForByte() {
    Path[] f = CliRun.fixtures(dir, "web.yaml");
    CliRun r = CliRun.run("fix", f[0].toString());
    String input = CliRun.fixture("web.yaml");
    String configMap = input.substring(input.indexOf("---\napiVersion: v1\nkind: ConfigMap"));
    assertThat(r.out()).endsWith(configMap).contains("  flag:   \"yes\"    \n");
    assertThat(r.out())
        .startsWith("# Web tier: nginx on port 80, fixed by `fix`.\napiVersion: apps/v1\n");
  }

  @Test
  void changedDocumentKeepsKeyOrderAndGainsOnlyTheFixes() {
    Path[] f = CliRun.fixtures(dir, "web.yaml");
    CliRun r = CliRun.run("fix", f[0].toString());
    Object before = Yaml11.loadAll(CliRun.fixture("web.yaml")).get(0);
    Object after = Yaml11.loadAll(r.out()).get(0);

    Map<String, Object> pod = Yaml11.map(Yaml11.at(after, "spec", "template", "spec"));
    Map<String, Object> container = Yaml11.map(Yaml11.at(pod, "containers", 0));
    assertThat(pod.remove("securityContext"))
        .isEqualTo(
            Map.of(
                "runAsNonRoot",
                true,
                "runAsUser",
                65532,
                "seccompProfile",
                Map.of("type", "RuntimeDefault")));
    assertThat(container.remove("securityContext"))
        .isEqualTo(
            Map.of(
                "allowPrivilegeEscalation", false, "capabilities", Map.of("drop", List.of("ALL"))));
    assertThat(Yaml11.at(container, "ports", 0, "containerPort")).isEqualTo(8080);
    assertThat(Yaml11.at(container, "livenessProbe", "httpGet", "port")).isEqualTo(8080);
    // The application reads its port from PORT: the setting moves with the port, as a string.
    assertThat(Yaml11.at(container, "env", 0, "value")).isEqualTo("8080");
    Yaml11.map(Yaml11.at(container, "ports", 0)).put("containerPort", 80);
    Yaml11.map(Yaml11.at(container, "livenessProbe", "httpGet")).put("port", 80);
    Yaml11.map(Yaml11.at(container, "env", 0)).put("value", "80");

    // With the fixes taken out, the document is what it was, keys in the same order.
    assertThat(after).isEqualTo(before);
    assertThat(keyOrder(after)).isEqualTo(keyOrder(before));
  }

  @Test
  void changedDocumentKeepsCommentsAndQuoting() {
    Path[] f = CliRun.fixtures(dir, "web.yaml");
    String out = CliRun.run("fix", f[0].toString()).out();
    assertThat(out)
        .contains("    app: web   # the Service selects this\n")
        .contains("image: 'nginx:1.27'")
        .contains("value: \"8080\"")
        .contains("value: \"true\"");
  }

  @Test
  void fixOfFixChangesNothing() throws Exception {
    Path[] f =
        CliRun.fixtures(
            dir,
            "web.yaml",
            "web-service.yaml",
            "compliant.yaml",
            "list.yaml",
            "tricky-strings.yaml",
            "needs-root.yaml");
    List<String> args = new ArrayList<>(List.of("fix"));
    for (Path p : f) args.add(p.toString());
    CliRun first = CliRun.run(args.toArray(String[]::new));
    assertThat(first.exit()).isEqualTo(ExitCodes.OK);
    Path fixed = dir.resolve("fixed.yaml");
    Files.writeString(fixed, first.out());
    CliRun second = CliRun.run("fix", fixed.toString());
    assertThat(second.exit()).isEqualTo(ExitCodes.OK);
    assertThat(second.out()).isEqualTo(first.out());
    assertThat(second.errLine()).startsWith("nothing to fix").contains("1 workload needs root");
  }

  @Test
  void severalFilesMakeOneValidStream() {
    Path[] f = CliRun.fixtures(dir, "compliant.yaml", "web.yaml", "web-service.yaml");
    CliRun r = CliRun.run("fix", f[0].toString(), f[1].toString(), f[2].toString());
    List<Object> docs = Yaml11.loadAll(r.out());
    assertThat(docs).hasSize(5);
    assertThat(docs)
        .extracting(d -> Yaml11.at(d, "metadata", "name"))
        .containsExactly("api", "web", "web-config", "web", "other");
    // compliant.yaml has no final newline: the stream adds one before the next file's ---.
    assertThat(r.out()).startsWith(CliRun.fixture("compliant.yaml") + "\n---\n# Web tier");
  }

  @Test
  void serviceInAnotherFileGetsItsTargetPortMoved() {
    Path[] f = CliRun.fixtures(dir, "web.yaml", "web-service.yaml");
    CliRun r = CliRun.run("fix", f[0].toString(), f[1].toString());
    List<Object> docs = Yaml11.loadAll(r.out());
    Object service = docs.get(2);
    assertThat(Yaml11.at(service, "spec", "ports", 0, "port")).isEqualTo(80);
    assertThat(Yaml11.at(service, "spec", "ports", 0, "targetPort")).isEqualTo(8080);
    String services = CliRun.fixture("web-service.yaml");
    assertThat(r.out()).endsWith(services.substring(services.indexOf("---\n# Selects nothing")));
    assertThat(r.errLine()).isEqualTo("fixed 9 changes in 1 workload and 1 service across 2 files");
  }

  @Test
  void aMovedPortWhoseServicesAreNotInTheInputIsNamedOnStandardError() {
    Path[] f = CliRun.fixtures(dir, "web.yaml");
    CliRun r = CliRun.run("fix", f[0].toString());

    assertThat(r.exit()).isEqualTo(ExitCodes.OK);
    assertThat(r.errLine())
        .contains("note: Deployment shop/web: moved port 80 -> 8080")
        .contains("no Service in the input follows it");
    assertThat(r.errLine()).endsWith("across 1 file");
  }

  @Test
  void reportListsEveryChangeAsJson() throws Exception {
    Path[] f = CliRun.fixtures(dir, "web.yaml", "web-service.yaml");
    Path report = dir.resolve("report.json");
    CliRun r = CliRun.run("fix", "--report", report.toString(), f[0].toString(), f[1].toString());
    assertThat(r.exit()).isEqualTo(ExitCodes.OK);
    JsonNode changes = JSON.readTree(report.toFile());
    assertThat(changes.size()).isEqualTo(9);
    JsonNode port = find(changes, "PortRemap");
    assertThat(port.path("file").asText()).isEqualTo(f[0].toString());
    assertThat(port.path("kind").asText()).isEqualTo("Deployment");
    assertThat(port.path("namespace").asText()).isEqualTo("shop");
    assertThat(port.path("name").asText()).isEqualTo("web");
    assertThat(port.path("container").asText()).isEqualTo("nginx");
    assertThat(port.path("field").asText())
        .isEqualTo("spec.template.spec.containers[nginx].ports[0].containerPort");
    assertThat(port.path("path").asText())
        .isEqualTo("/spec/template/spec/containers/0/ports/0/containerPort");
    assertThat(port.path("from").asInt()).isEqualTo(80);
    assertThat(port.path("to").asInt()).isEqualTo(8080);
    assertThat(port.path("reason").asText()).contains("8080");
    JsonNode svc = find(changes, "ServiceTargetPort");
    assertThat(svc.path("file").asText()).isEqualTo(f[1].toString());
    assertThat(svc.path("path").asText()).isEqualTo("/spec/ports/0/targetPort");
    assertThat(svc.path("from").isNull()).isTrue();
    assertThat(svc.path("to").asInt()).isEqualTo(8080);
    JsonNode setting = find(changes, "ListenSetting");
    assertThat(setting.path("field").asText())
        .isEqualTo("spec.template.spec.containers[nginx].env[PORT].value");
    assertThat(setting.path("from").asText()).isEqualTo("80");
    assertThat(setting.path("to").asText()).isEqualTo("8080");
    JsonNode seccomp = find(changes, "SeccompProfile");
    assertThat(seccomp.path("to")).isEqualTo(JSON.readTree("{\"type\":\"RuntimeDefault\"}"));
  }

  @Test
  void aPortWithNoListenSettingInTheManifestStaysAndGetsTheSysctl() {
    Path[] f = CliRun.fixtures(dir, "keeps-port.yaml");
    CliRun r = CliRun.run("fix", f[0].toString());
    assertThat(r.exit()).isEqualTo(ExitCodes.OK);
    Object pod = Yaml11.at(Yaml11.loadAll(r.out()).get(0), "spec", "template", "spec");
    assertThat(Yaml11.at(pod, "containers", 0, "ports", 0, "containerPort")).isEqualTo(80);
    assertThat(Yaml11.at(pod, "securityContext", "sysctls"))
        .isEqualTo(List.of(Map.of("name", "net.ipv4.ip_unprivileged_port_start", "value", "80")));
    // Nothing moved, so there is no note about Services left behind.
    assertThat(r.err()).doesNotContain("note:");
  }

  @Test
  void aStatefulSetWithClaimTemplatesGetsFsGroupAndNothingElse() {
    Path[] f = CliRun.fixtures(dir, "statefulset-pvc.yaml");
    CliRun r = CliRun.run("fix", f[0].toString());
    assertThat(r.exit()).isEqualTo(ExitCodes.OK);
    assertThat(r.errLine()).startsWith("fixed 2 changes in 1 workload");
    Object before = Yaml11.loadAll(CliRun.fixture("statefulset-pvc.yaml")).get(0);
    Object after = Yaml11.loadAll(r.out()).get(0);
    Map<String, Object> podSecurity =
        Yaml11.map(Yaml11.at(after, "spec", "template", "spec", "securityContext"));
    // The data written by UID 999 stays writable by the pod's group; the kubelet walks the
    // volume only when its root does not match.
    assertThat(podSecurity.remove("fsGroup")).isEqualTo(999);
    assertThat(podSecurity.remove("fsGroupChangePolicy")).isEqualTo("OnRootMismatch");
    assertThat(after).isEqualTo(before);
  }

  @Test
  void stringsThatLookLikeOtherTypesStayStrings() {
    Path[] f = CliRun.fixtures(dir, "tricky-strings.yaml");
    CliRun r = CliRun.run("fix", f[0].toString());
    assertThat(r.errLine()).startsWith("fixed ");
    Object before = Yaml11.loadAll(CliRun.fixture("tricky-strings.yaml")).get(0);
    Object after = Yaml11.loadAll(r.out()).get(0);
    Map<String, Object> annotations = Yaml11.map(Yaml11.at(after, "metadata", "annotations"));
    assertThat(annotations).isEqualTo(Yaml11.at(before, "metadata", "annotations"));
    assertThat(annotations.values()).allSatisfy(v -> assertThat(v).isInstanceOf(String.class));
    Object container = Yaml11.at(after, "spec", "template", "spec", "containers", 0);
    assertThat(Yaml11.at(container, "command", 2))
        .isEqualTo("echo \"line one\"\necho 'line two'\n");
    assertThat(Yaml11.at(container, "args")).isEqualTo(List.of("--port", "8080", "--verbose=true"));
    assertThat(Yaml11.at(container, "env", 0, "value")).isNull();
    assertThat(Yaml11.at(container, "env", 1, "value")).isEqualTo("42");
    assertThat(r.out()).contains("        - |\n          echo \"line one\"\n");
  }

  @Test
  void listItemsAreFixedInPlaceInTheList() throws Exception {
    Path[] f = CliRun.fixtures(dir, "list.yaml");
    Path report = dir.resolve("r.json");
    CliRun r = CliRun.run("fix", "--report", report.toString(), f[0].toString());
    Object list = Yaml11.loadAll(r.out()).get(0);
    assertThat(Yaml11.at(list, "items", 0, "spec", "ports", 0, "targetPort")).isEqualTo(8443);
    assertThat(
            Yaml11.at(
                list,
                "items",
                1,
                "spec",
                "template",
                "spec",
                "containers",
                0,
                "ports",
                0,
                "containerPort"))
        .isEqualTo(8443);
    JsonNode changes = JSON.readTree(report.toFile());
    assertThat(find(changes, "PortRemap").path("path").asText())
        .isEqualTo("/items/1/spec/template/spec/containers/0/ports/0/containerPort");
    assertThat(find(changes, "ServiceTargetPort").path("path").asText())
        .isEqualTo("/items/0/spec/ports/0/targetPort");
  }

  @Test
  void readsStandardInput() {
    Path[] f = CliRun.fixtures(dir, "web.yaml");
    CliRun fromFile = CliRun.run("fix", f[0].toString());
    CliRun fromStdin = CliRun.withStdin(CliRun.fixture("web.yaml"), "fix", "-");
    assertThat(fromStdin.exit()).isEqualTo(ExitCodes.OK);
    assertThat(fromStdin.out()).isEqualTo(fromFile.out());
    assertThat(fromStdin.out()).isNotEqualTo(CliRun.fixture("web.yaml"));
  }

  @Test
  void workloadThatNeedsRootIsLeftUnchanged() {
    Path[] f = CliRun.fixtures(dir, "needs-root.yaml");
    CliRun r = CliRun.run("fix", f[0].toString());
    assertThat(r.exit()).isEqualTo(ExitCodes.OK);
    assertThat(r.out()).isEqualTo(CliRun.fixture("needs-root.yaml"));
    assertThat(r.errLine())
        .isEqualTo("nothing to fix in 1 workload; 1 workload needs root (left unchanged)");
  }

  @Test
  void auditPolicyChangesNothingButReportsWhatItWould() throws Exception {
    Path[] f = CliRun.fixtures(dir, "web.yaml", "policies/audit.yaml");
    Path report = dir.resolve("r.json");
    CliRun r =
        CliRun.run(
            "fix", "--policy", f[1].toString(), "--report", report.toString(), f[0].toString());
    assertThat(r.exit()).isEqualTo(ExitCodes.OK);
    assertThat(r.out()).isEqualTo(CliRun.fixture("web.yaml"));
    assertThat(r.errLine()).contains("not made: Audit mode");
    JsonNode changes = JSON.readTree(report.toFile());
    assertThat(changes.size()).isPositive();
    changes.forEach(c -> assertThat(c.path("applied").asBoolean()).isFalse());
  }

  @Test
  void policyFromFileIsUsed() {
    Path[] f = CliRun.fixtures(dir, "web.yaml", "policies/offset-9000.yaml");
    CliRun r = CliRun.run("fix", "--policy", f[1].toString(), f[0].toString());
    assertThat(
            Yaml11.at(
                Yaml11.loadAll(r.out()).get(0),
                "spec",
                "template",
                "spec",
                "containers",
                0,
                "ports",
                0,
                "containerPort"))
        .isEqualTo(9080);
  }

  @Test
  void crlfFilesStayCrlf() throws Exception {
    Path file = dir.resolve("crlf.yaml");
    Files.writeString(file, CliRun.fixture("web.yaml").replace("\n", "\r\n"));
    CliRun r = CliRun.run("fix", file.toString());
    assertThat(r.out()).contains("runAsNonRoot: true\r\n").doesNotContain("\n\n");
    assertThat(r.out().replace("\r\n", "")).doesNotContain("\n");
  }

  private static JsonNode find(JsonNode changes, String rule) {
    for (JsonNode n : changes) {
      if (n.path("rule").asText().equals(rule)) return n;
    }
    throw new AssertionError("no " + rule + " change in " + changes);
  }

  /** Every mapping's keys, in order, by path: what a GitOps diff would show moving. */
  private static Map<String, List<String>> keyOrder(Object node) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    collect("", node, out);
    return out;
  }

  private static void collect(String path, Object node, Map<String, List<String>> out) {
    if (node instanceof Map<?, ?> m) {
      List<String> keys = new ArrayList<>();
      m.forEach(
          (k, v) -> {
            keys.add(String.valueOf(k));
            collect(path + "/" + k, v, out);
          });
      out.put(path, keys);
    } else if (node instanceof List<?> l) {
      for (int i = 0; i < l.size(); i++) collect(path + "/" + i, l.get(i), out);
    }
  }
}
