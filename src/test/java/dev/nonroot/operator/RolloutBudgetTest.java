package dev.nonroot.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.nonroot.api.Annotations;
import dev.nonroot.api.NonRootPolicy;
import dev.nonroot.api.NonRootPolicySpec;
import dev.nonroot.api.RolloutSpec;
import dev.nonroot.engine.rollout.RolloutState;
import dev.nonroot.engine.rollout.RolloutState.Phase;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * spec.rollout.maxConcurrent on the CRUD mock, with this test playing the Deployment controller and
 * the kubelet for every rollout the operator starts: a policy that matches 200 Deployments at once
 * never has more than its budget rolling out, and all of them end verified.
 */
class RolloutBudgetTest extends OperatorTestBase {
  private static final int WORKLOADS = 200;
  private static final int MAX = 5;

  private static Optional<RolloutState> rollout(Deployment d) {
    Map<String, String> a = d.getMetadata().getAnnotations();
    return RolloutState.parse(a == null ? null : a.get(Annotations.ROLLOUT));
  }

  @Test
  void neverMoreThanMaxConcurrentRollOutAtOnce() {
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName("fleet").endMetadata().build())
        .create();
    for (int i = 0; i < WORKLOADS; i++) {
      String name = "app-" + i;
      client
          .apps()
          .deployments()
          .inNamespace("fleet")
          .resource(
              new DeploymentBuilder()
                  .withNewMetadata()
                  .withName(name)
                  .endMetadata()
                  .withNewSpec()
                  .withReplicas(1)
                  .withNewSelector()
                  .addToMatchLabels("app", name)
                  .endSelector()
                  .withNewTemplate()
                  .withNewMetadata()
                  .addToLabels("app", name)
                  .endMetadata()
                  .withNewSpec()
                  .addNewContainer()
                  .withName("app")
                  .withImage("busybox")
                  .endContainer()
                  .endSpec()
                  .endTemplate()
                  .endSpec()
                  .build())
          .create();
    }
    NonRootPolicy policy = new NonRootPolicy();
    policy.getMetadata().setName("baseline");
    NonRootPolicySpec spec = new NonRootPolicySpec();
    RolloutSpec rollout = new RolloutSpec();
    rollout.setMaxConcurrent(MAX);
    spec.setRollout(rollout);
    policy.setSpec(spec);
    client.resources(NonRootPolicy.class).resource(policy).create();
    harness.start(
        NonRootOperator.Settings.defaults()
            .withResyncPeriod(Duration.ofMinutes(10))
            .withPatchesPerSecond(0)
            .withRolloutPoll(Duration.ofMillis(100)));

    AtomicInteger most = new AtomicInteger();
    AtomicInteger sawPending = new AtomicInteger();
    Set<String> served = new HashSet<>();
    await()
        .atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> {
              int rolling = 0;
              int verified = 0;
              for (Deployment d :
                  client.apps().deployments().inNamespace("fleet").list().getItems()) {
                Optional<RolloutState> r = rollout(d);
                if (r.isEmpty()) continue;
                if (r.get().phase() == Phase.Verified) verified++;
                if (r.get().phase() != Phase.RollingOut) continue;
                rolling++;
                if (served.add(r.get().label())) complete(d, r.get());
              }
              most.accumulateAndGet(rolling, Math::max);
              var status = harness.policy("baseline").getStatus();
              if (status != null && status.getPending() > 0) sawPending.incrementAndGet();
              return verified == WORKLOADS;
            });

    assertThat(most.get()).isPositive().isLessThanOrEqualTo(MAX);
    assertThat(sawPending.get()).as("the status showed workloads waiting").isPositive();
    assertThat(harness.settledStatus("baseline", s -> s.getVerified() == WORKLOADS).getPending())
        .isZero();
  }

  /** The controller and the kubelet: the new pod runs as 65532, then the Deployment is done. */
  private void complete(Deployment d, RolloutState r) {
    String name = d.getMetadata().getName() + "-" + r.label();
    client
        .pods()
        .inNamespace("fleet")
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName(name)
                .withLabels(Map.of(Annotations.REMEDIATION_LABEL, r.label()))
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("app")
                .withImage("busybox")
                .endContainer()
                .endSpec()
                .withStatus(
                    new PodStatusBuilder()
                        .withContainerStatuses(
                            client
                                .getKubernetesSerialization()
                                .convertValue(
                                    Map.of(
                                        "name",
                                        "app",
                                        "ready",
                                        true,
                                        "user",
                                        Map.of("linux", Map.of("uid", 65532))),
                                    ContainerStatus.class))
                        .build())
                .build())
        .create();
    client
        .apps()
        .deployments()
        .inNamespace("fleet")
        .withName(d.getMetadata().getName())
        .editStatus(
            x -> {
              x.setStatus(
                  new DeploymentStatusBuilder()
                      .withObservedGeneration(x.getMetadata().getGeneration())
                      .withReplicas(1)
                      .withUpdatedReplicas(1)
                      .withAvailableReplicas(1)
                      .withReadyReplicas(1)
                      .build());
              return x;
            });
  }

  private void namespace() {
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName("fleet").endMetadata().build())
        .create();
  }

  /** A Deployment that runs as root with the defaults. */
  private void deploymentNamed(String name) {
    client
        .apps()
        .deployments()
        .inNamespace("fleet")
        .resource(
            new DeploymentBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .withNewSpec()
                .withReplicas(1)
                .withNewSelector()
                .addToMatchLabels("app", name)
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .addToLabels("app", name)
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("app")
                .withImage("busybox")
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build())
        .create();
  }

  private void policyWithBudget(int max) {
    NonRootPolicy policy = new NonRootPolicy();
    policy.getMetadata().setName("baseline");
    NonRootPolicySpec spec = new NonRootPolicySpec();
    RolloutSpec rollout = new RolloutSpec();
    rollout.setMaxConcurrent(max);
    spec.setRollout(rollout);
    policy.setSpec(spec);
    client.resources(NonRootPolicy.class).resource(policy).create();
  }

  private Deployment fleet(String name) {
    return client.apps().deployments().inNamespace("fleet").withName(name).get();
  }

  private Optional<RolloutState> rolloutOf(String name) {
    return rollout(fleet(name));
  }

  /** Whether the policy status shows {@code name} waiting for the rollout budget. */
  private boolean waitingInLine(String name) {
    var status = harness.policy("baseline").getStatus();
    return status != null
        && status.getViolating() != null
        && status.getViolating().stream()
            .anyMatch(
                v ->
                    v.getName().equals(name)
                        && v.getReason() != null
                        && v.getReason().contains("waiting for the rollout budget"));
  }

  /**
   * A workload that waited in line and then no longer needs a patch (exempted, fixed by its owner,
   * moved to another policy) leaves the line: it held a place in it for ever, so everyone behind it
   * waited one slot longer, and once maxConcurrent such places gathered at the head the policy
   * never rolled anything out again.
   */
  @Test
  void aWorkloadThatStopsWaitingLeavesTheLine() {
    namespace();
    deploymentNamed("a");
    policyWithBudget(1);
    harness.start(
        NonRootOperator.Settings.defaults()
            .withResyncPeriod(Duration.ofMinutes(10))
            .withPatchesPerSecond(0)
            .withRolloutPoll(Duration.ofMillis(100)));
    RolloutState a =
        OperatorHarness.eventually(() -> rolloutOf("a"), Optional::isPresent).orElseThrow();
    deploymentNamed("b");
    await().atMost(Duration.ofSeconds(30)).until(() -> waitingInLine("b"));
    deploymentNamed("c");
    await().atMost(Duration.ofSeconds(30)).until(() -> waitingInLine("c"));

    OperatorHarness.onConflictAgain(
        () ->
            client
                .apps()
                .deployments()
                .inNamespace("fleet")
                .withName("b")
                .edit(
                    d -> {
                      d.getMetadata().setAnnotations(Map.of(Annotations.EXEMPT, "true"));
                      return d;
                    }));
    await().atMost(Duration.ofSeconds(30)).until(() -> !waitingInLine("b"));
    complete(fleet("a"), a);

    await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> rolloutOf("c").filter(r -> r.phase() == Phase.RollingOut).isPresent());
    assertThat(rolloutOf("b")).isEmpty();
  }

  /**
   * The uid a workload's image runs as is needed only for the patch it will make once its turn
   * comes. Listing its pods on every look while it waited (then decided again every --rollout-poll)
   * sent one LIST per waiting workload per poll: with a policy newly matching 1,000 Deployments,
   * about 100 pod LISTs a second for as long as the line lasted.
   */
  @Test
  void workloadsWaitingForTheBudgetDoNotListPodsOnEveryLook() {
    namespace();
    for (int i = 0; i < 6; i++) deploymentNamed("w-" + i);
    policyWithBudget(1);
    harness.start(
        NonRootOperator.Settings.defaults()
            .withResyncPeriod(Duration.ofMinutes(10))
            .withPatchesPerSecond(0)
            .withRolloutPoll(Duration.ofMillis(100)));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> IntStream.range(0, 6).filter(i -> waitingInLine("w-" + i)).count() == 5);
    long before = podLists();

    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(4))
        .until(() -> podLists() - before <= 2);
  }

  private long podLists() {
    return harness.requests.count(
        q -> q.path().endsWith("/pods") && q.query() != null && q.query().contains("limit=5"));
  }

  /**
   * Only the head of the line can start when a slot frees: a workload far back looks again less
   * often. Deciding every waiting workload every --rollout-poll cost 1,000 engine decisions a
   * second for 10,000 waiting workloads, for the hours the line takes to drain; the budget now
   * wakes the head of the line when a slot frees, and nobody is decided on a timer meanwhile.
   */
  @Test
  void workloadsFarBackInTheLineAreDecidedLessOften() {
    namespace();
    int n = 30;
    for (int i = 0; i < n; i++) deploymentNamed("w-" + i);
    policyWithBudget(1);
    harness.start(
        NonRootOperator.Settings.defaults()
            .withResyncPeriod(Duration.ofMinutes(10))
            .withPatchesPerSecond(0)
            .withRolloutPoll(Duration.ofMillis(100)));
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              var status = harness.policy("baseline").getStatus();
              return status != null && status.getPending() == n - 1;
            });
    long before = harness.metrics().get(OperatorMetrics.EVALUATIONS);

    // Every 100 ms each of the 29 would be 580 decisions in 2 s.
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(4))
        .until(() -> harness.metrics().get(OperatorMetrics.EVALUATIONS) - before < 200);
  }

  /**
   * A workload whose turn came and whose patch met a newer version (409: an HPA or the controller
   * wrote it a moment before, common on a busy Deployment) is decided again a second later, and
   * keeps its turn: it went to the back of the line, behind every workload that came after it.
   */
  @Test
  void aConflictAtItsTurnKeepsTheWorkloadsPlace() {
    namespace();
    deploymentNamed("a");
    policyWithBudget(1);
    server
        .expect()
        .patch()
        .withPath("/apis/apps/v1/namespaces/fleet/deployments/b?fieldManager=nonroot-operator")
        .andReturn(
            409,
            new StatusBuilder().withCode(409).withReason("Conflict").withMessage("stale").build())
        .once();
    harness.start(
        NonRootOperator.Settings.defaults()
            .withResyncPeriod(Duration.ofMinutes(10))
            .withPatchesPerSecond(0)
            .withRolloutPoll(Duration.ofMillis(100)));
    RolloutState a =
        OperatorHarness.eventually(() -> rolloutOf("a"), Optional::isPresent).orElseThrow();
    deploymentNamed("b");
    await().atMost(Duration.ofSeconds(30)).until(() -> waitingInLine("b"));
    deploymentNamed("c");
    await().atMost(Duration.ofSeconds(30)).until(() -> waitingInLine("c"));

    complete(fleet("a"), a);

    await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> rolloutOf("b").isPresent() || rolloutOf("c").isPresent());
    assertThat(rolloutOf("b")).isPresent();
    assertThat(rolloutOf("c")).isEmpty();
  }

  /** Turning the budget off (maxConcurrent 0) lets everyone waiting in line through. */
  @Test
  void turningTheBudgetOffLetsTheLineThrough() {
    namespace();
    deploymentNamed("a");
    policyWithBudget(1);
    harness.start(
        NonRootOperator.Settings.defaults()
            .withResyncPeriod(Duration.ofMinutes(10))
            .withPatchesPerSecond(0)
            .withRolloutPoll(Duration.ofMillis(100)));
    OperatorHarness.eventually(() -> rolloutOf("a"), Optional::isPresent);
    deploymentNamed("b");
    await().atMost(Duration.ofSeconds(30)).until(() -> waitingInLine("b"));

    harness.editPolicy(
        "baseline",
        p -> {
          p.getSpec().getRollout().setMaxConcurrent(0);
          return p;
        });

    await().atMost(Duration.ofSeconds(15)).until(() -> rolloutOf("b").isPresent());
  }
}
