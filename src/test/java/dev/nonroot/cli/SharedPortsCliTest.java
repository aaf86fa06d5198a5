package dev.nonroot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Port moves that would reach past the workload: a shared Service, a NetworkPolicy. */
class SharedPortsCliTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void fixKeepsAPortWhoseServiceAlsoSendsItToAnotherWorkload() {
    Path[] f = CliRun.fixtures(dir, "shared-service.yaml");
    CliRun r = CliRun.run("fix", f[0].toString());
    assertThat(r.exit()).isEqualTo(ExitCodes.OK);
    List<Object> docs = Yaml11.loadAll(r.out());

    // Neither Deployment moves its port, whichever comes first; both bind 80 through the sysctl.
    for (int i = 0; i < 2; i++) {
      Map<String, Object> pod = Yaml11.map(Yaml11.at(docs.get(i), "spec", "template", "spec"));
      assertThat(Yaml11.at(pod, "containers", 0, "ports", 0, "containerPort")).isEqualTo(80);
      assertThat(Yaml11.at(pod, "securityContext", "sysctls"))
          .isEqualTo(List.of(Map.of("name", "net.ipv4.ip_unprivileged_port_start", "value", "80")));
    }
    // The Service still sends to 80, so both workloads keep their traffic.
    assertThat(Yaml11.at(docs.get(2), "spec", "ports", 0, "targetPort")).isEqualTo(80);
  }

  @Test
  void scanNamesTheSharedServiceAndTheOtherWorkload() throws Exception {
    Path[] f = CliRun.fixtures(dir, "shared-service.yaml");
    CliRun r = CliRun.run("scan", "-o", "json", f[0].toString());
    JsonNode findings = JSON.readTree(r.out());
    JsonNode sysctl = null;
    for (JsonNode x : findings) {
      if (x.path("rule").asText().equals("PortSysctl") && x.path("name").asText().equals("web"))
        sysctl = x;
    }
    assertThat(sysctl).as("PortSysctl finding of shop/web in %s", findings).isNotNull();
    assertThat(sysctl.path("message").asText())
        .contains(
            "Service shop/web also sends port 80 to Deployment shop/web-canary: moving it would"
                + " cut that workload off");
  }

  @Test
  void scanReportsANetworkPolicyThatStillAdmitsOnlyTheOldPort() throws Exception {
    Path[] f = CliRun.fixtures(dir, "netpol.yaml");
    CliRun r = CliRun.run("scan", "-o", "json", f[0].toString());
    assertThat(r.exit()).isEqualTo(ExitCodes.FINDINGS);
    JsonNode netpol = null;
    for (JsonNode x : JSON.readTree(r.out())) {
      if (x.path("rule").asText().equals("NetworkPolicyPort")) netpol = x;
    }
    assertThat(netpol).as("a NetworkPolicyPort finding in %s", r.out()).isNotNull();
    assertThat(netpol.path("kind").asText()).isEqualTo("Deployment");
    assertThat(netpol.path("name").asText()).isEqualTo("web");
    assertThat(netpol.path("fixable").asBoolean()).isFalse();
    assertThat(netpol.path("message").asText())
        .contains("NetworkPolicy shop/web-from-frontend admits traffic to port 80/TCP")
        .contains("not to 8080");
  }

  @Test
  void fixLeavesTheNetworkPolicyAsItWasAndCountsItForAPerson() {
    Path[] f = CliRun.fixtures(dir, "netpol.yaml");
    CliRun r = CliRun.run("fix", f[0].toString());
    assertThat(r.exit()).isEqualTo(ExitCodes.OK);
    String input = CliRun.fixture("netpol.yaml");
    assertThat(r.out()).endsWith(input.substring(input.indexOf("---\n# Lets the frontend")));
    assertThat(r.out()).contains("containerPort: 8080");
    assertThat(r.err()).contains("1 finding cannot be fixed automatically (see scan)");
  }
}
