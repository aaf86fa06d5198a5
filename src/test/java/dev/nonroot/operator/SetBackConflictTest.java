package dev.nonroot.operator;

import static dev.nonroot.operator.OperatorHarness.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.nonroot.api.Annotations;
import dev.nonroot.api.NonRootPolicyStatus;
import dev.nonroot.engine.rollout.RolloutState;
import dev.nonroot.engine.status.Verdict;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
    argoSets(false);
  }

  /** Argo CD's sync of Git's runAsNonRoot ({@code value}), owning the field from now on. */
  private void argoSets(boolean value) {
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
                + "\"value\":"
                + value
                + "},"
                + "{\"op\":\"add\",\"path\":\"/metadata/managedFields\",\"value\":["
                + owner
                + "]}]");
  }

  private List<Event> events(String reason) {
    return client.v1().events().inNamespace("solo").list().getItems().stream()
        .filter(e -> reason.equals(e.getReason()))
        .toList();
  }

  private static Optional<RolloutState> rollout(Deployment d) {
    Map<String, String> a = d.getMetadata().getAnnotations();
    return RolloutState.parse(a == null ? null : a.get(Annotations.ROLLOUT));
  }

  /** A pod of the rollout labelled {@code label}, crash-looping, as the kubelet reports it. */
  private void crashingPod(String label) {
    String name = "app-" + label;
    client
        .pods()
        .inNamespace("solo")
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName(name)
                .withLabels(Map.of("app", "app", Annotations.REMEDIATION_LABEL, label))
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("app")
                .withImage("example/app:1")
                .endContainer()
                .endSpec()
                .build())
        .create();
    client
        .pods()
        .inNamespace("solo")
        .withName(name)
        .editStatus(
            p -> {
              p.setStatus(
                  new PodStatusBuilder()
                      .addNewContainerStatus()
                      .withName("app")
                      .withReady(false)
                      .withNewState()
                      .withNewWaiting()
                      .withReason("CrashLoopBackOff")
                      .withMessage("exited 1: config not found")
                      .endWaiting()
                      .endState()
                      .endContainerStatus()
                      .build());
              return p;
            });
  }

  /**
   * The second set-back comes while the operator's second application still rolls out (no
   * Deployment controller has acted on it). The Conflict ends that rollout: it is not counted as
   * rolling out, and when the owner later puts the fix in Git (the template then holds the
   * operator's values again, under the operator's pod label) and those pods fail for a reason of
   * their own, nothing is put back: the template is the owner's.
   */
  @Test
  void aConflictEndsTheRolloutItCaughtAndNeverRevertsTheOwnersFixLater() throws Exception {
    harness.apply("/operator/solo.yaml");
    harness.apply("/operator/policy-enforce.yaml");
    harness.start(
        NonRootOperator.Settings.defaults()
            .withResyncPeriod(Duration.ofSeconds(1))
            .withPatchesPerSecond(0)
            .withRolloutPoll(Duration.ofMillis(200)));
    eventually(this::app, d -> Boolean.TRUE.equals(runAsNonRoot(d)));
    argoSetsBack();
    eventually(this::app, d -> Boolean.TRUE.equals(runAsNonRoot(d)));
    RolloutState second = rollout(app()).orElseThrow();
    assertThat(second.phase()).isEqualTo(RolloutState.Phase.RollingOut);

    argoSetsBack();
    NonRootPolicyStatus status = harness.settledStatus("baseline", s -> s.getConflicts() == 1);
    assertThat(status.getRollingOut()).isZero();
    assertThat(rollout(app()).orElseThrow().phase()).isEqualTo(RolloutState.Phase.Conflict);

    // The owner puts the fix in Git; the Deployment controller rolls it out, and its pod (the
    // template still carries the operator's old pod label) crash-loops for a reason of its own.
    harness.requests.clear();
    argoSets(true);
    harness.deploymentObserved("solo", "app", 0);
    crashingPod(second.label());
    await().pollDelay(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(4)).until(() -> true);
    assertThat(runAsNonRoot(app())).isTrue();
    assertThat(events(EventRecorder.REVERTED)).isEmpty();
    assertThat(harness.requests.count(r -> r.isWrite() && r.path().startsWith(APP))).isZero();
    assertThat(harness.settledStatus("baseline", s -> s.getConflicts() == 0).getRollingOut())
        .isZero();
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
