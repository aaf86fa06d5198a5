package dev.nonroot.operator;

import dev.nonroot.api.Annotations;
import dev.nonroot.engine.model.ObjectRef;
import dev.nonroot.engine.rollout.RolloutState;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * spec.rollout.maxConcurrent: how many rollouts of one policy's remediations run at once. A
 * workload whose patch would exceed it waits in line (first come, first served) and is shown as
 * Pending; a policy that newly matches 1,000 Deployments never has more than that many rolling.
 *
 * <p>What is rolling is what the caches show (a workload carrying a live RollingOut state, counted
 * once at the first look after every cache synced, so a restart does not forget the rollouts under
 * way) plus what this instance started since; a rollout leaves the count when a reconcile sees it
 * ended.
 */
final class RolloutBudget {
  private final List<Supplier<Stream<? extends HasMetadata>>> caches = new ArrayList<>();
  private final Function<HasMetadata, ObjectRef> refs;
  private final Map<ObjectRef, String> rolling = new HashMap<>();
  private final Map<String, LinkedHashSet<ObjectRef>> waiting = new HashMap<>();
  private boolean seeded;

  RolloutBudget(Function<HasMetadata, ObjectRef> refs) {
    this.refs = refs;
  }

  synchronized void add(Supplier<Stream<? extends HasMetadata>> cache) {
    caches.add(cache);
  }

  /**
   * Whether {@code ref} may start a rollout for {@code policy} now ({@code max} 0: no limit). A
   * workload already rolling out for it (a drift patch supersedes its own rollout) always may.
   */
  synchronized boolean tryStart(String policy, ObjectRef ref, int max) {
    if (max <= 0) {
      // No limit (any more): a place it held in a line is nobody's.
      leaveLines(ref, null);
      return true;
    }
    seed();
    if (policy.equals(rolling.get(ref))) {
      leaveLines(ref, null);
      return true;
    }
    // Now governed by this policy: its place in another policy's line is nobody's.
    leaveLines(ref, policy);
    LinkedHashSet<ObjectRef> line = waiting.computeIfAbsent(policy, k -> new LinkedHashSet<>());
    line.add(ref);
    long busy = rolling.values().stream().filter(policy::equals).count();
    int position = 0;
    for (ObjectRef r : line) {
      if (r.equals(ref)) break;
      position++;
    }
    if (busy + position >= max) return false;
    line.remove(ref);
    rolling.put(ref, policy);
    return true;
  }

  /**
   * What a reconcile that patches nothing saw: the workload's rollout state (null: none, or not
   * followed). It needs no patch now, so it leaves any line it waited in: a place held by a
   * workload that will never ask again (exempted, fixed by its owner) kept everyone behind it
   * waiting.
   */
  synchronized void observe(ObjectRef ref, RolloutState followed) {
    if (followed != null) rolling.put(ref, followed.policy());
    else rolling.remove(ref);
    leaveLines(ref, null);
  }

  /** Takes {@code ref} out of every line but {@code policy}'s (null: every line). */
  private void leaveLines(ObjectRef ref, String policy) {
    waiting.forEach(
        (p, l) -> {
          if (!p.equals(policy)) l.remove(ref);
        });
  }

  /** A patch that was not written after all, or a deleted workload. */
  synchronized void release(ObjectRef ref) {
    rolling.remove(ref);
    leaveLines(ref, null);
  }

  /** Whether {@code ref} waits in a line for its turn. */
  synchronized boolean waits(ObjectRef ref) {
    for (LinkedHashSet<ObjectRef> line : waiting.values()) {
      if (line.contains(ref)) return true;
    }
    return false;
  }

  synchronized int waiting(String policy) {
    LinkedHashSet<ObjectRef> line = waiting.get(policy);
    return line == null ? 0 : line.size();
  }

  private void seed() {
    if (seeded) return;
    seeded = true;
    for (Supplier<Stream<? extends HasMetadata>> cache : caches) {
      cache
          .get()
          .forEach(
              o -> {
                var a = o.getMetadata().getAnnotations();
                String text = a == null ? null : a.get(Annotations.ROLLOUT);
                if (!RolloutState.mayBeRollingOut(text)) return;
                RolloutState.parse(text)
                    .filter(s -> !s.phase().ended())
                    .ifPresent(s -> rolling.putIfAbsent(refs.apply(o), s.policy()));
              });
    }
  }
}
