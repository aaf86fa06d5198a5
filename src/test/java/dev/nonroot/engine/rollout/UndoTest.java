package dev.nonroot.engine.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nonroot.engine.Decision;
import dev.nonroot.engine.EngineInputs;
import dev.nonroot.engine.Governor;
import dev.nonroot.engine.PolicySet;
import dev.nonroot.engine.RfcJsonPatch;
import dev.nonroot.engine.model.Inventory;
import dev.nonroot.engine.model.NamespaceInfo;
import dev.nonroot.engine.model.Workload;
import dev.nonroot.engine.model.WorkloadPods;
import dev.nonroot.engine.plan.Change;
import dev.nonroot.engine.record.ChangeRecord;
import dev.nonroot.engine.record.RecordedPatch;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The undo of a live object, as a front end that takes a policy's changes back sends it: one JSON
 * Patch that a strict RFC 6902 applier accepts and that gives back the object before the operator.
 */
class UndoTest {
  private static final String NOW = "2026-12-02T10:00:00Z";
  private static final String LIVE =
      """
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
        namespace: shop
        uid: 3c1d
        resourceVersion: "41"
        annotations: {deployment.kubernetes.io/revision: "1"}
      spec:
        selector: {matchLabels: {app: web}}
        template:
          metadata: {labels: {app: web}}
          spec:
            securityContext: {}
            containers:
            - name: web
              image: nginx
              securityContext: {runAsUser: 0, capabilities: {add: [NET_RAW]}}
      """;

  private static final Inventory NOTHING_AROUND =
      new Inventory() {
        @Override
        public List<ObjectNode> services(String namespace) {
          return List.of();
        }

        @Override
        public Optional<NamespaceInfo> namespace(String name) {
          return Optional.empty();
        }

        @Override
        public List<WorkloadPods> workloads(String namespace) {
          return List.of();
        }

        @Override
        public List<ObjectNode> networkPolicies(String namespace) {
          return List.of();
        }
      };

  /** The live object after the operator's remediation (its own write, applied as a server does). */
  private static JsonNode remediated(ObjectNode live) {
    Workload w = Workload.of(live).orElseThrow();
    Decision d =
        Governor.decide(
            PolicySet.of(List.of(EngineInputs.policy("baseline", ""))), w, NOTHING_AROUND);
    assertThat(d.action()).isEqualTo(Decision.Action.PATCH);
    return RfcJsonPatch.apply(
        live,
        RolloutPatch.remediation(
            w, d.evaluation().changes(), "baseline", d.rolloutStart(NOW), NOW));
  }

  @Test
  void thePatchGivesBackTheObjectBeforeTheOperator() {
    ObjectNode live = EngineInputs.tree(LIVE);
    JsonNode after = remediated(live);

    Undo undo = Undo.of(after);

    assertThat(undo.kept()).isEmpty();
    assertThat(undo.restored()).isNotEmpty();
    JsonNode back = RfcJsonPatch.apply(after, undo.patch(RecordedPatch.Guard.RESOURCE_VERSION));
    assertThat(back).isEqualTo(live);
    ObjectNode applied = ((ObjectNode) after).deepCopy();
    undo.applyTo(applied);
    assertThat(applied).isEqualTo(live);
  }

  @Test
  void aFieldChangedSinceStaysWithItsEntry() {
    ObjectNode after = (ObjectNode) remediated(EngineInputs.tree(LIVE));
    ((ObjectNode) after.at("/spec/template/spec/containers/0/securityContext"))
        .put("runAsUser", 1000);

    Undo undo = Undo.of(after);
    undo.applyTo(after);

    assertThat(undo.kept())
        .singleElement()
        .satisfies(e -> assertThat(e.field()).endsWith("securityContext.runAsUser"));
    assertThat(after.at("/spec/template/spec/containers/0/securityContext/runAsUser").asInt())
        .isEqualTo(1000);
    assertThat(after.at("/spec/template/spec/containers/0/securityContext/capabilities/add"))
        .hasToString("[\"NET_RAW\"]");
    ChangeRecord left = RecordedPatch.recordOf(after);
    assertThat(left.entries())
        .extracting(ChangeRecord.Entry::field)
        .containsExactly(undo.kept().get(0).field());
    assertThat(after.at("/metadata/annotations/nonroot.dev~1rollout").isTextual()).isTrue();
  }

  @Test
  void aRemediationAlreadyRevertedNeedsOnlyItsRecordRemoved() {
    ObjectNode live = EngineInputs.tree(LIVE);
    JsonNode after = remediated(live);
    Workload w = Workload.of(after).orElseThrow();
    RolloutState state = RolloutState.of(after).orElseThrow();
    Reversion back =
        Reversion.of(w.ref(), after, RecordedPatch.recordOf(after), "baseline", state.started());
    JsonNode reverted =
        RfcJsonPatch.apply(
            after,
            RolloutPatch.revert(
                w,
                back,
                state.ended(
                    RolloutState.Phase.Reverted, "CrashLoopBackOff", "x", null, null, NOW)));

    Undo undo = Undo.of(reverted);

    assertThat(undo.kept()).isEmpty();
    assertThat(undo.changes())
        .extracting(Change::field)
        .containsExactly(
            "metadata.annotations.nonroot.dev/changes", "metadata.annotations.nonroot.dev/rollout");
    // The rollout's revert pruned the pod's empty securityContext; the API server gives it {} back.
    ObjectNode expected = live.deepCopy();
    ((ObjectNode) expected.at("/spec/template/spec")).remove("securityContext");
    assertThat(RfcJsonPatch.apply(reverted, undo.patch(RecordedPatch.Guard.RESOURCE_VERSION)))
        .isEqualTo(expected);
  }

  /** httpbin with a second port: Auto moves its 80 with PORT, and keeps 9000. */
  private static final String MOVABLE =
      """
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web, namespace: shop, resourceVersion: "7"}
      spec:
        selector: {matchLabels: {app: web}}
        template:
          metadata: {labels: {app: web}}
          spec:
            containers:
            - name: web
              image: kennethreitz/httpbin
              env: [{name: PORT, value: "80"}]
              ports: [{containerPort: 80}, {containerPort: 9000}]
      """;

  /**
   * MOVABLE remediated, its original manifest applied again (80 and PORT back, beside the moved
   * 8080), and remediated once more: the re-fix removes the re-declared 80.
   */
  private static ObjectNode refixed() {
    ObjectNode live = EngineInputs.tree(MOVABLE);
    ObjectNode reapplied = (ObjectNode) remediated(live);
    ObjectNode web = (ObjectNode) reapplied.at("/spec/template/spec/containers/0");
    ((ObjectNode) web.at("/env/0")).put("value", "80");
    ((ArrayNode) web.get("ports")).insertObject(1).put("containerPort", 80);
    ObjectNode refixed = (ObjectNode) remediated(reapplied);
    assertThat(refixed.at("/spec/template/spec/containers/0/ports")).hasSize(2);
    return refixed;
  }

  /** The moved port going back restores the removed one: the undo declares 80 once. */
  @Test
  void theUndoOfAReFixDeclaresTheOriginalPortOnce() {
    ObjectNode refixed = refixed();

    Undo undo = Undo.of(refixed);
    undo.applyTo(refixed);

    assertThat(undo.kept()).isEmpty();
    assertThat(refixed).isEqualTo(EngineInputs.tree(MOVABLE));
  }

  /**
   * When the moved port stays (changed since), nothing else declares the removed 80 again: it goes
   * back where it stood, as the value it had before the operator removed it.
   */
  @Test
  void aRemovedPortWhoseMovedPortStaysGoesBackWhereItStood() {
    ObjectNode refixed = refixed();
    ((ObjectNode) refixed.at("/spec/template/spec/containers/0/ports/0"))
        .put("containerPort", 9090);

    Undo undo = Undo.of(refixed);
    JsonNode back = RfcJsonPatch.apply(refixed, undo.patch(RecordedPatch.Guard.RESOURCE_VERSION));

    assertThat(undo.kept())
        .singleElement()
        .satisfies(e -> assertThat(e.field()).endsWith("containerPort"));
    assertThat(back.at("/spec/template/spec/containers/0/ports"))
        .hasToString("[{\"containerPort\":9090},{\"containerPort\":80},{\"containerPort\":9000}]");
    assertThat(back.at("/spec/template/spec/containers/0/env/0/value").asText()).isEqualTo("80");
  }
}
