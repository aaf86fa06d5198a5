package dev.nonroot.operator;

import static dev.nonroot.operator.OperatorHarness.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nonroot.api.Annotations;
import dev.nonroot.engine.record.ChangeRecord;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The operator's own record after the workload's containers or ports change under it: entries
 * follow their container by name, and a re-applied original manifest gets the port fix back.
 */
class RecordIdentityTest extends OperatorTestBase {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String DEPLOY = "/apis/apps/v1/namespaces/shop/deployments/web";
  private static final String SVC = "/api/v1/namespaces/shop/services/web";

  @BeforeEach
  void setUp() throws Exception {
    harness.apply("/operator/shop.yaml");
    harness.apply("/operator/policy-enforce.yaml");
    harness.start(Duration.ofMillis(500));
    harness.settledStatus("baseline", s -> s.getRemediated() == 3 && s.getCompliant() == 3);
  }

  private Deployment web() {
    return client.apps().deployments().inNamespace("shop").withName("web").get();
  }

  private static ChangeRecord recordOf(Deployment d) {
    return ChangeRecord.parse(d.getMetadata().getAnnotations().get(Annotations.CHANGES));
  }

  private static List<ChangeRecord.Entry> entries(ChangeRecord r, String container, String rule) {
    return r.entries().stream()
        .filter(e -> container.equals(e.container()) && rule.equals(e.rule()))
        .toList();
  }

  private void jsonPatch(String path, String ops) {
    if (path.equals(SVC)) {
      client
          .services()
          .inNamespace("shop")
          .withName("web")
          .patch(PatchContext.of(PatchType.JSON), ops);
    } else {
      client
          .apps()
          .deployments()
          .inNamespace("shop")
          .withName("web")
          .patch(PatchContext.of(PatchType.JSON), ops);
    }
  }

  @Test
  void aSidecarInsertedBeforeTheFixedContainerGetsItsOwnEntries() {
    jsonPatch(
        DEPLOY,
        "[{\"op\":\"add\",\"path\":\"/spec/template/spec/containers/0\",\"value\":"
            + "{\"name\":\"sidecar\",\"image\":\"busybox:1.36\","
            + "\"securityContext\":{\"allowPrivilegeEscalation\":true}}}]");

    Deployment fixed =
        eventually(
            this::web,
            d ->
                Boolean.FALSE.equals(
                    d.getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .get(0)
                        .getSecurityContext()
                        .getAllowPrivilegeEscalation()));
    ChangeRecord record = recordOf(fixed);
    JsonNode tree = JSON.valueToTree(fixed);

    ChangeRecord.Entry sidecar = entries(record, "sidecar", "AllowPrivilegeEscalation").get(0);
    assertThat(sidecar.original().asBoolean()).isTrue();
    assertThat(sidecar.times()).isEqualTo(1);
    assertThat(sidecar.locate(tree).orElseThrow().pointer())
        .isEqualTo("/spec/template/spec/containers/0/securityContext/allowPrivilegeEscalation");
    // nginx's entries are untouched and still describe nginx, now second.
    ChangeRecord.Entry nginx = entries(record, "nginx", "AllowPrivilegeEscalation").get(0);
    assertThat(nginx.original()).isNull();
    assertThat(nginx.times()).isEqualTo(1);
    assertThat(entries(record, "nginx", "PortRemap"))
        .singleElement()
        .satisfies(
            e ->
                assertThat(e.locate(tree).orElseThrow().pointer())
                    .isEqualTo("/spec/template/spec/containers/1/ports/0/containerPort"));
    assertThat(record.entries())
        .filteredOn(e -> "nginx".equals(e.container()))
        .allSatisfy(e -> assertThat(e.times()).isEqualTo(1));
  }

  @Test
  void aReappliedOriginalManifestGetsItsPortFixBack() {
    // What `kubectl apply` of the unchanged shop.yaml does to the fixed objects: a strategic merge
    // keyed by containerPort puts 80 back beside 8080, and the probe and the Service back on 80.
    jsonPatch(
        DEPLOY,
        "[{\"op\":\"add\",\"path\":\"/spec/template/spec/containers/0/ports/0\","
            + "\"value\":{\"containerPort\":80}},"
            + "{\"op\":\"replace\","
            + "\"path\":\"/spec/template/spec/containers/0/readinessProbe/httpGet/port\","
            + "\"value\":80}]");
    jsonPatch(SVC, "[{\"op\":\"replace\",\"path\":\"/spec/ports/0/targetPort\",\"value\":80}]");

    Deployment fixed =
        eventually(
            this::web,
            d -> d.getSpec().getTemplate().getSpec().getContainers().get(0).getPorts().size() == 1);
    var pod = fixed.getSpec().getTemplate().getSpec();
    var nginx = pod.getContainers().get(0);
    assertThat(nginx.getPorts()).extracting(ContainerPort::getContainerPort).containsExactly(8080);
    assertThat(nginx.getReadinessProbe().getHttpGet().getPort().getIntVal()).isEqualTo(8080);
    // No sysctl fallback: nothing stays below 1024.
    assertThat(pod.getSecurityContext().getSysctls()).isNullOrEmpty();
    var svc =
        eventually(
            () -> client.services().inNamespace("shop").withName("web").get(),
            s -> s.getSpec().getPorts().get(0).getTargetPort().getIntVal() == 8080);
    assertThat(svc.getSpec().getPorts().get(0).getPort()).isEqualTo(80);
    // The removal is recorded beside the original move.
    assertThat(entries(recordOf(fixed), "nginx", "PortRemap"))
        .anySatisfy(
            e -> {
              assertThat(e.from().path("containerPort").asInt()).isEqualTo(80);
              assertThat(e.to()).isNull();
            })
        .anySatisfy(
            e -> {
              assertThat(e.original().asInt()).isEqualTo(80);
              assertThat(e.to().asInt()).isEqualTo(8080);
            });

    // Consistent again: later passes write nothing.
    harness.settledStatus("baseline", s -> s.getCompliant() == 3);
    long before = harness.requests.count(RequestLog.Request::isWrite);
    await()
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(5))
        .until(() -> harness.requests.count(RequestLog.Request::isWrite) == before);
  }
}
