package dev.nonroot.engine.policy;

import dev.nonroot.api.NonRootPolicy;

/**
 * A policy as read from the cluster or a file: exactly one of {@code effective} (valid, defaults
 * filled in) and {@code error} (why it is invalid) is set.
 *
 * @param held for an invalid policy that was valid before: its last valid spec, which keeps
 *     governing what it matches until the spec is fixed (an edit that breaks a policy must not hand
 *     its workloads to another one); null otherwise
 * @param heldGeneration the generation of {@code held}, or 0
 */
public record ResolvedPolicy(
    String name,
    String uid,
    long generation,
    EffectivePolicy effective,
    InvalidPolicyException error,
    EffectivePolicy held,
    long heldGeneration) {

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
          name, uid, generation, PolicyResolver.resolve(policy), null, null, 0);
    } catch (InvalidPolicyException e) {
      return new ResolvedPolicy(name, uid, generation, null, e, null, 0);
    }
  }

  public static ResolvedPolicy valid(EffectivePolicy policy) {
    return new ResolvedPolicy(policy.name(), null, 0, policy, null, null, 0);
  }

  /**
   * This invalid policy, holding what it governs with {@code lastValid}'s spec; a valid policy (or
   * an invalid {@code lastValid}) is returned unchanged.
   */
  public ResolvedPolicy holding(ResolvedPolicy lastValid) {
    if (valid() || lastValid == null || !lastValid.valid()) return this;
    return new ResolvedPolicy(
        name, uid, generation, null, error, lastValid.effective(), lastValid.generation());
  }

  public boolean valid() {
    return effective != null;
  }

  /** The spec the engine acts on: the valid one, or the one held; null when it takes no part. */
  public EffectivePolicy acting() {
    return effective != null ? effective : held;
  }
}
