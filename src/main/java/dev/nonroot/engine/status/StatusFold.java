package dev.nonroot.engine.status;

import dev.nonroot.api.NonRootPolicyStatus;
import dev.nonroot.api.OnDeleteMode;
import dev.nonroot.api.PolicyMode;
import dev.nonroot.api.RecordedChange;
import dev.nonroot.api.ViolatingWorkload;
import dev.nonroot.engine.Governor;
import dev.nonroot.engine.policy.EffectivePolicy;
import dev.nonroot.engine.policy.ResolvedPolicy;
import dev.nonroot.engine.rollout.RolloutState;
import dev.nonroot.engine.rules.Outcome;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
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
          .thenComparing(c -> c.getTo() == null ? "" : c.getTo());

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
    String name = self.name();
    Map<String, String> previousTimes = new HashMap<>();
    for (RecordedChange c : before.getWorkloadChanges()) {
      if (Verdict.WOULD_PATCH.equals(c.getAction())) previousTimes.put(Verdict.key(c), c.getTime());
    }

    Counts n = new Counts();
    Map<String, Integer> reasons = new TreeMap<>();
    Map<String, Integer> overlaps = new TreeMap<>();
    List<Verdict.Listed> changes = new ArrayList<>();
    List<ViolatingWorkload> violating = new ArrayList<>();
    boolean restorer = self.onDelete() == OnDeleteMode.Revert;
    for (Verdict v : verdicts) {
      if (restorer && restoreLeft(name, v)) n.restoring++;
      if (v.rollout() != null && name.equals(v.rollout().policy())) {
        switch (v.rollout().phase()) {
          case RollingOut -> n.rollingOut++;
          case Verified -> n.verified++;
          case Unverified -> n.unverified++;
          case Reverted, Failed -> n.reverted++;
        }
      }
      List<Verdict.Listed> mine = v.patched().getOrDefault(name, List.of());
      if (!v.matching().contains(name)) {
        continue;
      }
      n.matched++;
      for (String other : v.matching()) {
        if (!other.equals(name)) overlaps.merge(other, 1, Integer::sum);
      }
      if (!mine.isEmpty()) n.remediated++;
      changes.addAll(mine);
      if (!name.equals(v.governing())) {
        n.overridden++;
        continue;
      }
      switch (v.outcome()) {
        case Exempt -> n.exempt++;
        case Compliant -> n.compliant++;
        case NeedsRoot -> {
          n.needsRoot++;
          n.violations++;
          v.needsRootReasons().forEach(r -> reasons.merge(r, 1, Integer::sum));
        }
        case NonCompliant, Unresolved -> {
          n.violations++;
          // A workload left to Argo CD or Flux is reported, never patched: nothing is pending.
          if (v.outcome() == Outcome.NonCompliant && !held(v) && v.gitops() == null) n.pending++;
        }
      }
      if (v.gitops() != null) n.gitops++;
      if (v.violation() != null && v.violation().state().equals(Verdict.CONFLICT)) n.conflicts++;
      if (v.violation() != null) {
        violating.add(
            new ViolatingWorkload(
                v.ref().kind(),
                v.ref().namespace(),
                v.ref().name(),
                v.violation().state(),
                v.violation().reason()));
      }
      if (v.outcome() == Outcome.NonCompliant
          && v.failure() != null
          && v.failure().policy().equals(name)) {
        n.failed++;
      }
      if (self.mode() == PolicyMode.Audit || v.gitops() != null) {
        for (Verdict.Listed l : v.wouldPatch()) changes.add(firstSeen(l, previousTimes));
      }
    }
    changes.addAll(serviceChanges.getOrDefault(name, List.of()));
    status.setMatched(n.matched);
    status.setCompliant(n.compliant);
    status.setRemediated(n.remediated);
    status.setViolations(n.violations);
    status.setFailed(n.failed);
    status.setExempt(n.exempt);
    status.setNeedsRoot(n.needsRoot);
    status.setOverridden(n.overridden);
    status.setNeedsRootReasons(reasons);
    status.setPending(self.mode() == PolicyMode.Enforce ? n.pending : 0);
    status.setRollingOut(n.rollingOut);
    status.setRestoring(n.restoring);
    status.setVerified(n.verified);
    status.setUnverified(n.unverified);
    status.setReverted(n.reverted);
    status.setGitops(n.gitops);
    status.setConflicts(n.conflicts);
    violating.sort(
        Comparator.comparing(ViolatingWorkload::getNamespace)
            .thenComparing(ViolatingWorkload::getKind)
            .thenComparing(ViolatingWorkload::getName));
    status.setViolating(
        new ArrayList<>(violating.subList(0, Math.min(VIOLATING_LISTED, violating.size()))));
    bound(changes, status);
    status.setConditions(conditions(self, n, overlaps, conditions).build());
    if (!policy.valid()) {
      status.setConditions(held(policy, n, conditions).build());
      status.setHeldSpec(policy.heldFrom().spec());
      status.setHeldGeneration(policy.heldGeneration());
    }
    return status;
  }

  private static final class Counts {
    int matched;
    int compliant;
    int remediated;
    int violations;
    int failed;
    int exempt;
    int needsRoot;
    int overridden;
    int pending;
    int rollingOut;
    int restoring;
    int verified;
    int unverified;
    int reverted;
    int gitops;
    int conflicts;
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

  private static Conditions conditions(
      EffectivePolicy self, Counts n, Map<String, Integer> overlaps, Conditions conditions) {
    conditions.set(Conditions.VALID, true, "Valid", "the spec is valid");
    String needsRootNote =
        (n.needsRoot == 0 ? "" : "; " + n.needsRoot + " need root and are left unchanged")
            // Patched is done for Ready; the rollouts are followed and counted, not waited for,
            // so a policy does not flap every time it patches a new workload.
            + (n.rollingOut == 0 ? "" : "; " + n.rollingOut + " rollouts being followed")
            + (n.reverted == 0
                ? ""
                : "; "
                    + n.reverted
                    + " reverted after their rollout failed (see their RemediationReverted"
                    + " Events)")
            + (n.gitops == 0
                ? ""
                : "; "
                    + n.gitops
                    + " managed by Argo CD or Flux are left to them (spec.gitops), their fixes"
                    + " belong in Git");
    if (self.mode() == PolicyMode.Audit) {
      conditions.set(
          Conditions.READY,
          true,
          "Audited",
          n.pending + " of " + n.matched + " matched workloads would be patched" + needsRootNote);
    } else if (n.failed > 0) {
      conditions.set(
          Conditions.READY,
          false,
          "RemediationFailed",
          n.failed + " workloads could not be patched; see their Events");
    } else if (n.pending > 0) {
      conditions.set(
          Conditions.READY, false, "Remediating", n.pending + " workloads still to patch");
    } else {
      conditions.set(
          Conditions.READY,
          true,
          "Converged",
          n.compliant + " of " + n.matched + " matched workloads comply" + needsRootNote);
    }
    if (overlaps.isEmpty()) {
      conditions.set(
          Conditions.OVERLAPPING, false, "NoOverlap", "no other policy matches these workloads");
    } else {
      StringBuilder m = new StringBuilder();
      overlaps.forEach(
          (other, count) -> {
            if (m.length() > 0) m.append("; ");
            m.append(count).append(" workloads also matched by ").append(other);
          });
      m.append(" (highest spec.priority acts, then name order); ")
          .append(n.overridden)
          .append(" handled by another policy");
      conditions.set(Conditions.OVERLAPPING, true, "OverlappingPolicies", m.toString());
    }
    return conditions;
  }

  /** An invalid policy holding its workloads: Valid and Ready say so, the rest stays as counted. */
  private static Conditions held(ResolvedPolicy policy, Counts n, Conditions conditions) {
    String holds =
        "holds "
            + (n.matched - n.overridden)
            + " workloads with its last valid spec (generation "
            + policy.heldGeneration()
            + ") until the spec is fixed";
    return conditions
        .set(Conditions.VALID, false, "InvalidSpec", policy.error().getMessage() + "; " + holds)
        .set(Conditions.READY, false, "HeldWithLastValidSpec", "the policy " + holds);
  }

  /**
   * A WouldPatch change keeps the older of its two first-seen times: the verdict's (this process)
   * and the previous status's (an earlier process, before a restart).
   */
  private static Verdict.Listed firstSeen(Verdict.Listed l, Map<String, String> previousTimes) {
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
   * Keeps the newest changes within the byte budget; the rest is counted in truncated. Only the
   * changes from the second in which the budget runs out onwards are sorted: with 10,000 workloads
   * remediated, sorting all of them took a tenth of the operator's time, once a second.
   */
  private static void bound(List<Verdict.Listed> changes, NonRootPolicyStatus status) {
    Map<String, Integer> bytesPerSecond = new HashMap<>();
    for (Verdict.Listed l : changes) {
      bytesPerSecond.merge(l.change().getTime(), l.bytes(), Integer::sum);
    }
    List<String> seconds = new ArrayList<>(bytesPerSecond.keySet());
    seconds.sort(Comparator.reverseOrder());
    // Each listed size counts its separator; the array adds "[" and "]" and one separator fewer.
    int bytes = 1;
    String oldest = null;
    for (String second : seconds) {
      oldest = second;
      int size = bytesPerSecond.get(second);
      if (bytes + size > CHANGES_BUDGET_BYTES) break;
      bytes += size;
    }
    List<Verdict.Listed> newest = new ArrayList<>();
    for (Verdict.Listed l : changes) {
      if (oldest != null && l.change().getTime().compareTo(oldest) >= 0) newest.add(l);
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
    status.setTruncated(changes.size() - kept.size());
  }
}
