package dev.nonroot.engine.status;

import dev.nonroot.api.NonRootPolicyStatus;
import dev.nonroot.api.OnDeleteMode;
import dev.nonroot.api.PolicyMode;
import dev.nonroot.api.RecordedChange;
import dev.nonroot.api.ViolatingWorkload;
import dev.nonroot.engine.policy.EffectivePolicy;
import dev.nonroot.engine.rules.Outcome;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.function.ObjIntConsumer;

/**
 * What the verdicts add up to in one policy's status, kept as a running sum: a verdict is added
 * when a workload is decided and taken out again when it is decided anew or deleted, so a status
 * pass reads the sums instead of folding every workload (at 10,000 workloads that fold took a tenth
 * of a second, once a second, while new workloads waited for their patches). {@link StatusFold}
 * folds a whole collection through the same two methods, so both ways count alike.
 *
 * <p>Not thread-safe: the owner serializes adds, removes and reads.
 */
public final class PolicyTally {
  /** The policy's properties a verdict's share depends on: another view needs a new tally. */
  public record View(String name, boolean restorer, boolean audit) {
    public static View of(EffectivePolicy policy) {
      return new View(
          policy.name(),
          policy.onDelete() == OnDeleteMode.Revert,
          policy.mode() == PolicyMode.Audit);
    }
  }

  /** The changes listed for one second of their recorded time. */
  private static final class Second {
    int bytes;
    final Map<Verdict.Listed, Integer> changes = new HashMap<>();
  }

  private final View view;

  /**
   * First-seen times of WouldPatch changes in the status this tally started from: an earlier
   * process saw them first.
   */
  private final Map<String, String> previousTimes = new HashMap<>();

  /** The status's counters: one table for counting, copying and showing them. */
  enum Counter {
    MATCHED(NonRootPolicyStatus::setMatched),
    COMPLIANT(NonRootPolicyStatus::setCompliant),
    REMEDIATED(NonRootPolicyStatus::setRemediated),
    VIOLATIONS(NonRootPolicyStatus::setViolations),
    FAILED(NonRootPolicyStatus::setFailed),
    EXEMPT(NonRootPolicyStatus::setExempt),
    NEEDS_ROOT(NonRootPolicyStatus::setNeedsRoot),
    OVERRIDDEN(NonRootPolicyStatus::setOverridden),
    PENDING(NonRootPolicyStatus::setPending),
    ROLLING_OUT(NonRootPolicyStatus::setRollingOut),
    RESTORING(NonRootPolicyStatus::setRestoring),
    VERIFIED(NonRootPolicyStatus::setVerified),
    UNVERIFIED(NonRootPolicyStatus::setUnverified),
    REVERTED(NonRootPolicyStatus::setReverted),
    GITOPS(NonRootPolicyStatus::setGitops),
    CONFLICTS(NonRootPolicyStatus::setConflicts);

    final ObjIntConsumer<NonRootPolicyStatus> show;

    Counter(ObjIntConsumer<NonRootPolicyStatus> show) {
      this.show = show;
    }
  }

  private final int[] counts = new int[Counter.values().length];

  final Map<String, Integer> reasons = new TreeMap<>();
  final Map<String, Integer> overlaps = new TreeMap<>();

  /** Violating workloads by namespace, kind and name: the order the status lists them in. */
  private final TreeMap<String, ViolatingWorkload> violating = new TreeMap<>();

  private final TreeMap<String, Second> seconds = new TreeMap<>();
  private int changeCount;

  private PolicyTally(View view, NonRootPolicyStatus previous) {
    this.view = view;
    if (previous != null) {
      for (RecordedChange c : previous.getWorkloadChanges()) {
        if (Verdict.WOULD_PATCH.equals(c.getAction())) {
          previousTimes.put(Verdict.key(c), c.getTime());
        }
      }
    }
  }

  /**
   * An empty tally for {@code policy}; {@code previous} is the status the policy has now (null if
   * none), whose WouldPatch first-seen times are kept.
   */
  public static PolicyTally of(EffectivePolicy policy, NonRootPolicyStatus previous) {
    return new PolicyTally(View.of(policy), previous);
  }

  /** A tally of {@code verdicts}, one per workload. */
  public static PolicyTally of(
      EffectivePolicy policy, NonRootPolicyStatus previous, Collection<Verdict> verdicts) {
    PolicyTally tally = of(policy, previous);
    for (Verdict v : verdicts) tally.add(v);
    return tally;
  }

  public View view() {
    return view;
  }

  public void add(Verdict v) {
    count(v, 1);
  }

  public void remove(Verdict v) {
    count(v, -1);
  }

  /**
   * A workload decided anew ({@code after} null: deleted; {@code before} null: new). A WouldPatch
   * change that its workload no longer has loses the first-seen time an earlier process gave it: if
   * it comes back, it is first seen then, as a fold of the status written since would show it.
   */
  public void replace(Verdict before, Verdict after) {
    if (before != null) remove(before);
    if (after != null) add(after);
    if (before == null || previousTimes.isEmpty() || before.wouldPatch().isEmpty()) return;
    for (Verdict.Listed l : before.wouldPatch()) {
      String key = Verdict.key(l.change());
      if (after == null
          || after.wouldPatch().stream().noneMatch(a -> key.equals(Verdict.key(a.change())))) {
        previousTimes.remove(key);
      }
    }
  }

  private void count(Verdict v, int sign) {
    String name = view.name();
    if (view.restorer() && StatusFold.restoreLeft(name, v))
      counts[Counter.RESTORING.ordinal()] += sign;
    if (v.rollout() != null && name.equals(v.rollout().policy())) {
      switch (v.rollout().phase()) {
        case RollingOut -> counts[Counter.ROLLING_OUT.ordinal()] += sign;
        case Verified -> counts[Counter.VERIFIED.ordinal()] += sign;
        case Unverified -> counts[Counter.UNVERIFIED.ordinal()] += sign;
        case Reverted, Failed -> counts[Counter.REVERTED.ordinal()] += sign;
        default -> {}
      }
    }
    if (!v.matching().contains(name)) return;
    counts[Counter.MATCHED.ordinal()] += sign;
    for (String other : v.matching()) {
      if (!other.equals(name)) merge(overlaps, other, sign);
    }
    List<Verdict.Listed> mine = v.patched().getOrDefault(name, List.of());
    if (!mine.isEmpty()) counts[Counter.REMEDIATED.ordinal()] += sign;
    for (Verdict.Listed l : mine) change(l, sign);
    if (!name.equals(v.governing())) {
      counts[Counter.OVERRIDDEN.ordinal()] += sign;
      return;
    }
    switch (v.outcome()) {
      case Exempt -> counts[Counter.EXEMPT.ordinal()] += sign;
      case Compliant -> counts[Counter.COMPLIANT.ordinal()] += sign;
      case NeedsRoot -> {
        counts[Counter.NEEDS_ROOT.ordinal()] += sign;
        counts[Counter.VIOLATIONS.ordinal()] += sign;
        for (String r : v.needsRootReasons()) merge(reasons, r, sign);
      }
      case NonCompliant, Unresolved -> {
        counts[Counter.VIOLATIONS.ordinal()] += sign;
        // A workload left to Argo CD or Flux is reported, never patched: nothing is pending.
        if (v.outcome() == Outcome.NonCompliant && !held(v) && v.gitops() == null) {
          counts[Counter.PENDING.ordinal()] += sign;
        }
      }
    }
    if (v.gitops() != null) counts[Counter.GITOPS.ordinal()] += sign;
    if (v.violation() != null) {
      if (v.violation().state().equals(Verdict.CONFLICT))
        counts[Counter.CONFLICTS.ordinal()] += sign;
      String key = v.ref().namespace() + '\0' + v.ref().kind() + '\0' + v.ref().name();
      if (sign > 0) {
        violating.put(
            key,
            new ViolatingWorkload(
                v.ref().kind(),
                v.ref().namespace(),
                v.ref().name(),
                v.violation().state(),
                v.violation().reason()));
      } else {
        violating.remove(key);
      }
    }
    if (v.outcome() == Outcome.NonCompliant
        && v.failure() != null
        && v.failure().policy().equals(name)) {
      counts[Counter.FAILED.ordinal()] += sign;
    }
    if (view.audit() || v.gitops() != null) {
      for (Verdict.Listed l : v.wouldPatch()) change(firstSeen(l), sign);
    }
  }

  private static void merge(Map<String, Integer> counts, String key, int sign) {
    counts.merge(key, sign, (a, b) -> a + b == 0 ? null : a + b);
  }

  private void change(Verdict.Listed l, int sign) {
    String time = l.change().getTime();
    Second s = seconds.computeIfAbsent(time, t -> new Second());
    s.bytes += sign * l.bytes();
    s.changes.merge(l, sign, (a, b) -> a + b == 0 ? null : a + b);
    if (s.changes.isEmpty()) seconds.remove(time);
    changeCount += sign;
  }

  /**
   * A workload whose remediation broke its rollout and is held back, or whose fix someone keeps
   * setting back: not pending any more.
   */
  private static boolean held(Verdict v) {
    return v.violation() != null
        && (v.violation().state().equals("Reverted")
            || v.violation().state().equals("Failed")
            || v.violation().state().equals(Verdict.CONFLICT));
  }

  /**
   * A WouldPatch change keeps the older of its two first-seen times: the verdict's (this process)
   * and the previous status's (an earlier process, before a restart).
   */
  private Verdict.Listed firstSeen(Verdict.Listed l) {
    String earlier = previousTimes.get(Verdict.key(l.change()));
    if (earlier == null || earlier.compareTo(l.change().getTime()) >= 0) return l;
    RecordedChange c = l.change();
    RecordedChange copy =
        new RecordedChange(
            c.getKind(),
            c.getNamespace(),
            c.getName(),
            c.getContainer(),
            c.getField(),
            c.getFrom(),
            c.getTo(),
            c.getAction(),
            c.getRule(),
            earlier);
    return new Verdict.Listed(copy, l.bytes());
  }

  /**
   * A copy holding what a status shows, to render while this tally takes further verdicts: the
   * counts, the first {@code violatingListed} violating workloads, and the changes of the newest
   * seconds back to the one where this tally's changes alone fill {@code budgetBytes} (a status
   * that adds Services' changes fills it sooner, never later).
   */
  public PolicyTally copy(int violatingListed, int budgetBytes) {
    PolicyTally c = new PolicyTally(view, null);
    System.arraycopy(counts, 0, c.counts, 0, counts.length);
    c.reasons.putAll(reasons);
    c.overlaps.putAll(overlaps);
    for (Map.Entry<String, ViolatingWorkload> e : violating.entrySet()) {
      if (c.violating.size() == violatingListed) break;
      c.violating.put(e.getKey(), e.getValue());
    }
    int bytes = 1;
    for (Map.Entry<String, Second> e : seconds.descendingMap().entrySet()) {
      Second copy = new Second();
      copy.bytes = e.getValue().bytes;
      copy.changes.putAll(e.getValue().changes);
      c.seconds.put(e.getKey(), copy);
      if (bytes + copy.bytes > budgetBytes) break;
      bytes += copy.bytes;
    }
    c.changeCount = changeCount;
    return c;
  }

  int get(Counter c) {
    return counts[c.ordinal()];
  }

  /** The first {@code max} violating workloads, by namespace, kind and name. */
  List<ViolatingWorkload> violating(int max) {
    List<ViolatingWorkload> out = new ArrayList<>(Math.min(max, violating.size()));
    Iterator<ViolatingWorkload> it = violating.values().iterator();
    while (out.size() < max && it.hasNext()) out.add(it.next());
    return out;
  }

  /** Bytes of the listed changes per second of their time, newest first. */
  Iterator<Map.Entry<String, Integer>> bytesNewestFirst() {
    Iterator<Map.Entry<String, Second>> it = seconds.descendingMap().entrySet().iterator();
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return it.hasNext();
      }

      @Override
      public Map.Entry<String, Integer> next() {
        Map.Entry<String, Second> e = it.next();
        return Map.entry(e.getKey(), e.getValue().bytes);
      }
    };
  }

  /** Every listed change whose time is {@code oldest} or later. */
  void changesFrom(String oldest, List<Verdict.Listed> into) {
    NavigableMap<String, Second> tail = seconds.tailMap(oldest, true);
    for (Second s : tail.values()) {
      s.changes.forEach(
          (l, times) -> {
            for (int i = 0; i < times; i++) into.add(l);
          });
    }
  }

  /** How many changes are listed, within the budget or not. */
  int changeCount() {
    return changeCount;
  }
}
