package dev.nonroot.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.nonroot.api.NonRootPolicy;
import dev.nonroot.api.NonRootPolicySpec;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Each workload change is decided once, by the workload controller; the policy statuses are folded
 * from those verdicts and never evaluate a workload themselves.
 */
class DecideOnceTest extends OperatorTestBase {
  @Test
  void statusPassesEvaluateNothingAndAnIdleOperatorDoesNoWork() throws Exception {
    harness.apply("/operator/shop.yaml");
    harness.apply("/operator/policy-enforce.yaml");
    NonRootPolicy audit = new NonRootPolicy();
    audit.getMetadata().setName("audit-shop");
    audit.setSpec(new NonRootPolicySpec());
    audit.getSpec().setMode("Audit");
    audit.getSpec().setPriority(10);
    client.resource(audit).create();
    harness.start(Duration.ofMinutes(10));

    harness.settledStatus("audit-shop", s -> s.getMatched() == 3);
    harness.settledStatus("baseline", s -> s.getOverridden() == 3);
    OperatorMetrics m = harness.metrics();
    long evaluations = m.get(OperatorMetrics.EVALUATIONS);
    long passes = m.get(OperatorMetrics.STATUS_PASSES);
    assertThat(passes).isPositive();
    // One decision per workload reconcile (a change of the workload or of what it depends on).
    assertThat(evaluations).isEqualTo(m.get(OperatorMetrics.RECONCILES)).isGreaterThanOrEqualTo(3);

    // A change that wakes only the status (a recorded Service) folds again without evaluating.
    client
        .resource(
            new ServiceBuilder()
                .withNewMetadata()
                .withName("recorded")
                .withNamespace("other")
                .addToAnnotations("nonroot.dev/changes", "{\"version\":1,\"changes\":[]}")
                .endMetadata()
                .withNewSpec()
                .addNewPort()
                .withPort(80)
                .endPort()
                .endSpec()
                .build())
        .create();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> m.get(OperatorMetrics.STATUS_PASSES) > passes);
    assertThat(m.get(OperatorMetrics.EVALUATIONS)).isEqualTo(evaluations);

    // Idle: nothing happens, so nothing is decided, folded or written.
    long idlePasses = m.get(OperatorMetrics.STATUS_PASSES);
    harness.requests.clear();
    await().pollDelay(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(4)).until(() -> true);
    assertThat(m.get(OperatorMetrics.EVALUATIONS)).isEqualTo(evaluations);
    assertThat(m.get(OperatorMetrics.STATUS_PASSES)).isEqualTo(idlePasses);
    assertThat(harness.requests.count(RequestLog.Request::isWrite)).isZero();
  }

  @Test
  void aRemediatedWorkloadIsDecidedOnceBeforeAndOnceAfterItsPatch() throws Exception {
    harness.apply("/operator/shop.yaml");
    harness.apply("/operator/policy-enforce.yaml");
    harness.start(Duration.ofMinutes(10));

    harness.settledStatus("baseline", s -> s.getRemediated() == 3 && s.getCompliant() == 3);

    // Each of the three workloads: its original version, then its patched version (from the
    // patch's response or from its watch event, whichever comes first: not both). The web
    // Deployment's Service patch is a Service event: one more decision for the workload whose pods
    // it selects (when its event is not recognised as the operator's recent write). A decision put
    // off
    // (a Service move or a budgeted rollout decided before
    // every workload cache has synced, on a slow start) is decided again, and only that.
    long evaluations = harness.metrics().get(OperatorMetrics.EVALUATIONS);
    long deferred = harness.metrics().get(OperatorMetrics.DECISIONS_DEFERRED);
    assertThat(evaluations).isBetween(6L, 7L + deferred);
    assertThat(harness.metrics().get(OperatorMetrics.PATCHES)).isEqualTo(3);
  }

  @Test
  void aServiceChangeDecidesAgainOnlyTheWorkloadsWhosePodsItSelects() throws Exception {
    harness.apply("/operator/shop.yaml");
    NonRootPolicy audit = new NonRootPolicy();
    audit.getMetadata().setName("audit-shop");
    audit.setSpec(new NonRootPolicySpec());
    audit.getSpec().setMode("Audit");
    client.resource(audit).create();
    harness.start(Duration.ofMinutes(10));
    harness.settledStatus("audit-shop", s -> s.getMatched() == 3);
    OperatorMetrics m = harness.metrics();
    long before = m.get(OperatorMetrics.EVALUATIONS);

    // A new Service in front of the StatefulSet: the StatefulSet is decided again, and neither
    // the Deployment nor the DaemonSet of the same namespace (a namespace of 10,000 workloads
    // would otherwise be decided again for every Service write in it).
    client
        .resource(
            new ServiceBuilder()
                .withNewMetadata()
                .withName("cache")
                .withNamespace("shop")
                .endMetadata()
                .withNewSpec()
                .addToSelector("app", "cache")
                .addNewPort()
                .withPort(6379)
                .endPort()
                .endSpec()
                .build())
        .create();
    assertSettlesAt(m, before + 1);

    // Its selector moves to the DaemonSet's pods: both the workload it left and the one it now
    // selects are decided again.
    client
        .services()
        .inNamespace("shop")
        .withName("cache")
        .edit(
            s -> {
              s.getSpec().setSelector(Map.of("app", "agent"));
              return s;
            });
    assertSettlesAt(m, before + 3);
  }

  private static void assertSettlesAt(OperatorMetrics m, long evaluations) {
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> m.get(OperatorMetrics.EVALUATIONS) >= evaluations);
    await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> true);
    assertThat(m.get(OperatorMetrics.EVALUATIONS)).isEqualTo(evaluations);
  }
}
