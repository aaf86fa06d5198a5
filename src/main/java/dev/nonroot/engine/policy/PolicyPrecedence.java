package dev.nonroot.engine.policy;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * When several policies match one workload exactly one acts: the highest spec.priority, then the
 * name that sorts first. Deterministic, so every replica and every restart agrees.
 */
public final class PolicyPrecedence {
  public static final Comparator<EffectivePolicy> ORDER =
      Comparator.comparingInt(EffectivePolicy::priority)
          .reversed()
          .thenComparing(EffectivePolicy::name);

  private PolicyPrecedence() {}

  public static Optional<EffectivePolicy> winner(List<EffectivePolicy> matching) {
    return matching.stream().min(ORDER);
  }
}
