package dev.nonroot.operator;

import static dev.nonroot.operator.OperatorHarness.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.nonroot.api.Annotations;
import dev.nonroot.api.NonRootPolicyStatus;
import dev.nonroot.engine.rollout.RolloutState;
import dev.nonroot.engine.rollout.RolloutState.Phase;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The operator follows the rollouts its patches start, on the CRUD mock, with this test playing the
 * Deployment controller and the kubelet: it writes the Deployment's status and the rollout's pods,
 * as they would.
 */
class RolloutFollowingTest extends OperatorTestBase {
  private static final String INTRANET = "/apis/apps/v1/namespaces/web/deployments/intranet";
  private static final String API = "/apis/apps/v1/namespaces/web/deployments/api";
  private static final String API_SVC = "/api/v1/namespaces/web/services/api";
  private static final String API2_SVC = "/api/v1/namespaces/web/services/api2";
  private static final String CRASH =
      "nginx: [emerg] mkdir() \"/var/cache/nginx/client_temp\" failed (13: Permission denied)";

  private PodTemplateSpec originalIntranet;
  private PodTemplateSpec originalApi;

  @BeforeEach
  void setUp() throws Exception {
    harness.apply("/operator/rollout/workloads.yaml");
    originalIntranet = deployment("intranet").getSpec().getTemplate();
    originalApi = deployment("api").getSpec().getTemplate();
    harness.apply("/operator/policy-enforce.yaml");
  }

  private void start() {
    harness.start(
        NonRootOperator.Settings.defaults()
            .withResyncPeriod(Duration.ofSeconds(30))
            .withPatchesPerSecond(0)
            .withRolloutPoll(Duration.ofMillis(200)));
  }

  private Deployment deployment(String name) {
    return client.apps().deployments().inNamespace("web").withName(name).get();
  }

  private static Optional<RolloutState> rollout(Deployment d) {
    Map<String, String> a = d.getMetadata().getAnnotations();
    return RolloutState.parse(a == null ? null : a.get(Annotations.ROLLOUT));
  }

  /** The rollout the operator started on {@code name}, once it has: attempt {@code attempt}. */
  private RolloutState rollingOut(String name, int attempt) {
    Deployment d =
        eventually(
            () -> deployment(name),
            x ->
                rollout(x)
                    .filter(r -> r.phase() == Phase.RollingOut && r.attempt() == attempt)
                    .isPresent());
    return rollout(d).orElseThrow();
  }

  private RolloutState ended(String name, Phase phase, int attempt) {
    Deployment d =
        eventually(
            () -> deployment(name),
            x -> rollout(x).filter(r -> r.phase() == phase && r.attempt() == attempt).isPresent());
    return rollout(d).orElseThrow();
  }

  /** The Deployment controller saw the new template; {@code available} of 1 replicas are up. */
  private void controllerObserved(String name, int available) {
    harness.deploymentObserved("web", name, available);
  }

  /** The kubelet's report of the rollout's pod: running as {@code uid}, or waiting. */
  private void pod(String app, RolloutState r, String waitingReason, String message, Long uid) {
    String name = app + "-" + r.label() + "-" + r.attempt();
    Map<String, Object> state =
        waitingReason == null
            ? Map.of("running", Map.of())
            : Map.of("waiting", Map.of("reason", waitingReason, "message", message));
    Map<String, Object> status =
        uid == null
            ? Map.of("name", "c", "ready", waitingReason == null, "state", state)
            : Map.of(
                "name",
                "c",
                "ready",
                true,
                "state",
                state,
                "user",
                Map.of("linux", Map.of("uid", uid, "gid", uid)));
    createPod(name, Map.of("app", app, Annotations.REMEDIATION_LABEL, r.label()), status);
  }

  /**
   * A pod in "web", as the kubelet reports it: one container "c" with {@code status} (null: none).
   */
  private void createPod(String name, Map<String, String> labels, Map<String, Object> status) {
    client
        .pods()
        .inNamespace("web")
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName(name)
                .withLabels(labels)
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("c")
                .withImage("x")
                .endContainer()
                .endSpec()
                .build())
        .create();
    if (status == null) return;
    // The server drops status on create, as a real one does: it is written apart.
    client
        .pods()
        .inNamespace("web")
        .withName(name)
        .editStatus(
            p -> {
              p.setStatus(
                  new PodStatusBuilder()
                      .withContainerStatuses(
                          client
                              .getKubernetesSerialization()
                              .convertValue(status, ContainerStatus.class))
                      .build());
              return p;
            });
  }

  private int targetPort(String service) {
    return client
        .services()
        .inNamespace("web")
        .withName(service)
        .get()
        .getSpec()
        .getPorts()
        .get(0)
        .getTargetPort()
        .getIntVal();
  }

  private List<Event> events(String reason) {
    return client.v1().events().inNamespace("web").list().getItems().stream()
        .filter(e -> reason.equals(e.getReason()))
        .toList();
  }

  @Test
  void aFailedRolloutIsRevertedInOneWriteWithItsEvidenceAndNotAppliedAgain() {
    start();
    RolloutState r = rollingOut("intranet", 1);
    assertThat(deployment("intranet").getSpec().getTemplate().getMetadata().getLabels())
        .containsEntry(Annotations.REMEDIATION_LABEL, r.label());

    controllerObserved("intranet", 0);
    pod("intranet", r, "CrashLoopBackOff", CRASH, null);

    RolloutState reverted = ended("intranet", Phase.Reverted, 1);
    assertThat(reverted.reason()).isEqualTo("CrashLoopBackOff");
    assertThat(reverted.message()).contains("Permission denied");
    assertThat(reverted.hint()).contains("nginxinc/nginx-unprivileged");
    // Exactly the template the user wrote: the old ReplicaSet comes back.
    assertThat(deployment("intranet").getSpec().getTemplate()).isEqualTo(originalIntranet);
    assertThat(harness.requests.writesTo(INTRANET)).isEqualTo(2);
    // The Event follows the write that ended the rollout.
    assertThat(eventually(() -> events("RemediationReverted"), l -> !l.isEmpty()))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getType()).isEqualTo("Warning");
              assertThat(e.getMessage()).contains("CrashLoopBackOff", "nginx-unprivileged");
            });
    NonRootPolicyStatus status =
        harness.settledStatus("baseline", s -> s.getReverted() == 1 && s.getRollingOut() == 1);
    assertThat(status.getViolating())
        .anySatisfy(
            v -> {
              assertThat(v.getName()).isEqualTo("intranet");
              assertThat(v.getState()).isEqualTo("Reverted");
              assertThat(v.getReason()).contains("Permission denied", "not applied again");
            });
    assertThat(status.getWorkloadChanges())
        .filteredOn(c -> c.getName().equals("intranet"))
        .isNotEmpty()
        .allSatisfy(c -> assertThat(c.getAction()).isEqualTo("Reverted"));

    // Not re-applied to the same template, through resyncs and status churn.
    controllerObserved("intranet", 1);
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(5))
        .until(() -> harness.requests.writesTo(INTRANET) == 2);

    // A new template from the user re-arms it.
    OperatorHarness.onConflictAgain(
        () ->
            client
                .apps()
                .deployments()
                .inNamespace("web")
                .withName("intranet")
                .edit(
                    d -> {
                      d.getSpec()
                          .getTemplate()
                          .getSpec()
                          .getContainers()
                          .get(0)
                          .setImage("nginx:1.28");
                      return d;
                    }));
    assertThat(rollingOut("intranet", 1).label()).isNotEqualTo(r.label());
  }

  @Test
  void aRolloutWhosePodsReportANonZeroUidIsVerified() {
    start();
    RolloutState r = rollingOut("intranet", 1);
    // As on a cluster: the pods are ready before the controller counts them available.
    pod("intranet", r, null, null, 65532L);
    controllerObserved("intranet", 1);

    RolloutState verified = ended("intranet", Phase.Verified, 1);
    assertThat(verified.uids()).containsEntry("c", 65532L);
    // The Event follows the write that ended the rollout.
    assertThat(eventually(() -> events("RolloutVerified"), l -> !l.isEmpty())).hasSize(1);
    assertThat(harness.requests.writesTo(INTRANET)).isEqualTo(2);
    NonRootPolicyStatus status = harness.settledStatus("baseline", s -> s.getVerified() == 1);
    assertThat(status.getReverted()).isZero();
  }

  @Test
  void movedPortsThatCrashAreRetriedOnceWithTheSysctlAndThenHeld() {
    start();
    RolloutState first = rollingOut("api", 1);
    assertThat(first.movedPorts()).isTrue();
    eventually(() -> targetPort("api"), p -> p == 8080);
    controllerObserved("api", 0);
    pod("api", first, "CrashLoopBackOff", "listen tcp :8080: address in use", null);

    // The revert puts the Service back too, then the rescue keeps port 80 with the sysctl.
    RolloutState rescue = rollingOut("api", 2);
    assertThat(rescue.strategy()).isEqualTo("Sysctl");
    Deployment api = deployment("api");
    var spec = api.getSpec().getTemplate().getSpec();
    assertThat(spec.getContainers().get(0).getPorts().get(0).getContainerPort()).isEqualTo(80);
    assertThat(spec.getSecurityContext().getSysctls())
        .anySatisfy(s -> assertThat(s.getName()).isEqualTo("net.ipv4.ip_unprivileged_port_start"));
    assertThat(targetPort("api")).isEqualTo(80);

    controllerObserved("api", 0);
    pod("api", rescue, "CrashLoopBackOff", "permission denied", null);
    ended("api", Phase.Reverted, 2);
    assertThat(deployment("api").getSpec().getTemplate()).isEqualTo(originalApi);
    // Patch, revert, rescue, revert: and then nothing more.
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(5))
        .until(() -> harness.requests.writesTo(API) == 4);
    assertThat(harness.requests.writesTo(API_SVC)).isEqualTo(2);
  }

  @Test
  void podsAreListedOnlyForFollowedRolloutsAndNeverWatched() {
    for (int i = 0; i < 20; i++) createPod("other-" + i, Map.of("app", "other"), null);
    start();
    RolloutState r = rollingOut("intranet", 1);
    pod("intranet", r, null, null, 65532L);
    controllerObserved("intranet", 1);
    ended("intranet", Phase.Verified, 1);

    var podRequests = harness.requests.matching(q -> q.path().endsWith("/pods"));
    assertThat(podRequests).isNotEmpty();
    // The rollout's pods by its label; before a patch, a few of the workload's own for its uid.
    assertThat(podRequests)
        .allSatisfy(
            q -> {
              assertThat(q.isWatch()).isFalse();
              assertThat(q.query()).containsAnyOf(Annotations.REMEDIATION_LABEL, "limit=5");
              assertThat(q.query()).doesNotContain("app%3Dother", "app=other");
            });
  }

  /**
   * A pod of the workload as it runs before the operator touches it, and the workload's status as
   * its controller reports that pod.
   */
  private void runningPod(String app, long uid) {
    controllerObserved(app, 1);
    createPod(
        app + "-before",
        Map.of("app", app),
        Map.of(
            "name",
            app.equals("api") ? "httpbin" : "nginx",
            "ready",
            true,
            "user",
            Map.of("linux", Map.of("uid", uid))));
  }

  @Test
  void theUidTheImageAlreadyRunsAsIsKeptAndRootIsReplaced() {
    runningPod("intranet", 999);
    runningPod("api", 0);
    start();
    rollingOut("intranet", 1);
    rollingOut("api", 1);

    var intranet = deployment("intranet").getSpec().getTemplate().getSpec().getSecurityContext();
    assertThat(intranet.getRunAsUser()).isEqualTo(999L);
    assertThat(deployment("intranet").getMetadata().getAnnotations().get(Annotations.CHANGES))
        .contains("\"rule\":\"ImageUser\"");
    var api = deployment("api").getSpec().getTemplate().getSpec().getSecurityContext();
    assertThat(api.getRunAsUser()).isEqualTo(65532L);
  }

  /**
   * A workload no controller has reported on yet (the usual case: it was just created) runs no pod
   * whose uid could be kept, so its patch costs no pod LIST; the policy's uid applies.
   */
  @Test
  void aWorkloadWithoutStatusIsPatchedWithoutListingItsPods() {
    createPod(
        "intranet-leftover",
        Map.of("app", "intranet"),
        Map.of("name", "nginx", "ready", true, "user", Map.of("linux", Map.of("uid", 999L))));
    start();
    rollingOut("intranet", 1);
    rollingOut("api", 1);

    assertThat(
            harness.requests.matching(
                q ->
                    q.path().endsWith("/pods")
                        && q.query() != null
                        && q.query().contains("limit=5")))
        .isEmpty();
    var intranet = deployment("intranet").getSpec().getTemplate().getSpec().getSecurityContext();
    assertThat(intranet.getRunAsUser()).isEqualTo(65532L);
  }

  @Test
  void aRestartedOperatorResumesFollowingTheRollout() {
    start();
    RolloutState r = rollingOut("intranet", 1);
    harness.stop();

    controllerObserved("intranet", 0);
    pod(
        "intranet",
        r,
        "CreateContainerConfigError",
        "container has runAsNonRoot and image will run as root",
        null);
    start();

    RolloutState reverted = ended("intranet", Phase.Reverted, 1);
    assertThat(reverted.reason()).isEqualTo("CreateContainerConfigError");
    assertThat(deployment("intranet").getSpec().getTemplate()).isEqualTo(originalIntranet);
  }

  @Test
  void podsNotReadyWithinTheTimeoutAreAFailure() {
    MutableClock clock = new MutableClock(Instant.parse("2026-12-02T10:00:00Z"));
    harness.start(
        NonRootOperator.Settings.defaults()
            .withResyncPeriod(Duration.ofSeconds(30))
            .withPatchesPerSecond(0)
            .withRolloutPoll(Duration.ofMillis(200))
            .withClock(clock));
    RolloutState r = rollingOut("intranet", 1);
    controllerObserved("intranet", 0);
    pod("intranet", r, "ContainerCreating", "", null);
    await()
        .during(Duration.ofMillis(600))
        .atMost(Duration.ofSeconds(3))
        .until(() -> rollout(deployment("intranet")).orElseThrow().phase() == Phase.RollingOut);

    clock.advance(Duration.ofMinutes(5));

    RolloutState failed = ended("intranet", Phase.Reverted, 1);
    assertThat(failed.reason()).isEqualTo("Timeout");
    assertThat(failed.message())
        .startsWith("not ready within 5m: 0 of 1 updated replicas available");
  }

  /**
   * Record entries are told apart by policy and time, in whole seconds: two workloads of one
   * namespace patched in the same second by the same policy have Service entries of the same time.
   * The revert of one must put back only the Services of its own pods, never the other's: that
   * one's pods listen on 8080 and its Service would send them nothing.
   */
  @Test
  void aRevertPutsBackOnlyTheServicesOfItsOwnPods() throws Exception {
    harness.apply("/operator/rollout/second-api.yaml");
    MutableClock frozen = new MutableClock(Instant.parse("2026-12-02T10:00:00Z"));
    harness.start(
        NonRootOperator.Settings.defaults()
            .withResyncPeriod(Duration.ofSeconds(30))
            .withPatchesPerSecond(0)
            .withRolloutPoll(Duration.ofMillis(200))
            .withClock(frozen));
    RolloutState first = rollingOut("api", 1);
    RolloutState second = rollingOut("api2", 1);
    assertThat(second.started()).isEqualTo(first.started());
    eventually(() -> targetPort("api2"), p -> p == 8080);

    controllerObserved("api", 0);
    pod("api", first, "CrashLoopBackOff", "listen tcp :8080: address in use", null);
    rollingOut("api", 2);

    assertThat(targetPort("api")).isEqualTo(80);
    // Not put back and moved again a moment later (a window in which api2's Service sent its
    // traffic to a port no pod listens on): api2's Service was written once, by its own patch.
    await()
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(3))
        .until(() -> harness.requests.writesTo(API2_SVC) == 1);
    assertThat(targetPort("api2")).isEqualTo(8080);
    assertThat(
            deployment("api2")
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0)
                .getPorts()
                .get(0)
                .getContainerPort())
        .isEqualTo(8080);
  }

  /**
   * A rollout whose pod label someone replaced (kubectl replace, an edit) is nobody's to follow:
   * the status must not count it as rolling out for ever.
   */
  @Test
  void aRolloutWhoseLabelWasReplacedIsNotCountedAsRollingOut() {
    start();
    rollingOut("intranet", 1);
    rollingOut("api", 1);
    harness.settledStatus("baseline", s -> s.getRollingOut() == 2);

    OperatorHarness.onConflictAgain(
        () ->
            client
                .apps()
                .deployments()
                .inNamespace("web")
                .withName("intranet")
                .edit(
                    d -> {
                      d.getSpec()
                          .getTemplate()
                          .getMetadata()
                          .getLabels()
                          .remove(Annotations.REMEDIATION_LABEL);
                      return d;
                    }));

    assertThat(harness.settledStatus("baseline", s -> s.getRollingOut() == 1).getRollingOut())
        .isEqualTo(1);
  }

  /**
   * Kubernetes' "forced rollback": a StatefulSet (OrderedReady, the default) whose updated pod
   * never becomes Ready keeps waiting for that pod after its template is reverted; the docs say the
   * broken pods must then be deleted. The operator may not delete pods (least privilege: pods list
   * and watch), so the Event and the rollout state name the pod a person must delete, and how.
   */
  @Test
  void aRevertedStatefulSetNamesTheBrokenPodToDelete() throws Exception {
    client
        .apps()
        .statefulSets()
        .inNamespace("web")
        .resource(
            client
                .getKubernetesSerialization()
                .unmarshal(
                    """
                    apiVersion: apps/v1
                    kind: StatefulSet
                    metadata: {name: db, namespace: web, generation: 1}
                    spec:
                      replicas: 1
                      serviceName: db
                      selector: {matchLabels: {app: db}}
                      template:
                        metadata: {labels: {app: db}}
                        spec:
                          containers:
                          - {name: db, image: "nginx:1.27"}
                    """,
                    StatefulSet.class))
        .create();
    start();
    StatefulSet db =
        eventually(
            () -> client.apps().statefulSets().inNamespace("web").withName("db").get(),
            x ->
                x.getMetadata().getAnnotations() != null
                    && x.getMetadata().getAnnotations().containsKey(Annotations.ROLLOUT));
    RolloutState r =
        RolloutState.parse(db.getMetadata().getAnnotations().get(Annotations.ROLLOUT))
            .orElseThrow();
    client
        .apps()
        .statefulSets()
        .inNamespace("web")
        .withName("db")
        .editStatus(
            x -> {
              x.setStatus(
                  new StatefulSetStatusBuilder()
                      .withObservedGeneration(x.getMetadata().getGeneration())
                      .withReplicas(1)
                      .withCurrentRevision("db-1")
                      .withUpdateRevision("db-2")
                      .build());
              return x;
            });
    pod("db", r, "CrashLoopBackOff", CRASH, null);

    eventually(
        () -> client.apps().statefulSets().inNamespace("web").withName("db").get(),
        x -> x.getMetadata().getAnnotations().get(Annotations.ROLLOUT).contains("Reverted"));
    String delete = "delete pod db-" + r.label() + "-" + r.attempt();
    String command = "kubectl delete pod -n web db-" + r.label() + "-" + r.attempt();
    List<Event> reverted = eventually(() -> events("RemediationReverted"), l -> !l.isEmpty());
    assertThat(reverted.get(0).getMessage()).contains("forced rollback", delete, command);
    StatefulSet after = client.apps().statefulSets().inNamespace("web").withName("db").get();
    assertThat(after.getMetadata().getAnnotations().get(Annotations.ROLLOUT))
        .contains("forced rollback", command);
  }

  /**
   * An operator upgraded without its ClusterRole (no pods: list), or a cluster that forbids it: the
   * rollout's pods cannot be read. Following must still end (shown Unverified with the reason),
   * neither reverting a change it could not judge nor staying RollingOut for ever: a rollout that
   * never ends holds a slot of the rollout budget, and maxConcurrent of them stop the policy.
   */
  @Test
  void aRolloutWhosePodsCannotBeListedEndsUnverified() {
    start();
    RolloutState r = rollingOut("intranet", 1);
    server
        .expect()
        .get()
        .withPath(
            "/api/v1/namespaces/web/pods?labelSelector=nonroot.dev%2Fremediation%3D"
                + r.label()
                + "&limit=50")
        .andReturn(
            403,
            new StatusBuilder()
                .withCode(403)
                .withReason("Forbidden")
                .withMessage("pods is forbidden: cannot list resource \"pods\"")
                .build())
        .always();

    controllerObserved("intranet", 0);

    RolloutState ended = ended("intranet", Phase.Unverified, 1);
    assertThat(ended.reason()).isEqualTo("PodsUnreadable");
    assertThat(ended.message()).contains("403");
    assertThat(deployment("intranet").getSpec().getTemplate().getSpec().getSecurityContext())
        .isNotNull();
  }

  /**
   * The workload's patch was accepted and its Service's was refused (a conflict: a load-balancer
   * controller wrote the Service a moment before); the Service moves on the retry, a second or more
   * later, with the time of the retry. When the rollout fails, the revert must put that Service
   * back too: the old pods listen on 80, and a Service left on 8080 sends them nothing, for good
   * (the remediation is held, nothing moves it again).
   */
  @Test
  void aServiceMovedOnARetryIsPutBackByTheRevert() {
    server
        .expect()
        .patch()
        .withPath(API_SVC + "?fieldManager=nonroot-operator")
        .andReturn(
            409,
            new StatusBuilder().withCode(409).withReason("Conflict").withMessage("stale").build())
        .once();
    MutableClock clock = new MutableClock(Instant.parse("2026-12-02T10:00:00Z"));
    harness.start(
        NonRootOperator.Settings.defaults()
            .withResyncPeriod(Duration.ofSeconds(30))
            .withPatchesPerSecond(0)
            .withRolloutPoll(Duration.ofMillis(200))
            .withClock(clock));
    RolloutState r = rollingOut("api", 1);
    eventually(() -> harness.requests.writesTo(API_SVC), n -> n >= 1);
    clock.advance(Duration.ofSeconds(5));
    eventually(() -> targetPort("api"), p -> p == 8080);

    controllerObserved("api", 0);
    pod("api", r, "CrashLoopBackOff", "listen tcp :8080: address in use", null);
    rollingOut("api", 2);

    assertThat(targetPort("api")).isEqualTo(80);
  }
}
