package dev.nonroot.engine;

import static dev.nonroot.engine.EngineInputs.tree;
import static dev.nonroot.engine.EngineInputs.workload;
import static org.assertj.core.api.Assertions.assertThat;

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
}
