package dev.nonroot.operator;

import static dev.nonroot.operator.OperatorHarness.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.nonroot.api.NonRootPolicy;
import dev.nonroot.api.RecordedChange;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class AuditModeTest extends OperatorTestBase {

  @Test
  void auditRecordsWouldPatchAndNeverWritesWorkloads() throws Exception {
    harness.apply("/operator/shop.yaml");
    harness.apply("/operator/policy-audit.yaml");
    harness.start(Duration.ofMillis(500));

    NonRootPolicy p =
        eventually(
            () -> harness.policy("watcher"),
            x -> x.getStatus() != null && x.getStatus().getMatched() == 3);
    var status = p.getStatus();
    assertThat(status.getViolations()).isEqualTo(3);
    assertThat(status.getCompliant()).isZero();
    assertThat(status.getRemediated()).isZero();
    assertThat(status.getWorkloadChanges())
        .isNotEmpty()
        .allSatisfy(c -> assertThat(c.getAction()).isEqualTo("WouldPatch"));
    assertThat(status.getWorkloadChanges())
        .anySatisfy(
            c -> {
              assertThat(c.getKind()).isEqualTo("Service");
              assertThat(c.getTo()).isEqualTo("8080");
            });
    assertThat(status.getConditions())
        .anySatisfy(
            c -> {
              assertThat(c.getType()).isEqualTo("Ready");
              assertThat(c.getReason()).isEqualTo("Audited");
            });
    List<String> times = status.getWorkloadChanges().stream().map(RecordedChange::getTime).toList();

    // Several resyncs later: still no workload or Service write, and the record is stable.
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(4))
        .until(
            () ->
                harness.requests.writesUnder("/apis/apps")
                        + harness.requests.writesUnder("/api/v1/namespaces")
                    == 0);
    assertThat(harness.policy("watcher").getStatus().getWorkloadChanges())
        .extracting(RecordedChange::getTime)
        .isEqualTo(times);
    assertThat(
            client
                .apps()
                .deployments()
                .inNamespace("shop")
                .withName("web")
                .get()
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0)
                .getPorts()
                .get(0)
                .getContainerPort())
        .isEqualTo(80);
  }

  @Test
  void anAuditStatusOverItsSizeBudgetIsStableAcrossResyncs() throws Exception {
    for (int i = 0; i < 300; i++) {
      client
          .resource(
              new DeploymentBuilder()
                  .withNewMetadata()
                  .withName("app-" + i)
                  .withNamespace("big")
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
                  .addNewContainer()
                  .withName("a-rather-long-container-name-" + i)
                  .withImage("busybox:1.36")
                  .endContainer()
                  .endSpec()
                  .endTemplate()
                  .endSpec()
                  .build())
          .create();
    }
    harness.apply("/operator/policy-audit.yaml");
    harness.start(Duration.ofMillis(500));
    harness.settledStatus("watcher", s -> s.getMatched() == 300 && s.getTruncated() > 0);
    long writes = harness.requests.count(r -> r.isWrite() && r.path().endsWith("/status"));
    // Resyncs every 500 ms re-evaluate all 300 workloads; the truncated record must not churn.
    await()
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                harness.requests.count(r -> r.isWrite() && r.path().endsWith("/status")) == writes);
  }
}
