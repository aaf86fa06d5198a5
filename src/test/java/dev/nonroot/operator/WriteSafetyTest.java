package dev.nonroot.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.nonroot.api.NonRootPolicyStatus;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetList;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Writes happen in an order, and at moments, that never leave a workload worse off. */
class WriteSafetyTest extends OperatorTestBase {
  private static final String WEB = "/apis/apps/v1/namespaces/shop/deployments/web";
  private static final String APP = "/apis/apps/v1/namespaces/solo/deployments/app";

  @Test
  void aRefusedWorkloadPatchLeavesItsServiceAlone() throws Exception {
    harness.apply("/operator/shop.yaml");
    server
        .expect()
        .patch()
        .withPath(WEB + "?fieldManager=nonroot-operator")
        .andReturn(
            500, new StatusBuilder().withCode(500).withMessage("admission webhook says no").build())
        .always();
    harness.apply("/operator/policy-enforce.yaml");
    harness.start(Duration.ofSeconds(30));

    await().atMost(Duration.ofSeconds(30)).until(() -> harness.requests.writesTo(WEB) >= 1);
    await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> true);

    var svc = client.services().inNamespace("shop").withName("web").get();
    assertThat(svc.getSpec().getPorts().get(0).getTargetPort().getIntVal()).isEqualTo(80);
    assertThat(harness.requests.writesTo("/api/v1/namespaces/shop/services/web")).isZero();
  }

  @Test
  void aWorkloadBeingDeletedIsNotPatched() throws Exception {
    harness.apply("/operator/terminating.yaml");
    client.apps().deployments().inNamespace("term").withName("going").delete();
    harness.apply("/operator/policy-enforce.yaml");
    harness.start(Duration.ofMinutes(10));

    NonRootPolicyStatus status =
        harness.settledStatus("baseline", s -> s.getObservedGeneration() != null);

    assertThat(harness.requests.writesTo("/apis/apps/v1/namespaces/term/deployments/going"))
        .isZero();
    assertThat(status.getMatched()).isZero();
  }

  @Test
  void aConflictIsDecidedAgainWithoutWaitingForTheResync() throws Exception {
    harness.apply("/operator/solo.yaml");
    server
        .expect()
        .patch()
        .withPath(APP + "?fieldManager=nonroot-operator")
        .andReturn(
            409,
            new StatusBuilder().withCode(409).withReason("Conflict").withMessage("stale").build())
        .once();
    harness.apply("/operator/policy-enforce.yaml");
    harness.start(Duration.ofMinutes(10));
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> harness.metrics().get(OperatorMetrics.CONFLICTS) == 1);
    // What such a conflict is usually about: the deployment controller wrote status, an update
    // the operator's filter ignores.
    client
        .apps()
        .deployments()
        .inNamespace("solo")
        .withName("app")
        .editStatus(
            d -> {
              d.setStatus(
                  new DeploymentStatusBuilder().withObservedGeneration(1L).withReplicas(1).build());
              return d;
            });

    harness.settledStatus("baseline", s -> s.getRemediated() == 1 && s.getCompliant() == 1);
    assertThat(harness.requests.writesTo(APP)).isEqualTo(2);
  }

  @Test
  void aRestartWithASlowInformerWritesNoPartialStatus() throws Exception {
    harness.apply("/operator/shop.yaml");
    harness.apply("/operator/policy-enforce.yaml");
    harness.start(Duration.ofMinutes(10));
    NonRootPolicyStatus first =
        harness.settledStatus("baseline", s -> s.getRemediated() == 3 && s.getCompliant() == 3);
    List<String> lists = new ArrayList<>();
    harness
        .requests
        .matching(
            r -> r.method().equals("GET") && !r.isWatch() && r.path().contains("statefulsets"))
        .forEach(r -> lists.add(r.path() + (r.query() == null ? "" : "?" + r.query())));
    harness.stop();
    harness.requests.clear();

    // The StatefulSet informer's first list takes 4 s: the other caches are ready long before.
    StatefulSetList sts = client.apps().statefulSets().inAnyNamespace().list();
    server
        .expect()
        .get()
        .delay(4, TimeUnit.SECONDS)
        .withPath(lists.get(0))
        .andReply(200, req -> sts)
        .once();
    harness.start(Duration.ofMinutes(10));

    await().pollDelay(Duration.ofSeconds(6)).atMost(Duration.ofSeconds(7)).until(() -> true);
    assertThat(harness.policy("baseline").getStatus()).isEqualTo(first);
    assertThat(harness.metrics().get(OperatorMetrics.STATUS_WRITES)).isZero();
  }
}
