package dev.nonroot.operator;

import dev.nonroot.api.NonRootPolicyStatus;
import dev.nonroot.engine.model.ObjectRef;
import dev.nonroot.engine.policy.ResolvedPolicy;
import dev.nonroot.engine.status.PolicyTally;
import dev.nonroot.engine.status.StatusFold;
import dev.nonroot.engine.status.Verdict;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Everything the operator remembers per workload, in one place: the verdict of its last decision,
 * the policy set that decision was made under, and whether it holds a booked patch slot. The
 * workload controllers write it once per workload change; the policy status controller only reads
 * it, and is woken for exactly the policies whose view changed.
 */
final class VerdictIndex {
  /**
   * @param policies the {@link dev.nonroot.engine.PolicySet#fingerprint()} the verdict was made
   *     under: a status pass waits until every verdict is current
   * @param booked the workload waits for its booked patch slot and must not book another
   */
  record State(Verdict verdict, String policies, boolean booked) {}

  /** A workload cache the index must cover before a status may be written. */
  interface Source {
    Stream<? extends HasMetadata> cached();

    ObjectRef ref(HasMetadata cached);
  }

  private final Map<ObjectRef, State> states = new ConcurrentHashMap<>();

  /**
   * Each policy's running sum of the verdicts, kept from its first status pass on. Guards every
   * change of {@link #states} too, so a tally sees each verdict come and go exactly once, and the
   * fields below.
   */
  private final Map<String, PolicyTally> tallies = new HashMap<>();

  /** Records on Services, parsed once per resourceVersion. */
  private final Map<ObjectRef, ServiceRecord> services = new HashMap<>();

  private final List<Source> sources = new ArrayList<>();
  private volatile Consumer<Set<String>> listener = policies -> {};

  /** Set once every controller has started, i.e. every workload cache has synced. */
  private volatile boolean open;

  /**
   * The fingerprint a full look found every cached workload decided under, kept while every verdict
   * put since was made under it too. The full look was 40 % of a status pass at 10,000 workloads,
   * once a second. A workload that arrives later is folded once it is decided, like any other
   * change; a start or a spec change (verdicts under another fingerprint) needs the full look
   * again. Written under the {@link #tallies} lock, read without it.
   */
  private volatile String currentFor;

  /**
   * Counts the verdicts put under another fingerprint than {@link #currentFor}, and new sources.
   */
  private long mixed;

  /** Called with the names of the policies whose status may have changed. */
  void onChange(Consumer<Set<String>> listener) {
    this.listener = listener;
  }

  /**
   * The workload caches are synced from now on: before that, an empty or half-filled cache would
   * make a status of nothing look complete.
   */
  void open() {
    open = true;
  }

  synchronized void cover(Source source) {
    sources.add(source);
    synchronized (tallies) {
      mixed();
    }
  }

  State state(ObjectRef ref) {
    return states.get(ref);
  }

  void put(ObjectRef ref, State next) {
    State previous;
    synchronized (tallies) {
      previous = states.put(ref, next);
      retally(previous == null ? null : previous.verdict(), next.verdict());
      // With the write, under one lock: a look that read the state before it sees the count move.
      if (!next.policies().equals(currentFor)) mixed();
    }
    Verdict before = previous == null ? null : previous.verdict();
    if (before == null || !before.equals(next.verdict())) notify(before, next.verdict());
  }

  void remove(ObjectRef ref) {
    State previous;
    synchronized (tallies) {
      previous = states.remove(ref);
      if (previous != null) retally(previous.verdict(), null);
    }
    if (previous != null) notify(previous.verdict(), null);
  }

  /** Takes a workload's verdict out of the tallies it counted in and puts its next one in. */
  private void retally(Verdict before, Verdict after) {
    if (tallies.isEmpty() || before == after) return;
    Set<String> policies = new LinkedHashSet<>();
    if (before != null) policies.addAll(before.policies());
    if (after != null) policies.addAll(after.policies());
    for (String policy : policies) {
      PolicyTally tally = tallies.get(policy);
      if (tally == null) continue;
      tally.replace(before, after);
    }
  }

  /**
   * The policy's status as {@link StatusFold#fold} folds it from every verdict, read from the
   * policy's tally: built from every verdict on the first pass (and when the policy's mode or
   * onDelete changes), then kept up to date by each verdict put, so a pass costs the same at 100
   * workloads and at 100,000.
   */
  NonRootPolicyStatus fold(
      ResolvedPolicy policy,
      Map<String, List<Verdict.Listed>> serviceChanges,
      NonRootPolicyStatus previous,
      String now) {
    if (policy.acting() == null) {
      // Nothing to count: the status says why the spec cannot act.
      return StatusFold.fold(policy, List.of(), serviceChanges, previous, now);
    }
    PolicyTally shown;
    synchronized (tallies) {
      String name = policy.acting().name();
      PolicyTally tally = tallies.get(name);
      if (tally == null || !tally.view().equals(PolicyTally.View.of(policy.acting()))) {
        tally = PolicyTally.of(policy.acting(), previous, verdicts());
        tallies.put(name, tally);
      }
      // Rendered outside: sorting the newest changes held every decision back for 25 ms a pass.
      shown = tally.copy(StatusFold.VIOLATING_LISTED, StatusFold.CHANGES_BUDGET_BYTES);
    }
    return StatusFold.render(policy, shown, serviceChanges, previous, now);
  }

  /** Drops a deleted policy's tally. */
  void forget(String policy) {
    synchronized (tallies) {
      tallies.remove(policy);
    }
  }

  Collection<Verdict> verdicts() {
    List<Verdict> out = new ArrayList<>(states.size());
    for (State s : states.values()) out.add(s.verdict());
    return out;
  }

  /**
   * Whether a fold shows the cluster as it is under {@code policies}, not half of it after a start
   * nor a mix of old and new specs: every cached workload has a verdict made under them. Once true,
   * it stays true until a verdict under other policies is put or a cache is added: a workload that
   * arrives later is folded when it is decided, like any other change. Under constant churn the
   * full look may find a verdict put while it looked and say true without remembering it; it is
   * then taken again on the next pass.
   */
  boolean current(String policies) {
    if (!open) return false;
    if (policies.equals(currentFor)) return true;
    long before;
    synchronized (tallies) {
      before = mixed;
    }
    List<Source> all;
    synchronized (this) {
      all = List.copyOf(sources);
    }
    for (Source source : all) {
      boolean complete =
          source
              .cached()
              .allMatch(
                  r -> {
                    State s = states.get(source.ref(r));
                    return s != null && s.policies().equals(policies);
                  });
      if (!complete) return false;
    }
    synchronized (tallies) {
      // A verdict under another fingerprint put during the look may have been missed by it.
      if (mixed == before) currentFor = policies;
    }
    return true;
  }

  /** Under the {@link #tallies} lock. */
  private void mixed() {
    mixed++;
    currentFor = null;
  }

  private record ServiceRecord(
      String resourceVersion, Map<String, List<Verdict.Listed>> byPolicy) {}

  /**
   * The changes recorded on {@code recorded} (every Service that carries a record), by policy.
   * Services no longer in the list are forgotten.
   */
  synchronized Map<String, List<Verdict.Listed>> serviceChanges(List<Service> recorded) {
    Map<ObjectRef, ServiceRecord> next = new HashMap<>();
    Map<String, List<Verdict.Listed>> out = new HashMap<>();
    for (Service s : recorded) {
      ObjectRef ref =
          new ObjectRef("Service", s.getMetadata().getNamespace(), s.getMetadata().getName());
      String version = String.valueOf(s.getMetadata().getResourceVersion());
      ServiceRecord r = services.get(ref);
      if (r == null || !r.resourceVersion().equals(version)) {
        r = new ServiceRecord(version, Verdict.patchedBy(ref, WorkloadWriter.recordOf(s)));
      }
      next.put(ref, r);
      r.byPolicy()
          .forEach(
              (policy, listed) ->
                  out.computeIfAbsent(policy, k -> new ArrayList<>()).addAll(listed));
    }
    services.clear();
    services.putAll(next);
    return out;
  }

  private void notify(Verdict before, Verdict after) {
    Set<String> policies = new LinkedHashSet<>();
    if (before != null) policies.addAll(before.policies());
    if (after != null) policies.addAll(after.policies());
    if (!policies.isEmpty()) listener.accept(policies);
  }
}
