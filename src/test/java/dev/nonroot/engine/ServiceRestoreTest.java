package dev.nonroot.engine;

import static dev.nonroot.engine.EngineInputs.tree;
import static dev.nonroot.engine.EngineInputs.workload;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nonroot.engine.model.FieldPath;
import dev.nonroot.engine.model.Inventory;
import dev.nonroot.engine.model.NamespaceInfo;
import dev.nonroot.engine.model.ObjectRef;
import dev.nonroot.engine.model.Workload;
import dev.nonroot.engine.model.WorkloadPods;
import dev.nonroot.engine.plan.Change;
import dev.nonroot.engine.plan.Rule;
import dev.nonroot.engine.record.ChangeRecord;
import dev.nonroot.engine.rollout.RolloutPatch;
import dev.nonroot.engine.rollout.Undo;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A policy's restore of a Service in front of a restored workload: back, unless another workload
 * the Service selects still listens on the moved port.
 */
class ServiceRestoreTest {
  /** api, restored: its pods listen on 80 again. */
  private static final Workload API =
      workload(
          """
          apiVersion: apps/v1
          kind: Deployment
          metadata: {name: api, namespace: web}
          spec:
            selector: {matchLabels: {app: api}}
            template:
              metadata: {labels: {app: api}}
              spec:
                containers:
                - {name: httpbin, image: httpbin, ports: [{containerPort: 80}]}
          """);

  /** The Service, its targetPort moved 80 → 8080 by policy baseline. */
  private static ObjectNode service() {
    ObjectNode svc =
        tree(
            """
            apiVersion: v1
            kind: Service
            metadata: {name: api, namespace: web, uid: s1, resourceVersion: "5", annotations: {}}
            spec:
              selector: {app: api}
              ports: [{port: 80, targetPort: 8080}]
            """);
    Change moved =
        new Change(
            new ObjectRef("Service", "web", "api"),
            FieldPath.ofPointer("/spec/ports/0/targetPort"),
            null,
            IntNode.valueOf(80),
            IntNode.valueOf(8080),
            Rule.PortRemap,
            "");
    ChangeRecord record =
        ChangeRecord.empty().with(svc, List.of(moved), "baseline", "2026-12-02T08:00:00Z");
    ((ObjectNode) svc.path("metadata").path("annotations"))
        .put("nonroot.dev/changes", record.toJson());
    return svc;
  }

  private static Inventory inventory(ObjectNode svc, List<WorkloadPods> workloads) {
    return new Inventory() {
      @Override
      public List<ObjectNode> services(String namespace) {
        return List.of(svc);
      }

      @Override
      public Optional<NamespaceInfo> namespace(String name) {
        return Optional.empty();
      }

      @Override
      public List<WorkloadPods> workloads(String namespace) {
        return workloads;
      }
    };
  }

  private static WorkloadPods canary(String port) {
    return new WorkloadPods(
        new ObjectRef("Deployment", "web", "api-canary"),
        Map.of("app", "api", "track", "canary"),
        null,
        Set.of(port));
  }

  @Test
  void aServiceAloneInFrontOfTheWorkloadGoesBack() {
    List<ServiceRestore> r =
        ServiceRestore.of(API, "baseline", inventory(service(), List.of(WorkloadPods.of(API))));

    assertThat(r).singleElement().satisfies(s -> assertThat(s.undo()).isNotNull());
    assertThat(r.get(0).kept()).isNull();
  }

  @Test
  void aServiceAnotherWorkloadStillListensBehindStaysAndSaysWhy() {
    List<ServiceRestore> r =
        ServiceRestore.of(
            API,
            "baseline",
            inventory(service(), List.of(WorkloadPods.of(API), canary("8080/TCP"))));

    assertThat(r).singleElement().satisfies(s -> assertThat(s.undo()).isNull());
    assertThat(r.get(0).kept())
        .contains("Service web/api stays on port 8080")
        .contains("Deployment web/api-canary");
  }

  @Test
  void anotherWorkloadOnTheOldPortDoesNotHoldItBack() {
    List<ServiceRestore> r =
        ServiceRestore.of(
            API, "baseline", inventory(service(), List.of(WorkloadPods.of(API), canary("80/TCP"))));

    assertThat(r).singleElement().satisfies(s -> assertThat(s.undo()).isNotNull());
  }

  /** httpbin as the operator left it: PORT, the probe and containerPort moved 80 → 8080. */
  private static ObjectNode remediatedApi() {
    ObjectNode api =
        tree(
            """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: api, namespace: web, resourceVersion: "3"}
            spec:
              selector: {matchLabels: {app: api}}
              template:
                metadata: {labels: {app: api}}
                spec:
                  containers:
                  - name: httpbin
                    image: kennethreitz/httpbin
                    env: [{name: PORT, value: "80"}]
                    ports: [{name: http, containerPort: 80}]
                    readinessProbe: {httpGet: {path: /, port: 80}}
            """);
    Decision d =
        Governor.decide(
            PolicySet.of(List.of(EngineInputs.policy("baseline", "onDelete: Revert"))),
            Workload.of(api).orElseThrow(),
            Inventory.EMPTY);
    assertThat(d.action()).isEqualTo(Decision.Action.PATCH);
    return (ObjectNode)
        RfcJsonPatch.apply(
            api,
            RolloutPatch.remediation(
                d.workload(), d.evaluation().changes(), "baseline", null, "2026-12-02T08:00:00Z"));
  }

  /**
   * api leaves the policy's match while its Service also sends 8080 to a canary that still listens
   * there: the Service stays on 8080, so api's own pods keep listening on 8080 (the port, PORT and
   * the probe that moved with it); the rest of the policy's changes go back, and the kept fields
   * name the Service and the canary.
   */
  @Test
  void aWorkloadKeepsThePortMoveAServiceThatStaysStillSendsTo() {
    ObjectNode api = remediatedApi();
    ObjectNode exempt = api.deepCopy();
    ((ObjectNode) exempt.get("metadata"))
        .putObject("annotations")
        .setAll((ObjectNode) api.at("/metadata/annotations"));
    ((ObjectNode) exempt.at("/metadata/annotations")).put("nonroot.dev/exempt", "true");
    Workload leaving = Workload.of(exempt).orElseThrow();
    Inventory around = inventory(service(), List.of(WorkloadPods.of(leaving), canary("8080/TCP")));
    Decision d =
        Governor.decide(
            PolicySet.of(List.of(EngineInputs.policy("baseline", "onDelete: Revert"))),
            leaving,
            around);
    assertThat(d.action()).isEqualTo(Decision.Action.RESTORE);

    Undo undo = d.restore("2026-12-02T09:00:00Z", ServiceRestore.of(leaving, "baseline", around));
    ObjectNode after = exempt.deepCopy();
    undo.applyTo(after);

    JsonNode httpbin = after.at("/spec/template/spec/containers/0");
    assertThat(httpbin.at("/ports/0/containerPort").asInt()).isEqualTo(8080);
    assertThat(httpbin.at("/env/0/value").asText()).isEqualTo("8080");
    assertThat(httpbin.at("/readinessProbe/httpGet/port").asInt()).isEqualTo(8080);
    assertThat(after.at("/spec/template/spec/securityContext/runAsNonRoot").isMissingNode())
        .isTrue();
    assertThat(httpbin.at("/securityContext").isMissingNode()).isTrue();
    assertThat(undo.kept())
        .extracting(ChangeRecord.Entry::field)
        .containsExactlyInAnyOrder(
            "spec.template.spec.containers[httpbin].ports[0].containerPort",
            "spec.template.spec.containers[httpbin].env[PORT].value",
            "spec.template.spec.containers[httpbin].readinessProbe.httpGet.port");
    assertThat(undo.kept())
        .allSatisfy(
            e ->
                assertThat(undo.why(e))
                    .contains("Service web/api stays on port 8080")
                    .contains("Deployment web/api-canary"));
    // Like a field changed since, a kept move leaves the policy's record.
    assertThat(after.at("/metadata/annotations/nonroot.dev~1changes").isMissingNode()).isTrue();
  }

  /**
   * Once api kept its move, it listens on 8080 with nothing recorded: a later look at the Service
   * (the end of the restore's rollout), with the canary gone, must not move it back under api.
   */
  @Test
  void aServiceStaysForTheWorkloadThatKeptItsMove() {
    ObjectNode api = remediatedApi();
    ((ObjectNode) api.get("metadata")).remove("annotations");
    Workload kept = Workload.of(api).orElseThrow();

    List<ServiceRestore> r =
        ServiceRestore.of(kept, "baseline", inventory(service(), List.of(WorkloadPods.of(kept))));

    assertThat(r).singleElement().satisfies(s -> assertThat(s.undo()).isNull());
    assertThat(r.get(0).kept()).contains("Service web/api stays on port 8080");
  }
}
