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
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
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
}
