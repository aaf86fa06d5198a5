package dev.nonroot.operator;

import static dev.nonroot.operator.OperatorHarness.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.nonroot.api.NonRootPolicy;
import dev.nonroot.api.NonRootPolicyStatus;
import io.fabric8.kubernetes.api.model.Sysctl;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.time.Duration;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;

class RestartAndStrategyTest extends OperatorTestBase {

  @Test
  void aRestartedOperatorRebuildsTheSameStatusWithoutWriting() throws Exception {
    harness.apply("/operator/shop.yaml");
    harness.apply("/operator/policy-enforce.yaml");
    harness.start(Duration.ofSeconds(30));
    NonRootPolicyStatus first =
        harness.settledStatus("baseline", s -> s.getRemediated() == 3 && s.getCompliant() == 3);
    harness.stop();
    harness.requests.clear();

    harness.start(Duration.ofSeconds(30));
    // The new instance lists and watches, finds nothing to do, and agrees with the old status.
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> harness.requests.count(r -> r.isWatch()) >= 5);
    await()
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(6))
        .until(() -> harness.requests.count(RequestLog.Request::isWrite) == 0);
    assertThat(harness.policy("baseline").getStatus()).isEqualTo(first);
  }

  @Test
  void sysctlStrategyKeepsPortsAndLowersTheUnprivilegedPortStart() throws Exception {
    harness.apply("/operator/shop.yaml");
    harness.apply("/operator/policy-sysctl.yaml");
    harness.start(Duration.ofSeconds(30));
    NonRootPolicy p =
        eventually(
            () -> harness.policy("sysctl"),
            x ->
                x.getStatus() != null
                    && x.getStatus().getRemediated() == 3
                    && x.getStatus().getCompliant() == 3);
    Deployment web = client.apps().deployments().inNamespace("shop").withName("web").get();
    var pod = web.getSpec().getTemplate().getSpec();
    assertThat(pod.getContainers().get(0).getPorts().get(0).getContainerPort()).isEqualTo(80);
    assertThat(pod.getSecurityContext().getSysctls())
        .extracting(Sysctl::getName, Sysctl::getValue)
        .containsExactly(Tuple.tuple("net.ipv4.ip_unprivileged_port_start", "80"));
    assertThat(
            client
                .services()
                .inNamespace("shop")
                .withName("web")
                .get()
                .getSpec()
                .getPorts()
                .get(0)
                .getTargetPort()
                .getIntVal())
        .isEqualTo(80);
    assertThat(p.getStatus().getWorkloadChanges())
        .anySatisfy(c -> assertThat(c.getRule()).isEqualTo("PortSysctl"));
  }
}
