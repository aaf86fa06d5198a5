package dev.nonroot.operator;

import static dev.nonroot.operator.OperatorHarness.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.nonroot.api.Annotations;
import dev.nonroot.api.NonRootPolicy;
import dev.nonroot.api.RecordedChange;
import dev.nonroot.engine.model.FieldPath;
import dev.nonroot.engine.record.ChangeRecord;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EnforceModeTest extends OperatorTestBase {
  private static final String DEPLOY = "/apis/apps/v1/namespaces/shop/deployments/web";
  private static final String STS = "/apis/apps/v1/namespaces/shop/statefulsets/cache";
  private static final String DS = "/apis/apps/v1/namespaces/shop/daemonsets/agent";
  private static final String SVC = "/api/v1/namespaces/shop/services/web";

  @BeforeEach
  void setUp() throws Exception {
    harness.apply("/operator/shop.yaml");
    harness.apply("/operator/policy-enforce.yaml");
    harness.start(Duration.ofMillis(500));
  }

  private NonRootPolicy converged() {
    harness.settledStatus("baseline", s -> s.getRemediated() == 3 && s.getCompliant() == 3);
    return harness.policy("baseline");
  }

  @Test
  void patchesEveryKindAndRecordsTheChanges() {
    NonRootPolicy policy = converged();
    Deployment web = client.apps().deployments().inNamespace("shop").withName("web").get();
    var pod = web.getSpec().getTemplate().getSpec();
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(65532L);
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    var nginx = pod.getContainers().get(0);
    assertThat(nginx.getPorts().get(0).getContainerPort()).isEqualTo(8080);
    assertThat(nginx.getReadinessProbe().getHttpGet().getPort().getIntVal()).isEqualTo(8080);
    // The listen setting moved with the port, in the same patch.
    assertThat(nginx.getEnv().get(0).getValue()).isEqualTo("8080");
    assertThat(nginx.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(nginx.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(web.getMetadata().getAnnotations()).containsKey(Annotations.CHANGES);

    Service svc = client.services().inNamespace("shop").withName("web").get();
    assertThat(svc.getSpec().getPorts().get(0).getPort()).isEqualTo(80);
    assertThat(svc.getSpec().getPorts().get(0).getTargetPort().getIntVal()).isEqualTo(8080);

    DaemonSet agent = client.apps().daemonSets().inNamespace("shop").withName("agent").get();
    var agentCtx =
        agent.getSpec().getTemplate().getSpec().getContainers().get(0).getSecurityContext();
    assertThat(agentCtx.getPrivileged()).isFalse();
    assertThat(agentCtx.getRunAsUser()).isEqualTo(65532L);
    StatefulSet cache = client.apps().statefulSets().inNamespace("shop").withName("cache").get();
    assertThat(cache.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsNonRoot())
        .isTrue();

    var status = policy.getStatus();
    assertThat(status.getMatched()).isEqualTo(3);
    assertThat(status.getViolations()).isZero();
    assertThat(status.getObservedGeneration()).isEqualTo(policy.getMetadata().getGeneration());
    assertThat(status.getConditions())
        .anySatisfy(
            c -> {
              assertThat(c.getType()).isEqualTo("Ready");
              assertThat(c.getStatus()).isEqualTo("True");
              assertThat(c.getReason()).isEqualTo("Converged");
            });
    assertThat(status.getWorkloadChanges())
        .anySatisfy(
            c -> {
              assertThat(c.getKind()).isEqualTo("Deployment");
              assertThat(c.getName()).isEqualTo("web");
              assertThat(c.getContainer()).isEqualTo("nginx");
              assertThat(c.getField())
                  .isEqualTo("spec.template.spec.containers[nginx].ports[0].containerPort");
              assertThat(c.getFrom()).isEqualTo("80");
              assertThat(c.getTo()).isEqualTo("8080");
              assertThat(c.getAction()).isEqualTo("Patched");
            });
    assertThat(status.getWorkloadChanges())
        .anySatisfy(
            c -> {
              assertThat(c.getKind()).isEqualTo("Service");
              assertThat(c.getField()).isEqualTo("spec.ports[0].targetPort");
              assertThat(c.getTo()).isEqualTo("8080");
            });
    assertThat(status.getWorkloadChanges())
        .extracting(RecordedChange::getName)
        .contains("web", "cache", "agent");

    List<Event> events =
        eventually(
            () -> client.v1().events().inNamespace("shop").list().getItems(),
            l -> l.stream().filter(e -> e.getReason().equals("Remediated")).count() == 4);
    assertThat(events).allSatisfy(e -> assertThat(e.getType()).isEqualTo("Normal"));
  }

  @Test
  void writesOncePerObjectAndReadsOnlyFromCaches() {
    converged();
    assertThat(harness.requests.writesTo(DEPLOY)).isEqualTo(1);
    assertThat(harness.requests.writesTo(STS)).isEqualTo(1);
    assertThat(harness.requests.writesTo(DS)).isEqualTo(1);
    assertThat(harness.requests.writesTo(SVC)).isEqualTo(1);
    assertThat(harness.requests.matching(RequestLog.Request::isSingleGet)).isEmpty();
  }

  @Test
  void aConvergedClusterGetsNoWritesOnResync() {
    converged();
    long before = harness.requests.count(RequestLog.Request::isWrite);
    // The resync period is 500 ms: several full passes happen in this window.
    await()
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(5))
        .until(() -> harness.requests.count(RequestLog.Request::isWrite) == before);
  }

  @Test
  void driftIsPatchedAgainAndRecordedOnce() {
    converged();
    long before = harness.requests.writesTo(DEPLOY);
    client
        .apps()
        .deployments()
        .inNamespace("shop")
        .withName("web")
        .patch(
            PatchContext.of(PatchType.JSON),
            "[{\"op\":\"replace\",\"path\":\"/spec/template/spec/securityContext/runAsNonRoot\",\"value\":false}]");
    Deployment fixed =
        eventually(
            () -> client.apps().deployments().inNamespace("shop").withName("web").get(),
            d ->
                Boolean.TRUE.equals(
                    d.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsNonRoot()));
    ChangeRecord record =
        ChangeRecord.parse(fixed.getMetadata().getAnnotations().get(Annotations.CHANGES));
    var entry =
        record
            .entry(
                ObjectTrees.of(fixed),
                FieldPath.ofPointer("/spec/template/spec/securityContext/runAsNonRoot"),
                null)
            .orElseThrow();
    assertThat(entry.times()).isEqualTo(2);
    assertThat(entry.original()).isNull();
    assertThat(entry.from().asBoolean()).isFalse();
    assertThat(harness.requests.writesTo(DEPLOY)).isEqualTo(before + 1);
  }
}
