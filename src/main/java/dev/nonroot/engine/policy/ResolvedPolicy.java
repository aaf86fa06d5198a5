package dev.nonroot.engine.policy;

import dev.nonroot.api.NonRootPolicy;
import dev.nonroot.api.NonRootPolicySpec;

/**
 * A policy as read from the cluster or a file: exactly one of {@code effective} (valid, defaults
 * filled in) and {@code error} (why it is invalid) is set.
 *
 * @param spec the spec as written, for keeping it in the status while it is held
 * @param heldFrom for an invalid policy that was valid before: its last valid resolution, whose
 *     spec keeps governing what it matches until the spec is fixed (an edit that breaks a policy
 *     must not hand its workloads to another one); null otherwise
 */
public record ResolvedPolicy(
    String name,
    String uid,
    long generation,
    NonRootPolicySpec spec,
    EffectivePolicy effective,
    InvalidPolicyException error,
    ResolvedPolicy heldFrom) {

  public static ResolvedPolicy of(NonRootPolicy policy) {
    String name =
        policy.getMetadata() == null || policy.getMetadata().getName() == null
            ? ""
            : policy.getMetadata().getName();
    String uid = policy.getMetadata() == null ? null : policy.getMetadata().getUid();
    Long g = policy.getMetadata() == null ? null : policy.getMetadata().getGeneration();
    long generation = g == null ? 0 : g;
    try {
      return new ResolvedPolicy(
          name, uid, generation, policy.getSpec(), PolicyResolver.resolve(policy), null, null);
    } catch (InvalidPolicyException e) {
      return new ResolvedPolicy(name, uid, generation, policy.getSpec(), null, e, null);
    }
  }

  public static ResolvedPolicy valid(EffectivePolicy policy) {
    return new ResolvedPolicy(policy.name(), null, 0, null, policy, null, null);
  }

  /**
   * This invalid policy, holding what it governs with {@code lastValid}'s spec; a valid policy (or
   * an invalid {@code lastValid}) is returned unchanged.
   */
  public ResolvedPolicy holding(ResolvedPolicy lastValid) {
    if (valid() || lastValid == null || !lastValid.valid()) return this;
    return new ResolvedPolicy(name, uid, generation, spec, null, error, lastValid);
  }

  public boolean valid() {
    return effective != null;
  }

  /** The last valid spec this invalid policy holds its workloads with, or null. */
  public EffectivePolicy held() {
    return heldFrom == null ? null : heldFrom.effective();
  }

  /** The generation of {@link #held()}, or 0. */
  public long heldGeneration() {
    return heldFrom == null ? 0 : heldFrom.generation();
  }

  /** The spec the engine acts on: the valid one, or the one held; null when it takes no part. */
  public EffectivePolicy acting() {
    return effective != null ? effective : held();
  }
}
