package dev.nonroot.operator;

import static dev.nonroot.operator.OperatorHarness.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nonroot.api.Annotations;
import dev.nonroot.api.NonRootPolicy;
import dev.nonroot.api.NonRootPolicyStatus;
import dev.nonroot.api.RolloutSpec;
import dev.nonroot.engine.rollout.RolloutState;
import dev.nonroot.engine.rollout.RolloutState.Phase;
import dev.nonroot.engine.rollout.TemplateHash;
import dev.nonroot.engine.status.Conditions;
import dev.nonroot.engine.status.Departure;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * spec.onDelete: Revert on the CRUD mock, with this test playing the Deployment controller: a
 * deleted policy, or a workload that leaves its match, gets back what the policy changed, and the
 * deletion waits for those restores (a finalizer) for at most spec.onDeleteTimeout.
 */
class OnDeleteTest extends OperatorTestBase {
  private static final ObjectMapper JSON = new ObjectMapper();
  private String originalIntranet;
  private String originalApi;

  @BeforeEach
  void setUp() throws Exception {
    harness.apply("/operator/rollout/workloads.yaml");
    originalIntranet = templateHash(deployment("intranet"));
    originalApi = templateHash(deployment("api"));
  }

  private void start(MutableClock clock) {
    NonRootOperator.Settings settings =
        NonRootOperator.Settings.defaults()
            .withResyncPeriod(Duration.ofSeconds(30))
            .withPatchesPerSecond(0)
            .withRolloutPoll(Duration.ofMillis(200));
    harness.start(clock == null ? settings : settings.withClock(clock));
  }

  private Deployment deployment(String name) {
    return client.apps().deployments().inNamespace("web").withName(name).get();
  }

  private static String templateHash(Deployment d) {
    return TemplateHash.of(JSON.valueToTree(d.getSpec().getTemplate()));
  }

  private static Optional<RolloutState> rollout(Deployment d) {
    Map<String, String> a = d.getMetadata().getAnnotations();
    return RolloutState.parse(a == null ? null : a.get(Annotations.ROLLOUT));
  }

  private Deployment inPhase(String name, Phase phase) {
    return eventually(
        () -> deployment(name), d -> rollout(d).filter(r -> r.phase() == phase).isPresent());
  }

  private NonRootPolicy policy() {
    return client.resources(NonRootPolicy.class).withName("baseline").get();
  }

  private int targetPort() {
    return client
        .services()
        .inNamespace("web")
        .withName("api")
        .get()
        .getSpec()
        .getPorts()
        .get(0)
        .getTargetPort()
        .getIntVal();
  }

  private List<Event> events(String namespace, String reason) {
    return client.v1().events().inNamespace(namespace).list().getItems().stream()
        .filter(e -> reason.equals(e.getReason()))
        .toList();
  }

  /** Nothing of the operator's is left on the workload: no record, no state, no pod label. */
  private static void untouched(Deployment d) {
    Map<String, String> annotations = d.getMetadata().getAnnotations();
    assertThat(annotations == null ? Map.of() : annotations)
        .doesNotContainKeys(Annotations.CHANGES, Annotations.ROLLOUT);
    assertThat(d.getSpec().getTemplate().getMetadata().getLabels())
        .doesNotContainKey(Annotations.REMEDIATION_LABEL);
  }

  private void remediateBoth() {
    inPhase("intranet", Phase.RollingOut);
    inPhase("api", Phase.RollingOut);
    await().atMost(Duration.ofSeconds(10)).until(() -> targetPort() == 8080);
    assertThat(templateHash(deployment("api"))).isNotEqualTo(originalApi);
  }

  @Test
  void deletingARevertPolicyPutsEveryFieldBackFollowsTheRestoresAndThenLetsThePolicyGo()
      throws Exception {
    harness.apply("/operator/policy-revert.yaml");
    start(null);
    eventually(this::policy, p -> p.hasFinalizer(Departure.FINALIZER));
    remediateBoth();

    client.resources(NonRootPolicy.class).withName("baseline").delete();

    // One write per workload: its own template back, the record and the pod label gone, and the
    // restore's rollout followed.
    for (String name : List.of("intranet", "api")) {
      Deployment d = inPhase(name, Phase.Restoring);
      assertThat(templateHash(d)).isEqualTo(name.equals("api") ? originalApi : originalIntranet);
      assertThat(d.getMetadata().getAnnotations()).doesNotContainKey(Annotations.CHANGES);
      assertThat(d.getSpec().getTemplate().getMetadata().getLabels())
          .doesNotContainKey(Annotations.REMEDIATION_LABEL);
    }
    assertThat(targetPort()).isEqualTo(80);
    // The deletion waits for the restores' rollouts, and says so.
    NonRootPolicy waiting =
        eventually(
            this::policy,
            p ->
                p.getStatus() != null
                    && p.getStatus().getRestoring() == 2
                    && p.getStatus().getConditions().stream()
                        .anyMatch(c -> c.getType().equals(Conditions.DELETING)));
    assertThat(waiting.getMetadata().getDeletionTimestamp()).isNotNull();
    assertThat(
            waiting.getStatus().getConditions().stream()
                .filter(c -> c.getType().equals(Conditions.DELETING))
                .findFirst()
                .orElseThrow()
                .getMessage())
        .contains("2 workload(s)")
        .contains("spec.onDeleteTimeout");

    harness.deploymentObserved("web", "intranet", 1);
    harness.deploymentObserved("web", "api", 1);
    await().atMost(Duration.ofSeconds(30)).until(() -> policy() == null);
    untouched(deployment("intranet"));
    untouched(deployment("api"));
    assertThat(templateHash(deployment("api"))).isEqualTo(originalApi);
    assertThat(events("web", EventRecorder.RESTORED)).hasSize(2);
    // Each follows the write that ended its rollout.
    assertThat(
            eventually(() -> events("web", EventRecorder.RESTORE_ROLLED_OUT), l -> l.size() >= 2))
        .hasSize(2);
    // The Event follows the finalizer's removal: it may come a moment after the policy is gone.
    assertThat(eventually(() -> events("default", "Restored"), l -> !l.isEmpty())).hasSize(1);
    // On a real cluster the operator has only what manifests/cluster-role.yaml grants: the
    // finalizer's writes must be among it, or a Revert policy never gets its finalizer (and so
    // never patches anything).
    List<RequestLog.Request> refused = new ArrayList<>();
    for (RequestLog.Request r : harness.requests.matching(r -> true)) {
      if (!ClusterRoleTest.grants(r)) refused.add(r);
    }
    assertThat(refused).isEmpty();
  }

  @Test
  void aFieldSomeoneChangedSinceStaysAndAWarningNamesIt() throws Exception {
    harness.apply("/operator/policy-revert.yaml");
    start(null);
    remediateBoth();
    // An admin pins another uid on intranet's pods after the operator's patch.
    client
        .apps()
        .deployments()
        .inNamespace("web")
        .withName("intranet")
        .edit(
            d -> {
              d.getSpec().getTemplate().getSpec().getSecurityContext().setRunAsUser(4242L);
              return d;
            });

    client.resources(NonRootPolicy.class).withName("baseline").delete();

    Deployment intranet = inPhase("intranet", Phase.Restoring);
    var pod = intranet.getSpec().getTemplate().getSpec().getSecurityContext();
    assertThat(pod.getRunAsUser()).isEqualTo(4242L);
    assertThat(pod.getRunAsNonRoot()).isNull();
    assertThat(pod.getSeccompProfile()).isNull();
    var container =
        intranet.getSpec().getTemplate().getSpec().getContainers().get(0).getSecurityContext();
    assertThat(container == null ? null : container.getCapabilities()).isNull();
    assertThat(intranet.getMetadata().getAnnotations()).doesNotContainKey(Annotations.CHANGES);
    List<Event> kept =
        eventually(() -> events("web", EventRecorder.RESTORE_KEPT), l -> !l.isEmpty());
    assertThat(kept.get(0).getType()).isEqualTo("Warning");
    assertThat(kept.get(0).getMessage()).contains("runAsUser").contains("4242");
    assertThat(kept.get(0).getInvolvedObject().getName()).isEqualTo("intranet");
  }

  @Test
  void aWorkloadThatLeavesTheMatchGetsTheSameRestoreAndTheOthersKeepTheirs() throws Exception {
    harness.apply("/operator/policy-revert.yaml");
    start(null);
    remediateBoth();

    client
        .apps()
        .deployments()
        .inNamespace("web")
        .withName("api")
        .edit(
            d -> {
              d.getMetadata().getAnnotations().put(Annotations.EXEMPT, "true");
              return d;
            });

    Deployment api = inPhase("api", Phase.Restoring);
    assertThat(templateHash(api)).isEqualTo(originalApi);
    assertThat(targetPort()).isEqualTo(80);
    // The other workload and the policy are untouched.
    assertThat(rollout(deployment("intranet")).orElseThrow().phase()).isEqualTo(Phase.RollingOut);
    assertThat(deployment("intranet").getMetadata().getAnnotations())
        .containsKey(Annotations.CHANGES);
    assertThat(policy().getMetadata().getDeletionTimestamp()).isNull();
    harness.deploymentObserved("web", "api", 1);
    eventually(() -> deployment("api"), d -> rollout(d).isEmpty());
    untouched(deployment("api"));
    // Exempt and restored: nothing more is written to it.
    harness.requests.clear();
    harness.settledStatus("baseline", s -> s.getRestoring() == 0 && s.getExempt() == 1);
    assertThat(harness.requests.count(r -> r.isWrite() && r.path().contains("/deployments/api")))
        .isZero();
  }

  /** A second policy over the same workloads, lower in precedence than baseline (name order). */
  private void secondPolicy(String name, String spec) throws Exception {
    String yaml =
        "apiVersion: nonroot.dev/v1alpha1\nkind: NonRootPolicy\nmetadata: {name: "
            + name
            + "}\nspec: "
            + spec
            + "\n";
    try (var in = new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))) {
      client.resources(NonRootPolicy.class).load(in).create();
    }
  }

  /**
   * An Audit policy governs the workloads once the Revert policy is deleted: it never patches, so
   * nothing would undo the restore, and the changes go back (its report then lists what it would
   * change). The deletion's Event says every workload has its changes back, and it is true.
   */
  @Test
  void aDeletedPolicysChangesGoBackWhereAPolicyThatDoesNotPatchGovernsNow() throws Exception {
    harness.apply("/operator/policy-revert.yaml");
    secondPolicy("watcher", "{mode: Audit}");
    start(null);
    eventually(this::policy, p -> p.hasFinalizer(Departure.FINALIZER));
    remediateBoth();

    client.resources(NonRootPolicy.class).withName("baseline").delete();

    for (String name : List.of("intranet", "api")) {
      Deployment d = inPhase(name, Phase.Restoring);
      assertThat(templateHash(d)).isEqualTo(name.equals("api") ? originalApi : originalIntranet);
    }
    assertThat(targetPort()).isEqualTo(80);
    assertThat(eventually(() -> events("web", EventRecorder.RESTORED), l -> l.size() >= 2))
        .allSatisfy(e -> assertThat(e.getMessage()).contains("policy watcher"));
    harness.deploymentObserved("web", "intranet", 1);
    harness.deploymentObserved("web", "api", 1);
    await().atMost(Duration.ofSeconds(30)).until(() -> policy() == null);
    untouched(deployment("intranet"));
    untouched(deployment("api"));
    List<Event> restored = eventually(() -> events("default", "Restored"), l -> !l.isEmpty());
    assertThat(restored.get(0).getMessage()).contains("every workload has its changes back");
    NonRootPolicyStatus watcher =
        harness.settledStatus("watcher", s -> s.getViolations() == 2 && s.getRestoring() == 0);
    assertThat(watcher.getViolating())
        .allSatisfy(v -> assertThat(v.getState()).isEqualTo("WouldPatch"));
  }

  /**
   * An Enforce policy governs them once the Revert policy is deleted: the changes stay (putting
   * them back would only start a rollout for it to undo), and the deletion's Event says so instead
   * of claiming every workload has its changes back.
   */
  @Test
  void aDeletionWhoseChangesAPatchingPolicyKeepsSaysSo() throws Exception {
    harness.apply("/operator/policy-revert.yaml");
    secondPolicy("enforcer", "{mode: Enforce}");
    start(null);
    eventually(this::policy, p -> p.hasFinalizer(Departure.FINALIZER));
    remediateBoth();

    client.resources(NonRootPolicy.class).withName("baseline").delete();

    await().atMost(Duration.ofSeconds(30)).until(() -> policy() == null);
    List<Event> restored = eventually(() -> events("default", "Restored"), l -> !l.isEmpty());
    assertThat(restored.get(0).getMessage())
        .doesNotContain("every workload has its changes back")
        .contains("2 workload(s) keep its changes");
    assertThat(deployment("api").getMetadata().getAnnotations()).containsKey(Annotations.CHANGES);
    assertThat(targetPort()).isEqualTo(8080);
  }

  /** Annotates a workload nonroot.dev/exempt: it leaves the policy's match. */
  private void exempt(String name) {
    OperatorHarness.onConflictAgain(
        () ->
            client
                .apps()
                .deployments()
                .inNamespace("web")
                .withName(name)
                .edit(
                    d -> {
                      d.getMetadata().getAnnotations().put(Annotations.EXEMPT, "true");
                      return d;
                    }));
  }

  /**
   * A canary made from the live api (kubectl get -o yaml, renamed): its pods listen on the moved
   * 8080 and carry api's record, and api's Service selects them too.
   */
  private void canaryOfApi() {
    Deployment api = deployment("api");
    Map<String, String> labels = Map.of("app", "api", "track", "canary");
    Map<String, String> annotations = new HashMap<>(api.getMetadata().getAnnotations());
    annotations.remove(Annotations.ROLLOUT);
    Deployment canary =
        new DeploymentBuilder(api)
            .withNewMetadata()
            .withName("api-canary")
            .withNamespace("web")
            .withAnnotations(annotations)
            .endMetadata()
            .editSpec()
            .editSelector()
            .withMatchLabels(labels)
            .endSelector()
            .editTemplate()
            .editMetadata()
            .withLabels(labels)
            .endMetadata()
            .endTemplate()
            .endSpec()
            .build();
    client.apps().deployments().inNamespace("web").resource(canary).create();
  }

  /**
   * api's Service also selects a canary whose pods listen on the moved 8080. api leaves the match:
   * the Service stays on 8080 (moving it back would cut the canary off) and the restore's Event
   * says why; so api's own pods keep listening on 8080 (its port and its PORT setting), or the
   * Service's traffic to them would find no listener, and a Warning Event names the Service and the
   * canary. The rest of the policy's changes go back.
   */
  @Test
  void aSharedServiceStaysAndTheLeavingWorkloadKeepsThePortItServes() throws Exception {
    harness.apply("/operator/policy-revert.yaml");
    start(null);
    remediateBoth();
    canaryOfApi();
    harness.settledStatus("baseline", s -> s.getMatched() == 3);

    exempt("api");

    Deployment api = inPhase("api", Phase.Restoring);
    var httpbin = api.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(httpbin.getPorts().get(0).getContainerPort()).isEqualTo(8080);
    assertThat(httpbin.getEnv().get(0).getValue()).isEqualTo("8080");
    assertThat(httpbin.getSecurityContext()).isNull();
    assertThat(api.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsNonRoot())
        .isNull();
    assertThat(api.getMetadata().getAnnotations()).doesNotContainKey(Annotations.CHANGES);
    List<Event> restored =
        eventually(
            () ->
                events("web", EventRecorder.RESTORED).stream()
                    .filter(e -> e.getInvolvedObject().getName().equals("api"))
                    .toList(),
            l -> !l.isEmpty());
    assertThat(restored.get(0).getMessage())
        .contains("Service web/api stays on port 8080")
        .contains("Deployment web/api-canary");
    List<Event> kept =
        eventually(
            () ->
                events("web", EventRecorder.RESTORE_KEPT).stream()
                    .filter(e -> e.getInvolvedObject().getName().equals("api"))
                    .toList(),
            l -> !l.isEmpty());
    assertThat(kept.get(0).getType()).isEqualTo("Warning");
    assertThat(kept.get(0).getMessage())
        .contains("containerPort", "env[PORT].value")
        .contains("Service web/api stays on port 8080")
        .contains("Deployment web/api-canary");
    assertThat(targetPort()).isEqualTo(8080);
    harness.deploymentObserved("web", "api", 1);
    eventually(() -> deployment("api"), d -> rollout(d).isEmpty());
    // The end of the restore's rollout looks at the Service again: api listens on 8080 now.
    assertThat(targetPort()).isEqualTo(8080);

    // The canary leaves too: api's pods listen on 8080, so the Service stays, and so does the
    // canary's port.
    exempt("api-canary");
    Deployment canary = inPhase("api-canary", Phase.Restoring);
    assertThat(
            canary
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0)
                .getPorts()
                .get(0)
                .getContainerPort())
        .isEqualTo(8080);
    assertThat(targetPort()).isEqualTo(8080);
  }

  @Test
  void keepIsTheDefaultAndHoldsNothing() throws Exception {
    harness.apply("/operator/policy-enforce.yaml");
    start(null);
    remediateBoth();
    assertThat(policy().getMetadata().getFinalizers()).isNullOrEmpty();
    client.resources(NonRootPolicy.class).withName("baseline").delete();
    await().atMost(Duration.ofSeconds(10)).until(() -> policy() == null);
    harness.requests.clear();
    // The changes stay, and nothing restores them.
    await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> true);
    assertThat(deployment("api").getMetadata().getAnnotations()).containsKey(Annotations.CHANGES);
    assertThat(targetPort()).isEqualTo(8080);
    assertThat(harness.requests.count(RequestLog.Request::isWrite)).isZero();
  }

  @Test
  void aDeletionWhoseRestoresDoNotFinishGoesAfterOnDeleteTimeoutWithAWarning() throws Exception {
    harness.apply("/operator/policy-revert.yaml");
    harness.editPolicy(
        "baseline",
        p -> {
          p.getSpec().setOnDeleteTimeout("10m");
          // The restores' own rollouts stay in time: only the deletion's deadline passes.
          p.getSpec().setRollout(new RolloutSpec());
          p.getSpec().getRollout().setTimeout("1h");
          return p;
        });
    MutableClock clock = new MutableClock(Instant.now());
    start(clock);
    remediateBoth();
    client.resources(NonRootPolicy.class).withName("baseline").delete();
    inPhase("intranet", Phase.Restoring);
    inPhase("api", Phase.Restoring);
    // No controller acts on the restores; the deadline passes.
    assertThat(policy()).isNotNull();
    clock.advance(Duration.ofMinutes(11));
    harness.editPolicy(
        "baseline",
        p -> {
          p.getMetadata().setLabels(Map.of("poke", "1"));
          return p;
        });
    await().atMost(Duration.ofSeconds(30)).until(() -> policy() == null);
    List<Event> timedOut =
        eventually(() -> events("default", "RestoreTimedOut"), l -> !l.isEmpty());
    assertThat(timedOut).hasSize(1);
    assertThat(timedOut.get(0).getType()).isEqualTo("Warning");
    assertThat(timedOut.get(0).getMessage()).contains("2 workload(s)");
  }

  private void maxConcurrent(int max) {
    harness.editPolicy(
        "baseline",
        p -> {
          p.getSpec().setRollout(new RolloutSpec());
          p.getSpec().getRollout().setMaxConcurrent(max);
          return p;
        });
  }

  /** A copy of intranet named {@code name}, with its own pods. */
  private void copyOfIntranet(String name) {
    Deployment copy =
        new DeploymentBuilder(deployment("intranet"))
            .editMetadata()
            .withName(name)
            .withUid(null)
            .withResourceVersion(null)
            .endMetadata()
            .editSpec()
            .editSelector()
            .withMatchLabels(Map.of("app", name))
            .endSelector()
            .editTemplate()
            .editMetadata()
            .withLabels(Map.of("app", name))
            .endMetadata()
            .endTemplate()
            .endSpec()
            .build();
    client.apps().deployments().inNamespace("web").resource(copy).create();
  }

  /**
   * rollout.maxConcurrent 1 and six workloads to restore: each waits in line and gets its turn when
   * the restore before it has rolled out. Looking again must not send a workload to the back of the
   * line: then none of five waiting would ever be first.
   */
  @Test
  void restoresWaitingForTheRolloutBudgetEachGetTheirTurn() throws Exception {
    List<String> names = List.of("intranet", "api", "docs", "blog", "wiki", "shop");
    for (String name : names.subList(2, names.size())) copyOfIntranet(name);
    harness.apply("/operator/policy-revert.yaml");
    maxConcurrent(0);
    start(null);
    for (String name : names) inPhase(name, Phase.RollingOut);
    // Their rollouts are over (no pods here to verify them: the state is taken off by hand).
    for (String name : names) {
      OperatorHarness.onConflictAgain(
          () ->
              client
                  .apps()
                  .deployments()
                  .inNamespace("web")
                  .withName(name)
                  .edit(
                      d -> {
                        d.getMetadata().getAnnotations().remove(Annotations.ROLLOUT);
                        return d;
                      }));
    }
    maxConcurrent(1);
    harness.settledStatus("baseline", s -> s.getRollingOut() == 0);

    client.resources(NonRootPolicy.class).withName("baseline").delete();

    Set<String> restored = new HashSet<>();
    while (restored.size() < names.size()) {
      List<String> restoring =
          eventually(
              () ->
                  names.stream()
                      .filter(n -> !restored.contains(n))
                      .filter(
                          n ->
                              rollout(deployment(n)).map(RolloutState::phase).orElse(null)
                                  == Phase.Restoring)
                      .toList(),
              l -> !l.isEmpty());
      assertThat(restoring).hasSize(1);
      String name = restoring.get(0);
      harness.deploymentObserved("web", name, 1);
      eventually(() -> deployment(name), d -> rollout(d).isEmpty());
      restored.add(name);
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> policy() == null);
    for (String name : names) untouched(deployment(name));
  }

  /**
   * Someone else's write to the Service races the restore (a 409 on its patch): the workload is
   * already back on its own port, so the Service must follow before the restore ends, or it sends
   * the traffic to the moved port no pod listens on any more, for good.
   */
  @Test
  void aServiceWhoseRestoreLostARaceIsRestoredOnALaterLook() throws Exception {
    harness.apply("/operator/policy-revert.yaml");
    start(null);
    remediateBoth();
    server
        .expect()
        .patch()
        .withPath("/api/v1/namespaces/web/services/api?fieldManager=nonroot-operator")
        .andReturn(409, new StatusBuilder().withCode(409).withReason("Conflict").build())
        .once();

    client.resources(NonRootPolicy.class).withName("baseline").delete();

    Deployment api = inPhase("api", Phase.Restoring);
    assertThat(templateHash(api)).isEqualTo(originalApi);
    harness.deploymentObserved("web", "api", 1);
    eventually(() -> deployment("api"), d -> rollout(d).isEmpty());
    assertThat(targetPort()).isEqualTo(80);
  }
}
