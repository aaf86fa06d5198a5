package dev.nonroot.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
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

/** The operator's writes on one workload, applied to it as the API server would (engine tests). */
final class OperatorWrites {
  private OperatorWrites() {}

  static Decision decide(ResolvedPolicy policy, JsonNode object) {
    return Governor.decide(
        PolicySet.of(List.of(policy)), Workload.of(object).orElseThrow(), Inventory.EMPTY);
  }

  /** What the operator writes for a PATCH decision, applied. */
  static ObjectNode remediate(ResolvedPolicy policy, JsonNode object, String now) {
    Decision d = decide(policy, object);
    assertThat(d.action()).isEqualTo(Decision.Action.PATCH);
    return (ObjectNode)
        RfcJsonPatch.apply(
            object,
            RolloutPatch.remediation(
                d.workload(), d.evaluation().changes(), "baseline", d.rolloutStart(now), now));
  }

  /** What the operator writes when the rollout under way failed with {@code message}, applied. */
  static ObjectNode revert(JsonNode object, String message, String now) {
    RolloutState state = RolloutState.of(object).orElseThrow();
    Workload w = Workload.of(object).orElseThrow();
    Reversion back = Reversion.of(w.ref(), object, RecordedPatch.recordOf(object), state);
    RolloutState ended =
        state.ended(RolloutState.Phase.Reverted, "CrashLoopBackOff", message, null, Map.of(), now);
    return (ObjectNode) RfcJsonPatch.apply(object, RolloutPatch.revert(w, back, ended));
  }
}
