package dev.nonroot.engine;

import dev.nonroot.api.OnDeleteMode;
import dev.nonroot.engine.policy.EffectivePolicy;
import dev.nonroot.engine.policy.PolicyPrecedence;
import dev.nonroot.engine.policy.ResolvedPolicy;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Every policy in force at one moment, resolved: what {@link Governor#decide} chooses from. A
 * policy being deleted is in it until it is gone, governing nothing. Immutable, so one snapshot can
 * serve many decisions on several threads.
 */
public final class PolicySet {
  private final List<ResolvedPolicy> all;
  private final Set<String> departing;
  private final List<EffectivePolicy> inPrecedenceOrder;
  private final List<EffectivePolicy> restorers;
  private final String fingerprint;

  private PolicySet(List<ResolvedPolicy> all, Set<String> departing) {
    this.all = List.copyOf(all);
    this.departing = Set.copyOf(departing);
    List<EffectivePolicy> valid = new ArrayList<>();
    List<EffectivePolicy> restoring = new ArrayList<>();
    for (ResolvedPolicy p : all) {
      EffectivePolicy acting = p.acting();
      if (acting == null) continue;
      if (!departing.contains(p.name())) valid.add(acting);
      if (acting.onDelete() == OnDeleteMode.Revert) restoring.add(acting);
    }
    valid.sort(PolicyPrecedence.ORDER);
    restoring.sort(PolicyPrecedence.ORDER);
    this.inPrecedenceOrder = List.copyOf(valid);
    this.restorers = List.copyOf(restoring);
    List<String> ids = new ArrayList<>();
    for (ResolvedPolicy p : all) {
      ids.add(
          p.name()
              + "/"
              + p.uid()
              + "/"
              + p.generation()
              + "/"
              + p.heldGeneration()
              + (departing.contains(p.name()) ? "/departing" : ""));
    }
    ids.sort(null);
    this.fingerprint = String.join(",", ids);
  }

  public static PolicySet of(Collection<ResolvedPolicy> policies) {
    return new PolicySet(new ArrayList<>(policies), Set.of());
  }

  /**
   * {@code departing} names the policies being deleted: they govern nothing any more, and those
   * with spec.onDelete: Revert take back what they changed.
   */
  public static PolicySet of(Collection<ResolvedPolicy> policies, Set<String> departing) {
    return new PolicySet(new ArrayList<>(policies), departing);
  }

  /** Policies already validated (the CLI resolves them as it loads them). */
  public static PolicySet ofValid(Collection<EffectivePolicy> policies) {
    List<ResolvedPolicy> out = new ArrayList<>();
    for (EffectivePolicy p : policies) out.add(ResolvedPolicy.valid(p));
    return new PolicySet(out, Set.of());
  }

  /**
   * The policies with spec.onDelete: Revert, in precedence order, departing ones included: a
   * workload that leaves one's match, or whose policy is being deleted, gets its changes back.
   */
  public List<EffectivePolicy> restorers() {
    return restorers;
  }

  /** Whether the policy is being deleted (it governs nothing any more). */
  public boolean departing(String name) {
    return departing.contains(name);
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
