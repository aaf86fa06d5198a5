package dev.nonroot.engine;

import dev.nonroot.api.PolicyMode;
import dev.nonroot.api.PortStrategy;
import dev.nonroot.engine.model.Inventory;
import dev.nonroot.engine.model.Workload;
import dev.nonroot.engine.policy.EffectivePolicy;
import dev.nonroot.engine.policy.PolicyMatcher;
import dev.nonroot.engine.rollout.RolloutState;
import dev.nonroot.engine.rollout.UserTemplate;
import dev.nonroot.engine.rules.Evaluation;
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
 */
public final class Governor {
  private Governor() {}

  public static Decision decide(PolicySet policies, Workload workload, Inventory inventory) {
    EffectivePolicy governing = null;
    List<EffectivePolicy> overlapping = new ArrayList<>();
    for (EffectivePolicy p : policies.inPrecedenceOrder()) {
      if (!PolicyMatcher.matches(p, workload, inventory)) continue;
      if (governing == null) governing = p;
      else overlapping.add(p);
    }
    RolloutState rollout = RolloutState.of(workload.root()).orElse(null);
    boolean live =
        rollout != null
            && rollout.phase() == RolloutState.Phase.RollingOut
            && rollout.live(workload.template());
    if (governing == null) {
      // A rollout the operator started is followed (and put back if it fails) even when no
      // policy matches the workload any more: the breakage would still be the operator's.
      return new Decision(
          workload,
          null,
          List.of(),
          null,
          live ? Decision.Action.FOLLOW : Decision.Action.NONE,
          rollout,
          1);
    }
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
    Evaluation evaluation = RemediationEngine.evaluate(acting, workload, inventory);
    Decision.Action action;
    // Something left to fix wins over following: the new patch starts the rollout to follow.
    if (!evaluation.hasPlan()) action = live ? Decision.Action.FOLLOW : Decision.Action.NONE;
    else if (held) action = Decision.Action.HELD;
    else if (governing.mode() == PolicyMode.Enforce) action = Decision.Action.PATCH;
    else action = Decision.Action.WOULD_PATCH;
    return new Decision(
        workload, acting, List.copyOf(overlapping), evaluation, action, rollout, attempt);
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
