package dev.nonroot.operator;

import dev.nonroot.engine.model.ObjectRef;
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

  /** Records on Services, parsed once per resourceVersion. */
  private final Map<ObjectRef, ServiceRecord> services = new HashMap<>();

  private final List<Source> sources = new ArrayList<>();
  private volatile Consumer<Set<String>> listener = policies -> {};

  /** Set once every controller has started, i.e. every workload cache has synced. */
  private volatile boolean open;

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
  }

  State state(ObjectRef ref) {
    return states.get(ref);
  }

  void put(ObjectRef ref, State next) {
    State previous = states.put(ref, next);
    Verdict before = previous == null ? null : previous.verdict();
    if (before == null || !before.equals(next.verdict())) notify(before, next.verdict());
  }

  void remove(ObjectRef ref) {
    State previous = states.remove(ref);
    if (previous != null) notify(previous.verdict(), null);
  }

  Collection<Verdict> verdicts() {
    List<Verdict> out = new ArrayList<>(states.size());
    for (State s : states.values()) out.add(s.verdict());
    return out;
  }

  /**
   * Whether every cached workload has a verdict made under {@code policies}: only then does a fold
   * show the cluster as it is (not half of it after a start, nor a mix of old and new specs).
   */
  boolean current(String policies) {
    if (!open) return false;
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
    return true;
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
