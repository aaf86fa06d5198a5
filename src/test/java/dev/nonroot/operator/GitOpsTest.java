package dev.nonroot.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.nonroot.api.NonRootPolicyStatus;
import dev.nonroot.api.RecordedChange;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Workloads Argo CD or Flux manage are not fought over: under spec.gitops Report (the default) they
 * are reported with the application that owns them, under Skip left alone, and in both cases
 * neither they nor their Services get a single write, resync after resync.
 */
class GitOpsTest extends OperatorTestBase {
  private static final String ARGO_WEB = "/apis/apps/v1/namespaces/argo/deployments/web";
  private static final String FLUX_API = "/apis/apps/v1/namespaces/flux/deployments/api";

  @Test
  void workloadsAGitOpsToolManagesGetNoWrites() throws Exception {
    harness.apply("/operator/gitops.yaml");
    harness.start(Duration.ofMillis(500));

    NonRootPolicyStatus report =
        harness.settledStatus("report", s -> s.getMatched() == 2 && s.getRemediated() == 1);
    assertThat(report.getGitops()).isEqualTo(1);
    assertThat(report.getViolations()).isEqualTo(1);
    assertThat(report.getPending()).isZero();
    assertThat(report.getViolating())
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.getName()).isEqualTo("web");
              assertThat(v.getState()).isEqualTo("WouldPatch");
              assertThat(v.getReason())
                  .startsWith(
                      "managed by Argo CD application shop: the fix belongs in Git (`kubectl get"
                          + " deployment web -n argo -o yaml | nonroot-operator fix -`)");
            });
    assertThat(report.getWorkloadChanges())
        .filteredOn(c -> c.getName().equals("web"))
        .isNotEmpty()
        .allSatisfy(c -> assertThat(c.getAction()).isEqualTo("WouldPatch"))
        .extracting(RecordedChange::getKind)
        .contains("Deployment", "Service");
    assertThat(report.getConditions())
        .anySatisfy(
            c -> {
              assertThat(c.getType()).isEqualTo("Ready");
              assertThat(c.getReason()).isEqualTo("Converged");
              assertThat(c.getMessage()).contains("1 managed by Argo CD or Flux");
            });

    NonRootPolicyStatus skip = harness.settledStatus("skip", s -> s.getMatched() == 1);
    assertThat(skip.getExempt()).isEqualTo(1);
    assertThat(skip.getGitops()).isEqualTo(1);
    assertThat(skip.getViolations()).isZero();
    assertThat(skip.getViolating()).isEmpty();
    assertThat(skip.getWorkloadChanges()).isEmpty();

    // The operator is at work (the workload no GitOps tool manages was patched) and keeps
    // deciding on every resync, yet writes nothing to the managed ones or their Services.
    assertThat(harness.requests.writesTo("/apis/apps/v1/namespaces/argo/deployments/plain"))
        .isEqualTo(1);
    long evaluations = harness.metrics().get(OperatorMetrics.EVALUATIONS);
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(4))
        .until(
            () ->
                harness.requests.writesTo(ARGO_WEB)
                        + harness.requests.writesTo(FLUX_API)
                        + harness.requests.writesUnder("/api/v1/namespaces/argo/services")
                        + harness.requests.writesUnder("/api/v1/namespaces/flux/services")
                    == 0);
    assertThat(harness.metrics().get(OperatorMetrics.EVALUATIONS)).isGreaterThan(evaluations);
    var web = client.apps().deployments().inNamespace("argo").withName("web").get();
    assertThat(web.getSpec().getTemplate().getSpec().getContainers().get(0).getPorts().get(0))
        .satisfies(p -> assertThat(p.getContainerPort()).isEqualTo(80));
    assertThat(web.getMetadata().getAnnotations()).doesNotContainKey("nonroot.dev/changes");
  }
}
