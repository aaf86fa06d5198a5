package dev.nonroot.engine.rules;

import dev.nonroot.api.NeedsRootAction;
import dev.nonroot.api.PortStrategy;
import dev.nonroot.engine.model.FieldPath;
import dev.nonroot.engine.model.Inventory;
import dev.nonroot.engine.model.Workload;
import dev.nonroot.engine.plan.Rule;
import dev.nonroot.engine.policy.EffectivePolicy;
import dev.nonroot.engine.policy.PolicyMatcher;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The whole product's rules in one pure function: a policy, a workload and what surrounds it in, an
 * evaluation with its plan out. No I/O; the operator and the CLI are shells around this.
 */
public final class RemediationEngine {
  private RemediationEngine() {}

  /** Evaluates a workload the policy matches (see {@link PolicyMatcher#matches}). */
  public static Evaluation evaluate(EffectivePolicy policy, Workload w, Inventory inventory) {
    Optional<String> exemption = PolicyMatcher.exemption(w, inventory);
    if (exemption.isEmpty() && "windows".equals(w.podSpec().path("os").path("name").asText())) {
      // The API server refuses Linux-only securityContext fields on Windows pods.
      exemption =
          Optional.of(
              "Windows pod (spec.os.name: windows): Linux user and capability settings do not apply");
    }
    if (exemption.isPresent()) {
      return new Evaluation(
          w,
          policy.name(),
          Outcome.Exempt,
          List.of(),
          List.of(),
          List.of(),
          List.of(),
          exemption.get());
    }
    PlanBuilder plan = new PlanBuilder(w.ref(), w.root());
    List<NeedsRootDetector.Evidence> evidence = NeedsRootDetector.detect(w, inventory);
    if (!evidence.isEmpty() && policy.needsRoot() == NeedsRootAction.Report) {
      for (NeedsRootDetector.Evidence e : evidence) {
        plan.unfixable(
            e.container(),
            Rule.NeedsRoot,
            e.reason()
                + ": "
                + e.detail()
                + " (left unchanged; set spec.needsRoot: Remediate or exempt it)");
      }
      return new Evaluation(
          w,
          policy.name(),
          Outcome.NeedsRoot,
          List.copyOf(plan.findings()),
          List.of(),
          List.of(),
          evidence,
          null);
    }
    List<ContainerView> containers = ContainerView.all(w.podSpec(), w.podSpecPath());
    SecurityContextRules.applyPodLevel(policy, w, containers, plan);
    PortRemapper.Analysis ports = PortRemapper.analyse(policy, w, containers, inventory);
    Set<FieldPath> keepingLowPorts = PortRemapper.containersKeepingLowPorts(policy, w, ports);
    for (ContainerView c : containers) {
      String bidirectional = NeedsRootDetector.bidirectionalMount(c);
      if (bidirectional != null) {
        // Even under Remediate: the API server refuses this mount in an unprivileged container, and
        // the other container fields could make the pod invalid beside privileged: true.
        plan.unfixable(
            c.name(),
            Rule.Privileged,
            "container "
                + c.name()
                + " keeps its securityContext: it mounts volume "
                + bidirectional
                + " with mountPropagation: Bidirectional, which the API server allows only in a"
                + " privileged container");
        continue;
      }
      SecurityContextRules.applyContainerLevel(
          policy, w, c, keepingLowPorts.contains(c.path()), plan);
    }
    if (policy.portStrategy() == PortStrategy.Remap) {
      PortRemapper.apply(policy, w, ports, inventory, plan);
    } else if (policy.portStrategy() == PortStrategy.Sysctl) {
      PortSysctl.apply(w, containers, inventory, plan);
    }
    Outcome outcome;
    if (!plan.changes().isEmpty() || !plan.serviceChanges().isEmpty()) {
      outcome = Outcome.NonCompliant;
    } else if (!plan.findings().isEmpty()) {
      outcome = Outcome.Unresolved;
    } else {
      outcome = Outcome.Compliant;
    }
    return new Evaluation(
        w,
        policy.name(),
        outcome,
        List.copyOf(plan.findings()),
        List.copyOf(plan.changes()),
        List.copyOf(plan.serviceChanges()),
        evidence,
        null);
  }
}
