package dev.nonroot.engine.status;

import dev.nonroot.api.NonRootPolicyStatus;
import dev.nonroot.api.PolicyMode;
import dev.nonroot.api.RecordedChange;
import dev.nonroot.engine.Governor;
import dev.nonroot.engine.policy.EffectivePolicy;
import dev.nonroot.engine.policy.ResolvedPolicy;
import dev.nonroot.engine.rollout.RolloutState;
import dev.nonroot.engine.rules.Outcome;
import dev.nonroot.engine.status.PolicyTally.Counter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A policy's status as a pure fold over the verdicts of every workload and the records on Services:
 * counters, conditions and the bounded list of changes. No I/O and no evaluation, so it costs the
 * same whether a pass follows a storm of changes or nothing at all, and a restarted operator folds
 * the same verdicts into the same status.
 */
public final class StatusFold {
  /** The changes list stays under this many bytes of JSON; etcd and every watcher pay for it. */
  public static final int CHANGES_BUDGET_BYTES = 200 * 1024;

  /** How many violating workloads the status names; the violations counter counts them all. */
  public static final int VIOLATING_LISTED = 50;

  private static final Comparator<RecordedChange> ORDER =
      Comparator.comparing(RecordedChange::getTime)
          .thenComparing(RecordedChange::getNamespace)
          .thenComparing(RecordedChange::getKind)
          .thenComparing(RecordedChange::getName)
          .thenComparing(RecordedChange::getField)
          // Whole-second times tie often: the rest keeps the order independent of map iteration.
          .thenComparing(RecordedChange::getAction)
          .thenComparing(c -> c.getContainer() == null ? "" : c.getContainer())
          .thenComparing(c -> c.getTo() == null ? "" : c.getTo())
          // The rest too: equal changes in two orders would list differently at the budget's edge.
          .thenComparing(c -> c.getFrom() == null ? "" : c.getFrom())
          .thenComparing(c -> c.getRule() == null ? "" : c.getRule());

  private StatusFold() {}

  /**
   * @param policy the policy, as resolved from its current spec
   * @param verdicts one verdict per workload in the cluster
   * @param serviceChanges recorded changes on Services, by the policy that made them
   * @param previous the status the policy has now (null if none): keeps condition transition times
   *     and the first-seen time of WouldPatch changes across restarts
   * @param now the time of this pass, RFC 3339
   */
  public static NonRootPolicyStatus fold(
      ResolvedPolicy policy,
      Collection<Verdict> verdicts,
      Map<String, List<Verdict.Listed>> serviceChanges,
      NonRootPolicyStatus previous,
      String now) {
    PolicyTally tally =
        policy.acting() == null ? null : PolicyTally.of(policy.acting(), previous, verdicts);
    return render(policy, tally, serviceChanges, previous, now);
  }

  /**
   * The status a tally of every verdict adds up to: what {@link #fold} returns for the same
   * verdicts, without looking at each of them again.
   *
   * @param tally the policy's tally, of the view of {@code policy.acting()}; null when the policy
   *     has no spec to act on
   */
  public static NonRootPolicyStatus render(
      ResolvedPolicy policy,
      PolicyTally tally,
      Map<String, List<Verdict.Listed>> serviceChanges,
      NonRootPolicyStatus previous,
      String now) {
    NonRootPolicyStatus before = previous == null ? new NonRootPolicyStatus() : previous;
    NonRootPolicyStatus status = new NonRootPolicyStatus();
    status.setObservedGeneration(policy.generation());
    Conditions conditions = new Conditions(before.getConditions(), policy.generation(), now);
    if (policy.acting() == null) {
      status.setConditions(
          conditions
              .set(Conditions.VALID, false, "InvalidSpec", policy.error().getMessage())
              .set(
                  Conditions.READY,
                  false,
                  "InvalidSpec",
                  "the policy is not applied until its spec is fixed")
              .build());
      return status;
    }
    // Valid, or invalid but holding its workloads with its last valid spec: counted the same way.
    EffectivePolicy self = policy.acting();
    if (!tally.view().equals(PolicyTally.View.of(self))) {
      throw new IllegalArgumentException(
          "a tally for " + tally.view() + " cannot show " + PolicyTally.View.of(self));
    }
    for (Counter c : Counter.values()) c.show.accept(status, tally.get(c));
    status.setNeedsRootReasons(new TreeMap<>(tally.reasons));
    // Audit patches nothing: nothing is pending (its would-be patches are the violations).
    if (self.mode() != PolicyMode.Enforce) status.setPending(0);
    status.setViolating(tally.violating(VIOLATING_LISTED));
    bound(tally, serviceChanges.getOrDefault(self.name(), List.of()), status);
    status.setConditions(conditions(self, tally, conditions).build());
    if (!policy.valid()) {
      status.setConditions(held(policy, tally, conditions).build());
      status.setHeldSpec(policy.heldFrom().spec());
      status.setHeldGeneration(policy.heldGeneration());
    }
    return status;
  }

  /**
   * Whether the workload still has changes of {@code policy} (spec.onDelete: Revert) to put back,
   * or its restore is rolling out: the Governor restores what no policy governs, what is exempt,
   * and what a policy that never writes to it governs.
   */
  static boolean restoreLeft(String policy, Verdict v) {
    if (v.rollout() != null
        && v.rollout().phase() == RolloutState.Phase.Restoring
        && policy.equals(v.rollout().policy())) {
      return true;
    }
    if (v.patched().getOrDefault(policy, List.of()).isEmpty()) return false;
    return Governor.leftToRestore(
        !v.matching().isEmpty(),
        v.outcome() == Outcome.Exempt && v.gitops() == null,
        v.governingWrites(),
        v.matching().contains(policy));
  }

  /**
   * How many workloads keep changes of {@code policy} (spec.onDelete: Revert) because a policy that
   * writes to them governs them now: a deletion that waited for every other restore must not say
   * that every workload has its changes back.
   */
  public static int keptBy(String policy, Collection<Verdict> verdicts) {
    int kept = 0;
    for (Verdict v : verdicts) {
      if (!v.patched().getOrDefault(policy, List.of()).isEmpty() && !restoreLeft(policy, v)) {
        kept++;
      }
    }
    return kept;
  }

  private static Conditions conditions(EffectivePolicy self, PolicyTally n, Conditions conditions) {
    conditions.set(Conditions.VALID, true, "Valid", "the spec is valid");
    String needsRootNote =
        (n.get(Counter.NEEDS_ROOT) == 0
                ? ""
                : "; " + n.get(Counter.NEEDS_ROOT) + " need root and are left unchanged")
            // Patched is done for Ready; the rollouts are followed and counted, not waited for,
            // so a policy does not flap every time it patches a new workload.
            + (n.get(Counter.ROLLING_OUT) == 0
                ? ""
                : "; " + n.get(Counter.ROLLING_OUT) + " rollouts being followed")
            + (n.get(Counter.REVERTED) == 0
                ? ""
                : "; "
                    + n.get(Counter.REVERTED)
                    + " reverted after their rollout failed (see their RemediationReverted"
                    + " Events)")
            + (n.get(Counter.GITOPS) == 0
                ? ""
                : "; "
                    + n.get(Counter.GITOPS)
                    + " managed by Argo CD or Flux are left to them (spec.gitops), their fixes"
                    + " belong in Git");
    if (self.mode() == PolicyMode.Audit) {
      conditions.set(
          Conditions.READY,
          true,
          "Audited",
          n.get(Counter.PENDING)
              + " of "
              + n.get(Counter.MATCHED)
              + " matched workloads would be patched"
              + needsRootNote);
    } else if (n.get(Counter.FAILED) > 0) {
      conditions.set(
          Conditions.READY,
          false,
          "RemediationFailed",
          n.get(Counter.FAILED) + " workloads could not be patched; see their Events");
    } else if (n.get(Counter.PENDING) > 0) {
      conditions.set(
          Conditions.READY,
          false,
          "Remediating",
          n.get(Counter.PENDING) + " workloads still to patch");
    } else {
      conditions.set(
          Conditions.READY,
          true,
          "Converged",
          n.get(Counter.COMPLIANT)
              + " of "
              + n.get(Counter.MATCHED)
              + " matched workloads comply"
              + needsRootNote);
    }
    if (n.overlaps.isEmpty()) {
      conditions.set(
          Conditions.OVERLAPPING, false, "NoOverlap", "no other policy matches these workloads");
    } else {
      StringBuilder m = new StringBuilder();
      n.overlaps.forEach(
          (other, count) -> {
            if (m.length() > 0) m.append("; ");
            m.append(count).append(" workloads also matched by ").append(other);
          });
      m.append(" (highest spec.priority acts, then name order); ")
          .append(n.get(Counter.OVERRIDDEN))
          .append(" handled by another policy");
      conditions.set(Conditions.OVERLAPPING, true, "OverlappingPolicies", m.toString());
    }
    return conditions;
  }

  /** An invalid policy holding its workloads: Valid and Ready say so, the rest stays as counted. */
  private static Conditions held(ResolvedPolicy policy, PolicyTally n, Conditions conditions) {
    String holds =
        "holds "
            + (n.get(Counter.MATCHED) - n.get(Counter.OVERRIDDEN))
            + " workloads with its last valid spec (generation "
            + policy.heldGeneration()
            + ") until the spec is fixed";
    return conditions
        .set(Conditions.VALID, false, "InvalidSpec", policy.error().getMessage() + "; " + holds)
        .set(Conditions.READY, false, "HeldWithLastValidSpec", "the policy " + holds);
  }

  /**
   * Keeps the newest changes within the byte budget; the rest is counted in truncated. Only the
   * seconds from the newest back to the one in which the budget runs out are looked at, and only
   * their changes are sorted.
   */
  private static void bound(
      PolicyTally tally, List<Verdict.Listed> services, NonRootPolicyStatus status) {
    TreeMap<String, Integer> serviceBytes = new TreeMap<>();
    for (Verdict.Listed l : services) {
      serviceBytes.merge(l.change().getTime(), l.bytes(), Integer::sum);
    }
    Iterator<Map.Entry<String, Integer>> fromTally = tally.bytesNewestFirst();
    Iterator<Map.Entry<String, Integer>> fromServices =
        serviceBytes.descendingMap().entrySet().iterator();
    Map.Entry<String, Integer> t = fromTally.hasNext() ? fromTally.next() : null;
    Map.Entry<String, Integer> v = fromServices.hasNext() ? fromServices.next() : null;
    // Each listed size counts its separator; the array adds "[" and "]" and one separator fewer.
    int bytes = 1;
    String oldest = null;
    while (t != null || v != null) {
      String second =
          t == null
              ? v.getKey()
              : v == null || t.getKey().compareTo(v.getKey()) >= 0 ? t.getKey() : v.getKey();
      int size = 0;
      if (t != null && t.getKey().equals(second)) {
        size += t.getValue();
        t = fromTally.hasNext() ? fromTally.next() : null;
      }
      if (v != null && v.getKey().equals(second)) {
        size += v.getValue();
        v = fromServices.hasNext() ? fromServices.next() : null;
      }
      oldest = second;
      if (bytes + size > CHANGES_BUDGET_BYTES) break;
      bytes += size;
    }
    List<Verdict.Listed> newest = new ArrayList<>();
    if (oldest != null) {
      tally.changesFrom(oldest, newest);
      for (Verdict.Listed l : services) {
        if (l.change().getTime().compareTo(oldest) >= 0) newest.add(l);
      }
    }
    newest.sort(Comparator.comparing(Verdict.Listed::change, ORDER));
    bytes = 1;
    int keepFrom = newest.size();
    while (keepFrom > 0) {
      int size = newest.get(keepFrom - 1).bytes();
      if (bytes + size > CHANGES_BUDGET_BYTES) break;
      bytes += size;
      keepFrom--;
    }
    List<RecordedChange> kept = new ArrayList<>(newest.size() - keepFrom);
    for (Verdict.Listed l : newest.subList(keepFrom, newest.size())) kept.add(l.change());
    status.setWorkloadChanges(kept);
    status.setTruncated(tally.changeCount() + services.size() - kept.size());
  }
}
