package dev.nonroot.operator;

import dev.nonroot.api.NonRootPolicy;
import dev.nonroot.api.NonRootPolicyStatus;
import dev.nonroot.engine.PolicySet;
import dev.nonroot.engine.policy.ResolvedPolicy;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The cluster's policies as the engine reads them, each resolved once per generation rather than
 * once per workload. It remembers each policy's last valid resolution (by uid): a policy that an
 * edit made invalid holds what it governed with that spec until it is fixed, instead of dropping
 * out and letting a lower-priority policy act at once. The held spec is also in the policy's
 * status, so a restarted operator takes it from there; a policy that became invalid while no
 * operator ran has none there and takes no part until it is fixed.
 */
final class PolicyCatalog {
  private final Map<String, ResolvedPolicy> byKey = new ConcurrentHashMap<>();
  private final Map<String, ResolvedPolicy> lastValid = new ConcurrentHashMap<>();

  PolicySet snapshot(Collection<NonRootPolicy> policies) {
    List<ResolvedPolicy> resolved = new ArrayList<>(policies.size());
    Set<String> departing = new HashSet<>();
    for (NonRootPolicy p : policies) {
      resolved.add(resolve(p));
      if (p.isMarkedForDeletion()) departing.add(p.getMetadata().getName());
    }
    return PolicySet.of(resolved, departing);
  }

  private ResolvedPolicy resolve(NonRootPolicy policy) {
    Long g = policy.getMetadata().getGeneration();
    long generation = g == null ? 0 : g;
    ResolvedPolicy cached = byKey.get(key(policy));
    if (cached != null && cached.generation() == generation) return cached;
    ResolvedPolicy fresh = ResolvedPolicy.of(policy);
    if (fresh.valid()) lastValid.put(key(policy), fresh);
    else fresh = fresh.holding(lastValid.computeIfAbsent(key(policy), k -> heldInStatus(policy)));
    byKey.put(key(policy), fresh);
    return fresh;
  }

  /** The valid spec an earlier operator held this policy's workloads with, or null. */
  private static ResolvedPolicy heldInStatus(NonRootPolicy policy) {
    NonRootPolicyStatus status = policy.getStatus();
    if (status == null || status.getHeldSpec() == null) return null;
    NonRootPolicy held = new NonRootPolicy();
    held.setMetadata(
        new ObjectMetaBuilder()
            .withName(policy.getMetadata().getName())
            .withUid(policy.getMetadata().getUid())
            .withGeneration(status.getHeldGeneration())
            .build());
    held.setSpec(status.getHeldSpec());
    ResolvedPolicy resolved = ResolvedPolicy.of(held);
    return resolved.valid() ? resolved : null;
  }

  /** Forgets deleted policies. */
  void retainOnly(Collection<NonRootPolicy> existing) {
    Set<String> keys = new HashSet<>();
    for (NonRootPolicy p : existing) keys.add(key(p));
    byKey.keySet().retainAll(keys);
    lastValid.keySet().retainAll(keys);
  }

  private static String key(NonRootPolicy p) {
    return p.getMetadata().getUid() + "/" + p.getMetadata().getName();
  }
}
