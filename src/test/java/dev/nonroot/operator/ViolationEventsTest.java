package dev.nonroot.operator;

import static dev.nonroot.operator.OperatorHarness.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A workload that starts to violate while the operator runs is named on the workload itself. */
class ViolationEventsTest extends OperatorTestBase {
  @Test
  void aNewWorkloadThatNeedsRootGetsAWarningAndIsListedInTheStatus() throws Exception {
    harness.apply("/operator/shop.yaml");
    harness.apply("/operator/policy-enforce.yaml");
    harness.start(Duration.ofMinutes(10));
    harness.settledStatus("baseline", s -> s.getRemediated() == 3 && s.getCompliant() == 3);

    client
        .resource(
            new DaemonSetBuilder()
                .withNewMetadata()
                .withName("tracer")
                .withNamespace("shop")
                .endMetadata()
                .withNewSpec()
                .withNewSelector()
                .addToMatchLabels("app", "tracer")
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .addToLabels("app", "tracer")
                .endMetadata()
                .withNewSpec()
                .withHostPID(true)
                .addNewContainer()
                .withName("tracer")
                .withImage("example/tracer:1")
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build())
        .create();

    List<Event> warnings =
        eventually(
            () ->
                client.v1().events().inNamespace("shop").list().getItems().stream()
                    .filter(e -> "PolicyViolation".equals(e.getReason()))
                    .toList(),
            l -> !l.isEmpty());
    assertThat(warnings)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getType()).isEqualTo("Warning");
              assertThat(e.getInvolvedObject().getName()).isEqualTo("tracer");
              assertThat(e.getMessage()).startsWith("policy baseline: needs root: KernelChanges");
            });
    var status = harness.settledStatus("baseline", s -> s.getNeedsRoot() == 1);
    assertThat(status.getViolating())
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.getName()).isEqualTo("tracer");
              assertThat(v.getState()).isEqualTo("NeedsRoot");
            });
  }

  @Test
  void whatTheOperatorFindsAtItsStartIsListedButNotAnnouncedAgain() throws Exception {
    harness.apply("/operator/shop.yaml");
    harness.apply("/operator/policy-audit.yaml");
    harness.start(Duration.ofMinutes(10));

    var status = harness.settledStatus("watcher", s -> s.getMatched() == 3);

    assertThat(status.getViolating()).isNotEmpty().allMatch(v -> v.getState().equals("WouldPatch"));
    assertThat(client.v1().events().inNamespace("shop").list().getItems())
        .noneMatch(e -> "PolicyViolation".equals(e.getReason()));
  }
}
