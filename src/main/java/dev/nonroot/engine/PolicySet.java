package dev.nonroot.engine;

import dev.nonroot.engine.policy.EffectivePolicy;
import dev.nonroot.engine.policy.PolicyPrecedence;
import dev.nonroot.engine.policy.ResolvedPolicy;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Every policy in force at one moment, resolved: what {@link Governor#decide} chooses from.
 * Immutable, so one snapshot can serve many decisions on several threads.
 */
public final class PolicySet {
  private final List<ResolvedPolicy> all;
  private final List<EffectivePolicy> inPrecedenceOrder;
  private final String fingerprint;

  private PolicySet(List<ResolvedPolicy> all) {
    this.all = List.copyOf(all);
    List<EffectivePolicy> valid = new ArrayList<>();
    for (ResolvedPolicy p : all) {
      if (p.acting() != null) valid.add(p.acting());
    }
    valid.sort(PolicyPrecedence.ORDER);
    this.inPrecedenceOrder = List.copyOf(valid);
    List<String> ids = new ArrayList<>();
    for (ResolvedPolicy p : all) {
      ids.add(p.name() + "/" + p.uid() + "/" + p.generation() + "/" + p.heldGeneration());
    }
    ids.sort(null);
    this.fingerprint = String.join(",", ids);
  }

  public static PolicySet of(Collection<ResolvedPolicy> policies) {
    return new PolicySet(new ArrayList<>(policies));
  }

  /** Policies already validated (the CLI resolves them as it loads them). */
  public static PolicySet ofValid(Collection<EffectivePolicy> policies) {
    List<ResolvedPolicy> out = new ArrayList<>();
    for (EffectivePolicy p : policies) out.add(ResolvedPolicy.valid(p));
    return new PolicySet(out);
  }

  public List<ResolvedPolicy> all() {
    return all;
  }

  /**
   * The policies that act, the one that would act first: every valid policy, and every invalid one
   * that was valid before, with its last valid spec (it holds what it governed until it is fixed).
   * A policy that was never valid takes no part: it never held anything, so nothing is released.
   */
  public List<EffectivePolicy> inPrecedenceOrder() {
    return inPrecedenceOrder;
  }

  /**
   * Identifies this set of policy specs: two snapshots with the same fingerprint decide every
   * workload the same way.
   */
  public String fingerprint() {
    return fingerprint;
  }

  public Optional<ResolvedPolicy> named(String name) {
    for (ResolvedPolicy p : all) {
      if (p.name().equals(name)) return Optional.of(p);
    }
    return Optional.empty();
  }
}
