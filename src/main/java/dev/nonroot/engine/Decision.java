package dev.nonroot.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nonroot.api.Annotations;
import dev.nonroot.api.PolicyMode;
import dev.nonroot.engine.model.FieldPath;
import dev.nonroot.engine.model.GitOpsOwner;
import dev.nonroot.engine.model.ObjectRef;
import dev.nonroot.engine.model.Trees;
import dev.nonroot.engine.model.Workload;
import dev.nonroot.engine.plan.Change;
import dev.nonroot.engine.plan.Rule;
import dev.nonroot.engine.policy.EffectivePolicy;
import dev.nonroot.engine.record.SetBack;
import dev.nonroot.engine.rollout.RolloutAssessment;
import dev.nonroot.engine.rollout.RolloutState;
import dev.nonroot.engine.rollout.TemplateHash;
import dev.nonroot.engine.rollout.Undo;
import dev.nonroot.engine.rules.Evaluation;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the engine decided for one workload: which policy governs it, which others also match it,
 * the governing policy's evaluation, and what a front end must do about it.
 *
 * @param governing the acting policy, or null when none matches (for a rescue: the policy with the
 *     port strategy the rescue uses)
 * @param overlapping the other matching policies, in precedence order
 * @param evaluation the governing policy's evaluation, or null when none matches
 * @param rollout the rollout state the workload carries, or null
 * @param attempt for PATCH: 1, or 2 for the rescue of a reverted first attempt
 * @param gitops the Argo CD or Flux application that manages the workload, when the governing
 *     policy's spec.gitops leaves it to it (Skip, Report); null otherwise
 * @param restoring for RESTORE: the policy (spec.onDelete: Revert) whose changes go back; null
 *     otherwise
 * @param setBack for CONFLICT: the field someone keeps setting back, and who; null otherwise
 */
public record Decision(
    Workload workload,
    EffectivePolicy governing,
    List<EffectivePolicy> overlapping,
    Evaluation evaluation,
    Action action,
    RolloutState rollout,
    int attempt,
    GitOpsOwner gitops,
    EffectivePolicy restoring,
    SetBack setBack) {

  public Decision(
      Workload workload,
      EffectivePolicy governing,
      List<EffectivePolicy> overlapping,
      Evaluation evaluation,
      Action action,
      RolloutState rollout,
      int attempt,
      GitOpsOwner gitops,
      EffectivePolicy restoring) {
    this(
        workload,
        governing,
        overlapping,
        evaluation,
        action,
        rollout,
        attempt,
        gitops,
        restoring,
        null);
  }

  public Decision(
      Workload workload,
      EffectivePolicy governing,
      List<EffectivePolicy> overlapping,
      Evaluation evaluation,
      Action action,
      RolloutState rollout,
      int attempt,
      GitOpsOwner gitops) {
    this(workload, governing, overlapping, evaluation, action, rollout, attempt, gitops, null);
  }

  public Decision(
      Workload workload,
      EffectivePolicy governing,
      List<EffectivePolicy> overlapping,
      Evaluation evaluation,
      Action action,
      RolloutState rollout,
      int attempt) {
    this(workload, governing, overlapping, evaluation, action, rollout, attempt, null, null);
  }

  public Decision(
      Workload workload,
      EffectivePolicy governing,
      List<EffectivePolicy> overlapping,
      Evaluation evaluation,
      Action action) {
    this(workload, governing, overlapping, evaluation, action, null, 1, null, null);
  }

  /** What a front end does with the decision. */
  public enum Action {
    /** No policy matches, or the governing one has nothing to change. */
    NONE,
    /** Enforce: write the plan (and its record) to the workload and its Services. */
    PATCH,
    /**
     * Audit, or a workload Argo CD or Flux manages under spec.gitops: Report: write nothing; report
     * the plan as what would change.
     */
    WOULD_PATCH,
    /** A rollout the operator started is under way: follow it, patch nothing until it ends. */
    FOLLOW,
    /**
     * The plan was applied to this very template before and its rollout failed: it was reverted and
     * is not applied again until the template changes or the rollout annotation is removed.
     */
    HELD,
    /**
     * A policy with spec.onDelete: Revert is being deleted, or the workload left its match, and
     * nothing else governs it: put back what that policy changed ({@link #restore}).
     */
    RESTORE,
    /**
     * Someone keeps setting back what the patch would change ({@link #setBack}): no write until the
     * workload's owner changes its spec.
     */
    CONFLICT
  }

  /**
   * The write of a RESTORE at {@code now}: the restoring policy's fields back, its entries out of
   * the record, and, when that starts a rollout to follow, the Restoring state.
   */
  public Undo restore(String now) {
    return restore(now, List.of());
  }

  /**
   * The same, given what the restore does to the Services in front of the workload ({@link
   * ServiceRestore#of}): a port move whose Service stays for another workload stays too, with the
   * probes and listen settings that moved with it, and is named as kept.
   */
  public Undo restore(String now, List<ServiceRestore> services) {
    Map<String, String> served = ServiceRestore.served(services);
    Undo plain = Undo.ofPolicy(workload.root(), restoring.name(), null, served);
    if (plain.restoredFields() == 0 || !RolloutAssessment.follows(workload.kind().name())) {
      return plain;
    }
    RolloutState state =
        new RolloutState(
            RolloutState.Phase.Restoring,
            restoring.name(),
            null,
            null,
            now,
            null,
            1,
            null,
            false,
            null,
            null,
            null,
            Map.of(),
            now);
    return Undo.ofPolicy(workload.root(), restoring.name(), state, served);
  }

  /**
   * For CONFLICT: the rollout the workload still carries as under way (the operator's own second
   * application, set back while it rolled out), ended, so it is neither counted as rolling out nor
   * followed and judged later, when the owner's own template carries the operator's values again
   * and a revert would undo them. Null when there is none to end.
   */
  public RolloutState conflictEnded(String now) {
    if (action != Action.CONFLICT || rollout == null || rollout.phase().ended()) return null;
    return rollout.ended(
        RolloutState.Phase.Conflict, "SetBack", setBack.message(), null, Map.of(), now);
  }

  public Optional<EffectivePolicy> governingPolicy() {
    return Optional.ofNullable(governing);
  }

  public boolean matched() {
    return governing != null;
  }

  /**
   * Whether the governing policy writes to the workload in the cluster: Enforce, and not left to
   * Argo CD or Flux. One that does not (Audit, gitops Report or Skip) lets a departed policy's
   * changes go back.
   */
  public boolean governingWrites() {
    return governing != null && governing.mode() == PolicyMode.Enforce && gitops == null;
  }

  /**
   * For a workload Argo CD or Flux manages: who owns it and how its fix gets to Git (null when no
   * GitOps tool manages it, or the policy enforces anyway).
   */
  public String gitopsAdvice() {
    if (gitops == null) return null;
    ObjectRef ref = workload.ref();
    return "managed by "
        + gitops.describe()
        + ": the fix belongs in Git (`kubectl get "
        + ref.kind().toLowerCase(Locale.ROOT)
        + " "
        + ref.name()
        + (ref.namespace().isEmpty() ? "" : " -n " + ref.namespace())
        + " -o yaml | nonroot-operator fix -`)";
  }

  /** Every matching policy, the governing one first. */
  public List<EffectivePolicy> matching() {
    if (governing == null) return List.of();
    List<EffectivePolicy> out = new ArrayList<>(overlapping.size() + 1);
    out.add(governing);
    out.addAll(overlapping);
    return out;
  }

  /**
   * The rollout the PATCH starts, written with it: the template as it is before the patch (what a
   * revert restores), the pod label that tells its pods apart, and whether it moves ports. Null for
   * a kind whose patch starts no rollout to follow.
   */
  public RolloutState rolloutStart(String now) {
    if (!RolloutAssessment.follows(workload.kind().name())) return null;
    String template = TemplateHash.of(workload.template());
    boolean movedPorts = false;
    for (Change c : evaluation.changes()) movedPorts |= c.rule() == Rule.PortRemap;
    JsonNode label =
        workload.template().path("metadata").path("labels").path(Annotations.REMEDIATION_LABEL);
    String previous = label.isTextual() ? label.asText() : null;
    // The parents the patch adds because they are absent (as the JSON Patch writer does): a revert
    // removes these once empty, and no other.
    Set<String> created = new LinkedHashSet<>();
    for (Change c : evaluation.changes()) {
      if (c.newValue() == null) continue;
      for (FieldPath p = c.path().parent();
          !p.isRoot() && Trees.valueAt(workload.root(), p) == null;
          p = p.parent()) {
        created.add(p.pointer());
      }
    }
    return new RolloutState(
        RolloutState.Phase.RollingOut,
        governing.name(),
        TemplateHash.label(template, attempt, now),
        previous,
        now,
        template,
        attempt,
        governing.portStrategy().name(),
        movedPorts,
        null,
        null,
        null,
        Map.of(),
        now,
        List.copyOf(created));
  }
}
