package dev.nonroot.engine.policy;

import dev.nonroot.api.NonRootPolicy;

/**
 * A policy as read from the cluster or a file: exactly one of {@code effective} (valid, defaults
 * filled in) and {@code error} (why it is invalid) is set.
 */
public record ResolvedPolicy(
    String name,
    String uid,
    long generation,
    EffectivePolicy effective,
    InvalidPolicyException error) {

  public static ResolvedPolicy of(NonRootPolicy policy) {
    String name =
        policy.getMetadata() == null || policy.getMetadata().getName() == null
            ? ""
            : policy.getMetadata().getName();
    String uid = policy.getMetadata() == null ? null : policy.getMetadata().getUid();
    Long g = policy.getMetadata() == null ? null : policy.getMetadata().getGeneration();
    long generation = g == null ? 0 : g;
    try {
      return new ResolvedPolicy(name, uid, generation, PolicyResolver.resolve(policy), null);
    } catch (InvalidPolicyException e) {
      return new ResolvedPolicy(name, uid, generation, null, e);
    }
  }

  public static ResolvedPolicy valid(EffectivePolicy policy) {
    return new ResolvedPolicy(policy.name(), null, 0, policy, null);
  }

  public boolean valid() {
    return effective != null;
  }
}
