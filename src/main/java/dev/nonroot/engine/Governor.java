package dev.nonroot.engine;

import dev.nonroot.api.GitOpsMode;
import dev.nonroot.api.PolicyMode;
import dev.nonroot.api.PortStrategy;
import dev.nonroot.engine.model.GitOpsOwner;
import dev.nonroot.engine.model.Inventory;
import dev.nonroot.engine.model.Workload;
import dev.nonroot.engine.policy.EffectivePolicy;
import dev.nonroot.engine.policy.PolicyMatcher;
import dev.nonroot.engine.record.ChangeRecord;
import dev.nonroot.engine.record.RecordedPatch;
import dev.nonroot.engine.record.SetBack;
import dev.nonroot.engine.rollout.RolloutState;
import dev.nonroot.engine.rollout.TemplateHash;
import dev.nonroot.engine.rollout.UserTemplate;
import dev.nonroot.engine.rules.Evaluation;
import dev.nonroot.engine.rules.Outcome;
import dev.nonroot.engine.rules.RemediationEngine;
import java.util.ArrayList;
import java.util.List;

/**
 * The one place that decides: which policy governs a workload (the matching policy with the highest
 * spec.priority, then the first name), which others overlap, what must change, and whether that
 * change is written (Enforce) or only reported (Audit). The operator, the policy status and the CLI
 * all ask here; none of them matches or evaluates on its own.
 *
 * <p>It also decides what the rollout a patch started means for the next step: while it runs the
 * workload is followed, not patched again; once a remediation was reverted it is not applied again
 * to the same template, except once with the ports kept (the sysctl) when moving them was what
 * broke it.
 *
 * <p>A workload that Argo CD or Flux manages ({@link GitOpsOwner}) is left to it in the cluster
 * under the policy's spec.gitops (Report: reported, not patched; Skip: left alone): its Git source
 * is where the fix belongs, and the scan and fix of manifests are how it gets there.
 */
public final class Governor {
  private Governor() {}

  /** Where the changes a decision asks for are written. */
  public enum Target {
    /**
     * The live object (the operator): a workload a GitOps tool manages is left to it as the
     * policy's spec.gitops says.
     */
    CLUSTER,
    /**
     * Manifests (scan, fix): the files a GitOps tool applies are the source where the fix belongs,
     * so spec.gitops holds nothing back there; the decision still names the owner.
     */
    MANIFESTS
  }

  /** The decision for the live object, as the operator makes it. */
  public static Decision decide(PolicySet policies, Workload workload, Inventory inventory) {
    return decide(policies, workload, inventory, Target.CLUSTER);
  }

  public static Decision decide(
      PolicySet policies, Workload workload, Inventory inventory, Target target) {
    EffectivePolicy governing = null;
    List<EffectivePolicy> overlapping = new ArrayList<>();
    for (EffectivePolicy p : policies.inPrecedenceOrder()) {
      if (!PolicyMatcher.matches(p, workload, inventory)) continue;
      if (governing == null) governing = p;
      else overlapping.add(p);
    }
    RolloutState rollout = RolloutState.of(workload.root()).orElse(null);
    // A restore's rollout is followed until it ends; the follower ends it at once when the
    // template is no longer the one the restore left.
    boolean live =
        rollout != null
            && (rollout.phase() == RolloutState.Phase.Restoring
                || rollout.phase() == RolloutState.Phase.RollingOut
                    && rollout.live(workload.template()));
    if (governing == null) {
      EffectivePolicy restoring = restoring(policies, workload);
      if (restoring != null) {
        return new Decision(
            workload, null, List.of(), null, Decision.Action.RESTORE, rollout, 1, null, restoring);
      }
      // A rollout the operator started is followed (and put back if it fails) even when no
      // policy matches the workload any more: the breakage would still be the operator's. So is
      // a restore's.
      return new Decision(
          workload,
          null,
          List.of(),
          null,
          live ? Decision.Action.FOLLOW : Decision.Action.NONE,
          rollout,
          1);
    }
    GitOpsOwner owner =
        governing.gitops() == GitOpsMode.Enforce ? null : GitOpsOwner.of(workload).orElse(null);
    boolean leftToOwner = owner != null && target == Target.CLUSTER;
    EffectivePolicy acting = governing;
    int attempt = 1;
    boolean held = false;
    // Only a rescue or a held remediation depends on the template (a Verified first attempt, what
    // most remediated workloads carry, does not): the reconstruction costs two deep copies and a
    // hash on every look.
    if (rollout != null
        && (rollout.attempt() > 1 || rollout.phase().held())
        && UserTemplate.hash(workload, rollout).equals(rollout.template())) {
      // Nobody but the operator changed the template since that rollout's patch: what was learnt
      // about this template still holds.
      if (rollout.attempt() > 1) {
        acting = governing.withPortStrategy(strategy(rollout, governing));
        attempt = rollout.attempt();
      }
      if (rollout.phase().held()) {
        if (rescuable(rollout, workload, governing)) {
          acting = governing.withPortStrategy(PortStrategy.Sysctl);
          attempt = 2;
        } else {
          held = true;
        }
      }
    }
    if (rolledBack(rollout, workload, live)) {
      // Someone put the template back to the one before the patch while it rolled out (kubectl
      // rollout undo, an admin's emergency brake): the same as a revert, not drift to fix again.
      held = true;
    }
    Evaluation evaluation =
        leftToOwner && governing.gitops() == GitOpsMode.Skip
            ? skipped(acting, workload, owner)
            : RemediationEngine.evaluate(
                acting,
                workload,
                held || leftToOwner || governing.mode() != PolicyMode.Enforce
                    ? inventory.withoutRunningPods()
                    : inventory);
    if (evaluation.outcome() == Outcome.Exempt
        && PolicyMatcher.exemption(workload, inventory).isPresent()) {
      EffectivePolicy restoring = restoring(policies, workload);
      if (restoring != null) {
        return restore(workload, governing, overlapping, evaluation, rollout, owner, restoring);
      }
    }
    if (target == Target.CLUSTER && !writes(governing, leftToOwner)) {
      // A policy that never writes to this workload (Audit, or left to Argo CD or Flux) starts no
      // rollout that would undo the restore: the departed policy's changes go back.
      EffectivePolicy restoring = restoring(policies, workload, governing, overlapping);
      if (restoring != null) {
        return restore(workload, governing, overlapping, evaluation, rollout, owner, restoring);
      }
    }
    Decision.Action action;
    // Something left to fix wins over following: the new patch starts the rollout to follow.
    // A policy that only reports has no patch to start: a rollout under way (a restore's, or one
    // an Enforce patch started before the policy turned to Audit) is followed to its end.
    if (!evaluation.hasPlan() || live && !writes(governing, leftToOwner))
      action = live ? Decision.Action.FOLLOW : Decision.Action.NONE;
    else if (held) action = Decision.Action.HELD;
    else if (!writes(governing, leftToOwner)) action = Decision.Action.WOULD_PATCH;
    else action = Decision.Action.PATCH;
    SetBack setBack = null;
    if (action == Decision.Action.PATCH) {
      setBack =
          SetBack.of(workload.root(), RecordedPatch.recordOf(workload.root()), evaluation.changes())
              .orElse(null);
      if (setBack != null) action = Decision.Action.CONFLICT;
    }
    return new Decision(
        workload,
        acting,
        List.copyOf(overlapping),
        evaluation,
        action,
        rollout,
        attempt,
        owner,
        null,
        setBack);
  }

  /**
   * The policy with spec.onDelete: Revert whose changes the workload gets back: asked only when no
   * policy governs it (the policy is being deleted, or the workload left its match), it is exempt,
   * or the policy that governs it never writes to it. A workload a policy that writes governs keeps
   * them: putting them back would only start a rollout for the governing policy to undo with
   * another.
   */
  private static EffectivePolicy restoring(PolicySet policies, Workload workload) {
    return restoring(policies, workload, null, List.of());
  }

  /**
   * As above, leaving out the policies that match the workload ({@code governing} and {@code
   * overlapping}): a policy that still matches has not left it, and its own changes stay while it
   * only reports (an Enforce policy turned to Audit does not take back what it did).
   */
  private static EffectivePolicy restoring(
      PolicySet policies,
      Workload workload,
      EffectivePolicy governing,
      List<EffectivePolicy> overlapping) {
    if (policies.restorers().isEmpty()) return null;
    ChangeRecord record = RecordedPatch.recordOf(workload.root());
    if (record.isEmpty()) return null;
    for (EffectivePolicy p : policies.restorers()) {
      if (governing != null && governing.name().equals(p.name())) continue;
      if (overlapping.stream().anyMatch(o -> o.name().equals(p.name()))) continue;
      for (ChangeRecord.Entry e : record.entries()) {
        if (p.name().equals(e.policy())) return p;
      }
    }
    return null;
  }

  /**
   * Whether the governing policy writes to the workload in the cluster: Enforce, and not left to
   * Argo CD or Flux by its spec.gitops.
   */
  private static boolean writes(EffectivePolicy governing, boolean leftToOwner) {
    return !leftToOwner && governing.mode() == PolicyMode.Enforce;
  }

  /**
   * Whether a workload with changes of a policy that has spec.onDelete: Revert is left for it to
   * restore: the rule above, as a verdict tells it.
   *
   * @param governed whether a policy governs it
   * @param exempt whether it is exempt (nonroot.dev/exempt)
   * @param governingWrites whether the governing policy writes to it (Enforce, not left to Argo CD
   *     or Flux)
   * @param matchesRestorer whether the restoring policy itself still matches it
   */
  public static boolean leftToRestore(
      boolean governed, boolean exempt, boolean governingWrites, boolean matchesRestorer) {
    return !governed || exempt || (!governingWrites && !matchesRestorer);
  }

  /**
   * spec.gitops: Skip. Not even evaluated: nothing about it is reported, and it counts as exempt,
   * as a workload the exempt annotation skips does.
   */
  /** A departed policy's changes go back ({@code restoring}'s record, one write). */
  private static Decision restore(
      Workload workload,
      EffectivePolicy governing,
      List<EffectivePolicy> overlapping,
      Evaluation evaluation,
      RolloutState rollout,
      GitOpsOwner owner,
      EffectivePolicy restoring) {
    return new Decision(
        workload,
        governing,
        List.copyOf(overlapping),
        evaluation,
        Decision.Action.RESTORE,
        rollout,
        1,
        owner,
        restoring);
  }

  private static Evaluation skipped(EffectivePolicy policy, Workload workload, GitOpsOwner owner) {
    return new Evaluation(
        workload,
        policy.name(),
        Outcome.Exempt,
        List.of(),
        List.of(),
        List.of(),
        List.of(),
        "managed by "
            + owner.describe()
            + " ("
            + owner.evidence()
            + "); spec.gitops: Skip leaves it to "
            + owner.tool());
  }

  /**
   * A rollout still recorded as running whose pod label is gone and whose template is again the one
   * before the patch: it was rolled back by hand.
   */
  public static boolean rolledBack(RolloutState rollout, Workload workload, boolean live) {
    return rollout != null
        && rollout.phase() == RolloutState.Phase.RollingOut
        && !live
        && TemplateHash.of(workload.template()).equals(rollout.template());
  }

  private static PortStrategy strategy(RolloutState rollout, EffectivePolicy governing) {
    for (PortStrategy s : PortStrategy.values()) {
      if (s.name().equals(rollout.strategy())) return s;
    }
    return governing.portStrategy();
  }

  /**
   * One rescue before giving up: a first attempt that moved ports and then failed is tried again
   * with the ports kept and made bindable by the sysctl, which hostNetwork pods cannot use.
   */
  private static boolean rescuable(
      RolloutState rollout, Workload workload, EffectivePolicy governing) {
    return rollout.attempt() == 1
        && rollout.movedPorts()
        && !workload.podSpec().path("hostNetwork").asBoolean(false)
        && (governing.portStrategy() == PortStrategy.Auto
            || governing.portStrategy() == PortStrategy.Remap);
  }
}
