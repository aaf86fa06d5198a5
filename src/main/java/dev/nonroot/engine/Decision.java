package dev.nonroot.engine;

import dev.nonroot.engine.model.Workload;
import dev.nonroot.engine.policy.EffectivePolicy;
import dev.nonroot.engine.rules.Evaluation;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the engine decided for one workload: which policy governs it, which others also match it,
 * the governing policy's evaluation, and what a front end must do about it.
 *
 * @param governing the acting policy, or null when none matches
 * @param overlapping the other matching policies, in precedence order
 * @param evaluation the governing policy's evaluation, or null when none matches
 */
public record Decision(
    Workload workload,
    EffectivePolicy governing,
    List<EffectivePolicy> overlapping,
    Evaluation evaluation,
    Action action) {

  /** What a front end does with the decision. */
  public enum Action {
    /** No policy matches, or the governing one has nothing to change. */
    NONE,
    /** Enforce: write the plan (and its record) to the workload and its Services. */
    PATCH,
    /** Audit: write nothing; report the plan as what would change. */
    WOULD_PATCH
  }

  public Optional<EffectivePolicy> governingPolicy() {
    return Optional.ofNullable(governing);
  }

  public boolean matched() {
    return governing != null;
  }

  /** Every matching policy, the governing one first. */
  public List<EffectivePolicy> matching() {
    if (governing == null) return List.of();
    List<EffectivePolicy> out = new ArrayList<>(overlapping.size() + 1);
    out.add(governing);
    out.addAll(overlapping);
    return out;
  }
}
