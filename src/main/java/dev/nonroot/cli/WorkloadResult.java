package dev.nonroot.cli;

import dev.nonroot.engine.Decision;
import dev.nonroot.engine.model.Workload;
import dev.nonroot.engine.policy.EffectivePolicy;
import dev.nonroot.engine.rules.Evaluation;
import dev.nonroot.manifest.ManifestObject;

/** One workload read from the input, and the engine's decision on it. */
public record WorkloadResult(ManifestObject object, Decision decision) {
  public Workload workload() {
    return decision.workload();
  }

  /** The governing policy, or null when none matched. */
  public EffectivePolicy policy() {
    return decision.governing();
  }

  /** The governing policy's evaluation, or null when none matched. */
  public Evaluation evaluation() {
    return decision.evaluation();
  }

  public boolean matched() {
    return decision.matched();
  }
}
