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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
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
 * way) plus what this instance started since; a rollout leaves the count when this instance writes
 * its end, or a reconcile sees it ended.
 *
 * <p>A workload in line is not decided again on a timer: when a slot frees (a rollout ends, a
 * workload leaves a line or is deleted, a patch is not written after all, the budget grows or is
 * turned off), the workloads at the head of that policy's line that can now start are woken, each
 * through its kind's controller. Deciding all 10,000 waiting workloads every --rollout-poll cost
 * 1,000 decisions a second for the hours a line lasts; waking only on a free slot loses no slot to
 * a poll either.
 */
final class RolloutBudget {
  private final List<Supplier<Stream<? extends HasMetadata>>> caches = new ArrayList<>();
  private final Function<HasMetadata, ObjectRef> refs;
  private final Map<ObjectRef, String> rolling = new HashMap<>();
  private final Map<String, LinkedHashSet<ObjectRef>> waiting = new HashMap<>();

  /** Each policy's maxConcurrent as its workloads last asked with it (0: no limit). */
  private final Map<String, Integer> budgets = new HashMap<>();

  /** How a workload of each kind is woken: its controller decides it again soon. */
  private final Map<String, Consumer<ObjectRef>> wakers = new ConcurrentHashMap<>();

  private boolean seeded;

  RolloutBudget(Function<HasMetadata, ObjectRef> refs) {
    this.refs = refs;
  }

  synchronized void add(Supplier<Stream<? extends HasMetadata>> cache) {
    caches.add(cache);
  }

  /** How the workloads of {@code kind} are woken when their turn may have come. */
  void wakeWith(String kind, Consumer<ObjectRef> waker) {
    wakers.put(kind, waker);
  }

  /**
   * Whether {@code ref} may start a rollout for {@code policy} now ({@code max} 0: no limit). A
   * workload already rolling out for it (a drift patch supersedes its own rollout) always may.
   */
  boolean tryStart(String policy, ObjectRef ref, int max) {
    List<ObjectRef> due = new ArrayList<>();
    boolean start;
    synchronized (this) {
      Set<String> freed = new LinkedHashSet<>();
      Integer before = budgets.put(policy, Math.max(max, 0));
      start = admit(policy, ref, max, freed);
      if (before != null && before > 0 && max <= 0) {
        // Turned off: everyone in the line can start, once (each then leaves it on its own).
        due.addAll(waiting.getOrDefault(policy, new LinkedHashSet<>()));
      } else if (before != null && max > before) {
        // A larger budget: more of the line can start at once.
        freed.add(policy);
      }
      for (String p : freed) due.addAll(heads(p));
    }
    wake(due);
    return start;
  }

  private boolean admit(String policy, ObjectRef ref, int max, Set<String> freed) {
    if (max <= 0) {
      // No limit (any more): a place it held in a line is nobody's.
      leaveLines(ref, null, freed);
      return true;
    }
    seed();
    String rollingFor = rolling.get(ref);
    if (policy.equals(rollingFor)) {
      leaveLines(ref, null, freed);
      return true;
    }
    // Now governed by this policy: its place in another policy's line is nobody's.
    leaveLines(ref, policy, freed);
    LinkedHashSet<ObjectRef> line = waiting.computeIfAbsent(policy, k -> new LinkedHashSet<>());
    line.add(ref);
    long busy = busy(policy);
    int position = 0;
    for (ObjectRef r : line) {
      if (r.equals(ref)) break;
      position++;
    }
    if (busy + position >= max) return false;
    line.remove(ref);
    rolling.put(ref, policy);
    // It rolled out for another policy before: that one has a slot more.
    if (rollingFor != null) freed.add(rollingFor);
    return true;
  }

  /**
   * What a reconcile that patches nothing saw: the workload's rollout state (null: none, or not
   * followed). It needs no patch now, so it leaves any line it waited in: a place held by a
   * workload that will never ask again (exempted, fixed by its owner) kept everyone behind it
   * waiting.
   */
  void observe(ObjectRef ref, RolloutState followed) {
    List<ObjectRef> due = new ArrayList<>();
    synchronized (this) {
      Set<String> freed = new LinkedHashSet<>();
      String before = followed != null ? rolling.put(ref, followed.policy()) : rolling.remove(ref);
      if (before != null && (followed == null || !before.equals(followed.policy()))) {
        freed.add(before);
      }
      leaveLines(ref, null, freed);
      for (String p : freed) due.addAll(heads(p));
    }
    wake(due);
  }

  /** A patch that was not written after all, a restore's rollout that ended, a deleted workload. */
  void release(ObjectRef ref) {
    observe(ref, null);
  }

  /**
   * Takes {@code ref} out of every line but {@code policy}'s (null: every line); a line it left
   * goes into {@code freed}, as whoever was behind it may be able to start now.
   */
  private void leaveLines(ObjectRef ref, String policy, Set<String> freed) {
    waiting.forEach(
        (p, l) -> {
          if (!p.equals(policy) && l.remove(ref)) freed.add(p);
        });
  }

  private long busy(String policy) {
    return rolling.values().stream().filter(policy::equals).count();
  }

  /**
   * The workloads at the head of {@code policy}'s line that can start now: as many as it has free
   * slots. None without a limit: turning it off woke the whole line at once.
   */
  private List<ObjectRef> heads(String policy) {
    LinkedHashSet<ObjectRef> line = waiting.get(policy);
    int max = budgets.getOrDefault(policy, 0);
    if (line == null || line.isEmpty() || max <= 0) return List.of();
    return line.stream().limit(Math.max(0, max - busy(policy))).toList();
  }

  /**
   * Wakes each through its kind's controller. Outside the lock: a wake hands an event to JOSDK,
   * which must never wait for a reconcile that is asking this budget.
   */
  private void wake(List<ObjectRef> due) {
    for (ObjectRef r : due) {
      Consumer<ObjectRef> waker = wakers.get(r.kind());
      if (waker != null) waker.accept(r);
    }
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
