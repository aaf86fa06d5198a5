package dev.nonroot.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.nonroot.api.NonRootPolicyStatus;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Sysctl;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.time.Duration;
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
  void aPortThatANetworkPolicyAdmitsByNumberStaysWithTheSysctl() throws Exception {
    harness.apply("/operator/network-policy.yaml");
    harness.apply("/operator/policy-enforce.yaml");
    harness.start(Duration.ofMinutes(10));

    // Moving 80 would shut out the peers the NetworkPolicy admits: it stays, with the sysctl, and
    // neither the Service nor the NetworkPolicy is written.
    NonRootPolicyStatus status =
        harness.settledStatus("baseline", s -> s.getRemediated() == 1 && s.getCompliant() == 1);
    assertThat(status.getViolating()).isEmpty();
    Deployment web = client.apps().deployments().inNamespace("shop").withName("web").get();
    var pod = web.getSpec().getTemplate().getSpec();
    assertThat(pod.getContainers().get(0).getPorts().get(0).getContainerPort()).isEqualTo(80);
    assertThat(pod.getSecurityContext().getSysctls())
        .anySatisfy(
            x -> {
              assertThat(x.getName()).isEqualTo("net.ipv4.ip_unprivileged_port_start");
              assertThat(x.getValue()).isEqualTo("80");
            });
    assertThat(harness.requests.writesTo(SVC)).isZero();
    assertThat(
            harness.requests.writesTo(
                "/apis/networking.k8s.io/v1/namespaces/shop/networkpolicies/web-from-frontend"))
        .isZero();
    // Read from the informer cache only.
    assertThat(harness.requests.matching(RequestLog.Request::isSingleGet)).isEmpty();
  }

  @Test
  void everyServiceSelectingThePodsMovesWithThemAndNoOther() throws Exception {
    harness.apply("/operator/services-by-selector.yaml");
    harness.apply("/operator/policy-enforce.yaml");
    harness.start(Duration.ofMinutes(10));
    harness.settledStatus("baseline", s -> s.getRemediated() == 1);

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
    // Found through the Service index by any pair of the pods' labels, whichever pair a selector
    // is indexed by.
    for (String moved : new String[] {"web", "front"}) {
      Service svc = client.services().inNamespace("shop").withName(moved).get();
      assertThat(svc.getSpec().getPorts().get(0).getTargetPort().getIntVal())
          .as(moved)
          .isEqualTo(8080);
    }
    for (String kept : new String[] {"back", "all"}) {
      assertThat(harness.requests.writesTo("/api/v1/namespaces/shop/services/" + kept))
          .as(kept)
          .isZero();
    }
  }
}
