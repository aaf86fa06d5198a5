package dev.nonroot.operator;

import dev.nonroot.api.NonRootPolicy;
import dev.nonroot.engine.policy.EffectivePolicy;
import dev.nonroot.engine.policy.InvalidPolicyException;
import dev.nonroot.engine.model.Inventory;
import dev.nonroot.engine.policy.PolicyMatcher;
import dev.nonroot.engine.policy.PolicyPrecedence;
import dev.nonroot.engine.policy.PolicyResolver;
import dev.nonroot.engine.model.Workload;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * All policies in the cluster, resolved once per generation. Invalid policies take no part in
 * matching, so one bad policy never disturbs the others.
 */
final class PolicyCatalog {
  /** A policy as resolved: exactly one of effective and error is set. */
  record Resolved(String name, long generation, EffectivePolicy effective, InvalidPolicyException error) {
    boolean valid() {
      return effective != null;
    }
  }

  private final Map<String, Resolved> cache = new ConcurrentHashMap<>();

  Resolved resolve(NonRootPolicy policy) {
    String name = policy.getMetadata().getName();
    String key = policy.getMetadata().getUid() + "/" + name;
    long generation = policy.getMetadata().getGeneration() == null ? 0 : policy.getMetadata().getGeneration();
    Resolved cached = cache.get(key);
    if (cached != null && cached.generation() == generation) return cached;
    Resolved fresh;
    try {
      fresh = new Resolved(name, generation, PolicyResolver.resolve(policy), null);
    } catch (InvalidPolicyException e) {
      fresh = new Resolved(name, generation, null, e);
    }
    cache.put(key, fresh);
    return fresh;
  }

  /** Forgets deleted policies. */
  void retainOnly(Collection<NonRootPolicy> existing) {
    java.util.Set<String> keys = new java.util.HashSet<>();
    for (NonRootPolicy p : existing) keys.add(p.getMetadata().getUid() + "/" + p.getMetadata().getName());
    cache.keySet().retainAll(keys);
  }

  /** Valid policies that match the workload, the acting one first. */
  List<EffectivePolicy> matching(Collection<NonRootPolicy> policies, Workload workload, Inventory inventory) {
    List<EffectivePolicy> out = new ArrayList<>();
    for (NonRootPolicy p : policies) {
      Resolved r = resolve(p);
      if (r.valid() && PolicyMatcher.matches(r.effective(), workload, inventory)) out.add(r.effective());
    }
    out.sort(PolicyPrecedence.ORDER);
    return out;
  }
}
