package dev.nonroot.engine;

import dev.nonroot.api.PolicyMode;
import dev.nonroot.engine.model.Inventory;
import dev.nonroot.engine.model.Workload;
import dev.nonroot.engine.policy.EffectivePolicy;
import dev.nonroot.engine.policy.PolicyMatcher;
import dev.nonroot.engine.rules.Evaluation;
import dev.nonroot.engine.rules.RemediationEngine;
import java.util.ArrayList;
import java.util.List;

/**
 * The one place that decides: which policy governs a workload (the matching policy with the highest
 * spec.priority, then the first name), which others overlap, what must change, and whether that
 * change is written (Enforce) or only reported (Audit). The operator, the policy status and the CLI
 * all ask here; none of them matches or evaluates on its own.
 */
public final class Governor {
  private Governor() {}

  public static Decision decide(PolicySet policies, Workload workload, Inventory inventory) {
    EffectivePolicy governing = null;
    List<EffectivePolicy> overlapping = new ArrayList<>();
    for (EffectivePolicy p : policies.inPrecedenceOrder()) {
      if (!PolicyMatcher.matches(p, workload, inventory)) continue;
      if (governing == null) governing = p;
      else overlapping.add(p);
    }
    if (governing == null) {
      return new Decision(workload, null, List.of(), null, Decision.Action.NONE);
    }
    Evaluation evaluation = RemediationEngine.evaluate(governing, workload, inventory);
    Decision.Action action;
    if (!evaluation.hasPlan()) action = Decision.Action.NONE;
    else if (governing.mode() == PolicyMode.Enforce) action = Decision.Action.PATCH;
    else action = Decision.Action.WOULD_PATCH;
    return new Decision(workload, governing, List.copyOf(overlapping), evaluation, action);
  }
}
