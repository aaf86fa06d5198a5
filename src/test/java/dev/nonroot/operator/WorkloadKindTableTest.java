package dev.nonroot.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nonroot.api.Annotations;
import dev.nonroot.api.WorkloadKind;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import java.time.Duration;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

/**
 * Adding a kind is a change to the {@link WorkloadKind} table: the operator then watches,
 * remediates and counts it with no other code. ReplicaSet is in the table but not watched by
 * default, so switching it on here stands for adding a row.
 */
class WorkloadKindTableTest extends OperatorTestBase {
  @Test
  void aKindSwitchedOnInTheTableIsWatchedRemediatedAndCounted() throws Exception {
    harness.apply("/operator/replicaset.yaml");
    EnumSet<WorkloadKind> kinds = EnumSet.copyOf(WorkloadKind.watchedKinds());
    kinds.add(WorkloadKind.ReplicaSet);
    harness.start(
        NonRootOperator.Settings.defaults()
            .withResyncPeriod(Duration.ofMinutes(10))
            .withPatchesPerSecond(0)
            .withKinds(kinds));

    var status =
        harness.settledStatus("replicasets", s -> s.getRemediated() == 1 && s.getCompliant() == 1);

    ReplicaSet rs = client.apps().replicaSets().inNamespace("legacy").withName("old-web").get();
    var pod = rs.getSpec().getTemplate().getSpec();
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(65532L);
    assertThat(rs.getMetadata().getAnnotations()).containsKey(Annotations.CHANGES);
    assertThat(status.getMatched()).isEqualTo(1);
    assertThat(status.getWorkloadChanges())
        .isNotEmpty()
        .allSatisfy(c -> assertThat(c.getKind()).isEqualTo("ReplicaSet"));
    assertThat(harness.requests.writesTo("/apis/apps/v1/namespaces/legacy/replicasets/old-web"))
        .isEqualTo(1);
  }

  @Test
  void aKindNotSwitchedOnIsNeitherWatchedNorTouched() throws Exception {
    harness.apply("/operator/replicaset.yaml");
    harness.start(Duration.ofMinutes(10));

    var status = harness.settledStatus("replicasets", s -> s.getObservedGeneration() != null);

    assertThat(status.getMatched()).isZero();
    assertThat(
            harness.requests.matching(
                r -> r.path().startsWith("/apis/apps/v1/") && r.path().contains("/replicasets")))
        .isEmpty();
  }
}
