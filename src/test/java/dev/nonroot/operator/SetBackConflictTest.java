package dev.nonroot.operator;

import static dev.nonroot.operator.OperatorHarness.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.nonroot.api.NonRootPolicyStatus;
import dev.nonroot.engine.status.Verdict;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A "GitOps controller" played by this test sets back a field the operator fixed, as Argo CD's sync
 * does: the operator applies the fix once more, and after the second set-back it stops with a
 * Conflict naming the field manager, and writes nothing more to that workload.
 */
class SetBackConflictTest extends OperatorTestBase {
  private static final String APP = "/apis/apps/v1/namespaces/solo/deployments/app";
  private static final PatchContext AS_ARGO =
      new PatchContext.Builder()
          .withPatchType(PatchType.JSON)
          .withFieldManager("argocd-controller")
          .build();

  private Deployment app() {
    return client.apps().deployments().inNamespace("solo").withName("app").get();
  }

  private static Boolean runAsNonRoot(Deployment d) {
    var sc = d.getSpec().getTemplate().getSpec().getSecurityContext();
    return sc == null ? null : sc.getRunAsNonRoot();
  }

  /**
   * Argo CD's sync: the field back to Git's value, and managedFields saying who owns it now (the
   * CRUD mock keeps none of its own; a real API server writes this entry).
   */
  private void argoSetsBack() {
    String owner =
        "{\"manager\":\"argocd-controller\",\"operation\":\"Update\",\"apiVersion\":\"apps/v1\","
            + "\"time\":\""
            + Instant.now().toString().replaceAll("\\.\\d+Z$", "Z")
            + "\",\"fieldsType\":\"FieldsV1\",\"fieldsV1\":{\"f:spec\":{\"f:template\":{\"f:spec\":"
            + "{\"f:securityContext\":{\"f:runAsNonRoot\":{}}}}}}}";
    client
        .apps()
        .deployments()
        .inNamespace("solo")
        .withName("app")
        .patch(
            AS_ARGO,
            "[{\"op\":\"replace\",\"path\":\"/spec/template/spec/securityContext/runAsNonRoot\","
                + "\"value\":false},"
                + "{\"op\":\"add\",\"path\":\"/metadata/managedFields\",\"value\":["
                + owner
                + "]}]");
  }

  private List<Event> events(String reason) {
    return client.v1().events().inNamespace("solo").list().getItems().stream()
        .filter(e -> reason.equals(e.getReason()))
        .toList();
  }

  @Test
  void aFieldSetBackTwiceIsAConflictAndTheWorkloadGetsNoMoreWrites() throws Exception {
    harness.apply("/operator/solo.yaml");
    harness.apply("/operator/policy-enforce.yaml");
    harness.start(Duration.ofSeconds(1));
    eventually(this::app, d -> Boolean.TRUE.equals(runAsNonRoot(d)));

    // The first set-back is fixed again: a single sync may be an accident.
    argoSetsBack();
    eventually(this::app, d -> Boolean.TRUE.equals(runAsNonRoot(d)));

    // The second within the hour is a fight: left as it is, reported, and never written again.
    argoSetsBack();
    NonRootPolicyStatus status = harness.settledStatus("baseline", s -> s.getConflicts() == 1);
    assertThat(status.getPending()).isZero();
    assertThat(status.getViolating())
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.getState()).isEqualTo(Verdict.CONFLICT);
              assertThat(v.getReason())
                  .contains("field manager argocd-controller")
                  .contains("runAsNonRoot");
            });
    assertThat(runAsNonRoot(app())).isFalse();
    List<Event> conflict = eventually(() -> events(EventRecorder.CONFLICT), l -> !l.isEmpty());
    assertThat(conflict.get(0).getType()).isEqualTo("Warning");
    assertThat(conflict.get(0).getMessage()).contains("argocd-controller");

    harness.requests.clear();
    // Resyncs every second: each decides again, none writes.
    await().pollDelay(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(4)).until(() -> true);
    assertThat(harness.requests.count(r -> r.isWrite() && r.path().startsWith(APP))).isZero();
    assertThat(runAsNonRoot(app())).isFalse();
    assertThat(events(EventRecorder.CONFLICT)).hasSize(1);
    assertThat(events(EventRecorder.CONFLICT).get(0).getCount()).isEqualTo(1);
  }
}
