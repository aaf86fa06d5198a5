package dev.nonroot.engine.status;

import dev.nonroot.api.NonRootPolicyStatus;
import dev.nonroot.api.OnDeleteMode;
import dev.nonroot.engine.policy.EffectivePolicy;
import dev.nonroot.engine.rollout.RolloutAssessment;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Whether a deleted policy may go: one with spec.onDelete: Revert holds its deletion (the
 * nonroot.dev/restore finalizer) until no workload has its changes left to put back, or until
 * spec.onDeleteTimeout has passed since the deletion; then it goes anyway, and the Event says how
 * many workloads keep its changes.
 *
 * @param release whether the finalizer goes now
 * @param reason why (Keep, Restored, RestoreTimedOut, Restoring)
 * @param message for the Deleting condition and the policy's Event
 * @param recheckIn when to look again while it holds (the deadline at the latest), else null
 */
public record Departure(boolean release, String reason, String message, Duration recheckIn) {
  /** The finalizer of a policy with spec.onDelete: Revert. */
  public static final String FINALIZER = "nonroot.dev/restore";

  /** How often a holding deletion looks again at most (each restore also wakes it). */
  private static final Duration RECHECK = Duration.ofSeconds(30);

  /**
   * @param policy the policy as it acts (null: invalid and never valid, so it changed nothing)
   * @param restoring workloads with its changes still to put back or rolling back (its status)
   * @param deleted when the deletion was asked for
   */
  public static Departure of(EffectivePolicy policy, int restoring, Instant deleted, Instant now) {
    return of(policy, restoring, 0, deleted, now);
  }

  /**
   * @param kept workloads that keep its changes because a policy that writes to them governs them
   *     now ({@link StatusFold#keptBy})
   */
  public static Departure of(
      EffectivePolicy policy, int restoring, int kept, Instant deleted, Instant now) {
    if (policy == null || policy.onDelete() != OnDeleteMode.Revert) {
      return new Departure(true, "Keep", "spec.onDelete: Keep: the changes stay", null);
    }
    String keptNote =
        kept == 0
            ? ""
            : "; "
                + kept
                + " workload(s) keep its changes: another policy that patches them governs them"
                + " now, and putting the changes back would only start a rollout for that policy to"
                + " undo";
    if (restoring == 0) {
      return new Departure(
          true,
          "Restored",
          kept == 0
              ? "every workload has its changes back (spec.onDelete: Revert), but for the fields"
                  + " a RestoreKeptChanges Warning on it names"
              : "every workload left to it has its changes back (spec.onDelete: Revert), but for"
                  + " the fields a RestoreKeptChanges Warning on it names"
                  + keptNote,
          null);
    }
    Instant deadline = deleted.plus(policy.onDeleteTimeout());
    if (!now.isBefore(deadline)) {
      return new Departure(
          true,
          "RestoreTimedOut",
          restoring
              + " workload(s) keep this policy's changes: their restore did not finish within"
              + " spec.onDeleteTimeout ("
              + RolloutAssessment.human(policy.onDeleteTimeout())
              + "); `nonroot-operator revert` puts back what their records still name"
              + keptNote,
          null);
    }
    Duration left = Duration.between(now, deadline);
    return new Departure(
        false,
        "Restoring",
        "putting back this policy's changes on "
            + restoring
            + " workload(s) (spec.onDelete: Revert); the deletion completes when all are done, or"
            + " at "
            + deadline
            + " (spec.onDeleteTimeout)"
            + keptNote,
        left.compareTo(RECHECK) < 0 ? left : RECHECK);
  }

  /** The status with the Deleting condition added (or replaced). */
  public NonRootPolicyStatus onto(NonRootPolicyStatus status, long generation, String now) {
    List<Condition> previous = status.getConditions() == null ? List.of() : status.getConditions();
    Conditions conditions = new Conditions(previous, generation, now);
    List<Condition> kept = new ArrayList<>();
    for (Condition c : previous) {
      if (!Conditions.DELETING.equals(c.getType())) {
        conditions.set(c.getType(), "True".equals(c.getStatus()), c.getReason(), c.getMessage());
      }
    }
    conditions.set(Conditions.DELETING, true, reason, message);
    kept.addAll(conditions.build());
    status.setConditions(kept);
    return status;
  }
}
