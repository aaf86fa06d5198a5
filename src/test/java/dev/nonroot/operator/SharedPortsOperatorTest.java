package dev.nonroot.operator;

import static dev.nonroot.operator.OperatorHarness.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.nonroot.api.NonRootPolicyStatus;
import dev.nonroot.api.ViolatingWorkload;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Sysctl;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Port moves that would reach past the workload, live: a shared Service, a NetworkPolicy. */
class SharedPortsOperatorTest extends OperatorTestBase {
  private static final String SVC = "/api/v1/namespaces/shop/services/web";

  @Test
  void aServiceSharedWithAnExemptStatefulSetIsNotMoved() throws Exception {
    harness.apply("/operator/shared-service.yaml");
    harness.apply("/operator/policy-enforce.yaml");
    harness.start(Duration.ofMillis(500));
    harness.settledStatus("baseline", s -> s.getRemediated() == 1 && s.getExempt() == 1);

    Deployment web = client.apps().deployments().inNamespace("shop").withName("web").get();
    PodSpec pod = web.getSpec().getTemplate().getSpec();
    // Fixed otherwise, but port 80 stays and the sysctl lets the non-root user bind it.
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getContainers().get(0).getPorts().get(0).getContainerPort()).isEqualTo(80);
    assertThat(pod.getSecurityContext().getSysctls())
        .extracting(Sysctl::getName, Sysctl::getValue)
        .containsExactly(tuple("net.ipv4.ip_unprivileged_port_start", "80"));
    // The exempt StatefulSet keeps its traffic: the Service still sends to 80, never written.
    Service svc = client.services().inNamespace("shop").withName("web").get();
    assertThat(svc.getSpec().getPorts().get(0).getTargetPort().getIntVal()).isEqualTo(80);
    assertThat(harness.requests.writesTo(SVC)).isZero();
    assertThat(harness.policy("baseline").getStatus().getWorkloadChanges())
        .anySatisfy(
            c -> {
              assertThat(c.getField()).isEqualTo("spec.template.spec.securityContext.sysctls");
              assertThat(c.getName()).isEqualTo("web");
            });
  }

  @Test
  void aNetworkPolicyAdmittingOnlyTheOldPortIsReportedUntilItIsFixed() throws Exception {
    harness.apply("/operator/network-policy.yaml");
    harness.apply("/operator/policy-enforce.yaml");
    harness.start(Duration.ofMinutes(10));

    // The port moves (the Service follows); the NetworkPolicy is reported, not changed.
    NonRootPolicyStatus status =
        harness.settledStatus(
            "baseline", s -> s.getRemediated() == 1 && s.getViolating().size() == 1);
    ViolatingWorkload v = status.getViolating().get(0);
    assertThat(v.getName()).isEqualTo("web");
    assertThat(v.getState()).isEqualTo("Unresolved");
    assertThat(v.getReason())
        .contains("NetworkPolicy shop/web-from-frontend admits traffic to port 80/TCP")
        .contains("not to 8080");
    Deployment web = client.apps().deployments().inNamespace("shop").withName("web").get();
    assertThat(
            web.getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0)
                .getPorts()
                .get(0)
                .getContainerPort())
        .isEqualTo(8080);
    assertThat(
            harness.requests.writesTo(
                "/apis/networking.k8s.io/v1/namespaces/shop/networkpolicies/web-from-frontend"))
        .isZero();
    // Read from the informer cache only.
    assertThat(harness.requests.matching(RequestLog.Request::isSingleGet)).isEmpty();
    List<Event> warnings =
        eventually(
            () ->
                client.v1().events().inNamespace("shop").list().getItems().stream()
                    .filter(e -> "PolicyViolation".equals(e.getReason()))
                    .toList(),
            l -> !l.isEmpty());
    assertThat(warnings.get(0).getType()).isEqualTo("Warning");
    assertThat(warnings.get(0).getMessage()).contains("NetworkPolicy shop/web-from-frontend");

    // A person allows 8080 too: the report goes away without any other change.
    client
        .network()
        .v1()
        .networkPolicies()
        .inNamespace("shop")
        .withName("web-from-frontend")
        .patch(
            PatchContext.of(PatchType.JSON),
            "[{\"op\":\"add\",\"path\":\"/spec/ingress/0/ports/-\",\"value\":{\"protocol\":\"TCP\",\"port\":8080}}]");
    NonRootPolicyStatus after = harness.settledStatus("baseline", s -> s.getViolations() == 0);
    assertThat(after.getViolating()).isEmpty();
    assertThat(after.getCompliant()).isEqualTo(1);
  }
}
