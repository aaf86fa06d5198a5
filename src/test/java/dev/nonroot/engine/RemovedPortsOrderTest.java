package dev.nonroot.engine;

import static dev.nonroot.engine.EngineInputs.policy;
import static dev.nonroot.engine.EngineInputs.tree;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nonroot.engine.policy.ResolvedPolicy;
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

  private static ObjectNode remediate(JsonNode object, String now) {
    return OperatorWrites.remediate(REMAP, object, now);
  }

  private static ObjectNode revert(JsonNode object, String now) {
    return OperatorWrites.revert(object, "back-off", now);
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
