package dev.nonroot.operator;

import static dev.nonroot.operator.OperatorHarness.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FailureHandlingTest extends OperatorTestBase {
  private static final String DEPLOY = "/apis/apps/v1/namespaces/shop/deployments/web";

  @Test
  void aConflictIsReEvaluatedFromTheCacheAndPatchedOnce() throws Exception {
    harness.apply("/operator/shop.yaml");
    server
        .expect()
        .patch()
        .withPath(DEPLOY + "?fieldManager=nonroot-operator")
        .andReturn(
            409,
            new StatusBuilder().withCode(409).withReason("Conflict").withMessage("stale").build())
        .once();
    harness.apply("/operator/policy-enforce.yaml");
    harness.start(Duration.ofSeconds(1));
    eventually(
        () -> harness.policy("baseline"),
        p ->
            p.getStatus() != null
                && p.getStatus().getRemediated() == 3
                && p.getStatus().getCompliant() == 3);
    // One refused attempt, one accepted: the conflict neither loops nor counts as a failure.
    assertThat(harness.requests.writesTo(DEPLOY)).isEqualTo(2);
    assertThat(harness.policy("baseline").getStatus().getFailed()).isZero();
  }

  @Test
  void aFailedPatchIsCountedWarnedOnceAndRetried() throws Exception {
    harness.apply("/operator/shop.yaml");
    server
        .expect()
        .patch()
        .withPath(DEPLOY + "?fieldManager=nonroot-operator")
        .andReturn(500, new StatusBuilder().withCode(500).withMessage("etcd is sad").build())
        .times(2);
    harness.apply("/operator/policy-enforce.yaml");
    harness.start(Duration.ofSeconds(30));

    eventually(
        () -> harness.policy("baseline"),
        p ->
            p.getStatus() != null
                && p.getStatus().getFailed() == 1
                && p.getStatus().getConditions().stream()
                    .anyMatch(c -> "RemediationFailed".equals(c.getReason())));
    eventually(
        () -> harness.policy("baseline"),
        p ->
            p.getStatus().getFailed() == 0
                && p.getStatus().getRemediated() == 3
                && p.getStatus().getCompliant() == 3);
    List<Event> warnings =
        client.v1().events().inNamespace("shop").list().getItems().stream()
            .filter(e -> e.getReason().equals("RemediationFailed"))
            .toList();
    // Two failures with the same message are one transition: one Warning.
    assertThat(warnings).hasSize(1);
    assertThat(warnings.get(0).getType()).isEqualTo("Warning");
    assertThat(warnings.get(0).getMessage()).contains("500");
    assertThat(warnings.get(0).getInvolvedObject().getName()).isEqualTo("web");
  }

  @Test
  void aFailureEndsWhenTheWorkloadNoLongerNeedsAPatch() throws Exception {
    harness.apply("/operator/shop.yaml");
    server
        .expect()
        .patch()
        .withPath(DEPLOY + "?fieldManager=nonroot-operator")
        .andReturn(
            500, new StatusBuilder().withCode(500).withMessage("admission webhook says no").build())
        .always();
    harness.apply("/operator/policy-enforce.yaml");
    harness.start(Duration.ofSeconds(30));
    eventually(
        () -> harness.policy("baseline"),
        p -> p.getStatus() != null && p.getStatus().getFailed() == 1);

    // The admin exempts it: no patch is due any more, so the failure is over.
    OperatorHarness.onConflictAgain(
        () ->
            client
                .apps()
                .deployments()
                .inNamespace("shop")
                .withName("web")
                .edit(
                    d -> {
                      d.getMetadata().setAnnotations(Map.of("nonroot.dev/exempt", "true"));
                      return d;
                    }));
    var status =
        eventually(
                () -> harness.policy("baseline"),
                p -> p.getStatus().getFailed() == 0 && p.getStatus().getExempt() == 1)
            .getStatus();
    assertThat(status.getConditions())
        .anySatisfy(
            c -> {
              assertThat(c.getType()).isEqualTo("Ready");
              assertThat(c.getReason()).isEqualTo("Converged");
            });
  }
}
