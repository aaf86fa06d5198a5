package dev.nonroot.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nonroot.api.NonRootPolicy;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * 2,000 workloads under one policy: exact counters, a status within its size budget, one write
 * each.
 */
class ScaleTest extends OperatorTestBase {
  private static final int WORKLOADS = 2000;

  @Test
  void twoThousandWorkloadsUnderOnePolicy() throws Exception {
    for (int i = 0; i < WORKLOADS; i++) {
      boolean compliant = i % 4 == 0;
      Deployment d =
          new DeploymentBuilder()
              .withNewMetadata()
              .withName("app-" + i)
              .withNamespace("ns-" + (i % 20))
              .endMetadata()
              .withNewSpec()
              .withNewSelector()
              .addToMatchLabels("app", "app-" + i)
              .endSelector()
              .withNewTemplate()
              .withNewMetadata()
              .addToLabels("app", "app-" + i)
              .endMetadata()
              .withNewSpec()
              .withNewSecurityContext()
              .withRunAsNonRoot(compliant ? true : null)
              .withRunAsUser(compliant ? 1000L : null)
              .withNewSeccompProfile()
              .withType(compliant ? "RuntimeDefault" : "Unconfined")
              .endSeccompProfile()
              .endSecurityContext()
              .addNewContainer()
              .withName("c")
              .withImage("busybox:1.36")
              .withNewSecurityContext()
              .withAllowPrivilegeEscalation(compliant ? false : null)
              .withNewCapabilities()
              .withDrop(compliant ? List.of("ALL") : List.of())
              .endCapabilities()
              .endSecurityContext()
              .endContainer()
              .endSpec()
              .endTemplate()
              .endSpec()
              .build();
      client.resource(d).create();
    }
    harness.apply("/operator/policy-enforce-unbudgeted.yaml");
    harness.start(Duration.ofMinutes(10));

    NonRootPolicy p =
        await()
            .atMost(Duration.ofMinutes(3))
            .pollInterval(Duration.ofSeconds(1))
            .until(
                () -> harness.policy("baseline"),
                x ->
                    x.getStatus() != null
                        && x.getStatus().getCompliant() == WORKLOADS
                        && x.getStatus().getRemediated() == WORKLOADS * 3 / 4);
    var status = p.getStatus();
    assertThat(status.getMatched()).isEqualTo(WORKLOADS);
    assertThat(status.getViolations()).isZero();
    assertThat(status.getFailed()).isZero();
    int bytes =
        new ObjectMapper().writeValueAsString(status).getBytes(StandardCharsets.UTF_8).length;
    assertThat(bytes).isLessThanOrEqualTo(256 * 1024);
    assertThat(status.getTruncated()).isPositive();
    assertThat(status.getWorkloadChanges().size() + status.getTruncated())
        .as("every change is either listed or counted")
        .isEqualTo(WORKLOADS * 3 / 4 * 5);
    assertThat(harness.requests.count(r -> r.isWrite() && r.path().contains("/deployments/")))
        .isEqualTo(WORKLOADS * 3 / 4);
    assertThat(harness.requests.matching(RequestLog.Request::isSingleGet)).isEmpty();
  }
}
