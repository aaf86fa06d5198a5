package dev.nonroot.cli;

import dev.nonroot.manifest.ManifestObject;
import dev.nonroot.engine.policy.EffectivePolicy;
import dev.nonroot.engine.rules.Evaluation;
import dev.nonroot.engine.model.Workload;

/** One workload read from the input, and what the policy that governs it concluded (null: none matched). */
public record WorkloadResult(ManifestObject object, Workload workload, EffectivePolicy policy, Evaluation evaluation) {
  public boolean matched() {
    return evaluation != null;
  }
}
