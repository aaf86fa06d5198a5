package dev.nonroot.engine;

import static dev.nonroot.engine.EngineInputs.policy;
import static dev.nonroot.engine.EngineInputs.tree;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nonroot.engine.model.Inventory;
import dev.nonroot.engine.model.Workload;
import dev.nonroot.engine.policy.ResolvedPolicy;
import dev.nonroot.engine.record.RecordedPatch;
import dev.nonroot.engine.rollout.Reversion;
import dev.nonroot.engine.rollout.RolloutPatch;
import dev.nonroot.engine.rollout.RolloutState;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Two port items re-declared (one in the middle of the list, one at its end) and removed by the
 * re-fix: the revert of its failed rollout must put them back in their order, or the template is
 * not the one the state names.
 */
class RemovedPortsOrderTest {
  private static final String TWO_PORTS =
      """
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web, namespace: shop, resourceVersion: "10", generation: 3}
      spec:
        selector: {matchLabels: {app: web}}
        template:
          metadata: {labels: {app: web}}
          spec:
            containers:
            - name: web
              image: example/web
              ports: [{containerPort: 80}, {containerPort: 9000}, {containerPort: 443}]
      """;

  private static final ResolvedPolicy REMAP = policy("baseline", "ports: {strategy: Remap}");
  private static final String T1 = "2026-12-02T10:00:00Z";
  private static final String T3 = "2026-12-02T10:06:00Z";
  private static final String T4 = "2026-12-02T10:11:00Z";

  private static Decision decide(JsonNode object) {
    return Governor.decide(
        PolicySet.of(List.of(REMAP)), Workload.of(object).orElseThrow(), Inventory.EMPTY);
  }

  private static ObjectNode remediate(JsonNode object, String now) {
    Decision d = decide(object);
    assertThat(d.action()).isEqualTo(Decision.Action.PATCH);
    return (ObjectNode)
        RfcJsonPatch.apply(
            object,
            RolloutPatch.remediation(
                d.workload(), d.evaluation().changes(), "baseline", d.rolloutStart(now), now));
  }

  private static ObjectNode revert(JsonNode object, String now) {
    RolloutState state = RolloutState.of(object).orElseThrow();
    Workload w = Workload.of(object).orElseThrow();
    Reversion back = Reversion.of(w.ref(), object, RecordedPatch.recordOf(object), state);
    RolloutState ended =
        state.ended(
            RolloutState.Phase.Reverted, "CrashLoopBackOff", "back-off", null, Map.of(), now);
    return (ObjectNode) RfcJsonPatch.apply(object, RolloutPatch.revert(w, back, ended));
  }

  @Test
  void twoRemovedItemsGoBackInTheirOrder() {
    ObjectNode remediated = remediate(tree(TWO_PORTS), T1);
    ObjectNode reapplied = remediated.deepCopy();
    ArrayNode ports = (ArrayNode) reapplied.at("/spec/template/spec/containers/0/ports");
    assertThat(ports)
        .hasToString(
            "[{\"containerPort\":8080},{\"containerPort\":9000},{\"containerPort\":8443}]");
    // Edited back by hand: 80 beside 8080, 443 at the end.
    ports.insertObject(1).put("containerPort", 80);
    ports.addObject().put("containerPort", 443);
    ObjectNode before = reapplied.deepCopy();

    ObjectNode refixed = remediate(reapplied, T3);
    assertThat(refixed.at("/spec/template/spec/containers/0/ports")).hasSize(3);
    ObjectNode reverted = revert(refixed, T4);

    assertThat(reverted.at("/spec/template/spec/containers/0/ports"))
        .isEqualTo(before.at("/spec/template/spec/containers/0/ports"));
    assertThat(reverted.at("/spec/template")).isEqualTo(before.at("/spec/template"));
  }
}
