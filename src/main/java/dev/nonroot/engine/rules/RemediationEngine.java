package dev.nonroot.engine.rules;

import com.fasterxml.jackson.databind.JsonNode;
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
    if (exemption.isEmpty()) {
      // The API server refuses Linux-only securityContext fields on Windows pods; on a Windows
      // node they do not apply (and runAsNonRoot would stop a ContainerAdministrator image).
      exemption =
          windowsPlacement(w.podSpec())
              .map(
                  where ->
                      "Windows pod ("
                          + where
                          + "): Linux user and capability settings do not apply");
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
    String tooMany = MalformedPodSpec.tooManyContainers(w);
    if (tooMany != null) {
      plan.unfixable(null, Rule.Malformed, w.podSpecPath().key("containers"), tooMany);
      return new Evaluation(
          w,
          policy.name(),
          Outcome.Unresolved,
          List.copyOf(plan.findings()),
          List.of(),
          List.of(),
          List.of(),
          null);
    }
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
    MalformedPodSpec.report(w, plan);
    MalformedPorts.report(containers, plan);
    SecurityContextRules.applyPodLevel(policy, w, containers, inventory, plan);
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
    SecurityContextRules.applyFsGroup(policy, w, containers, plan);
    if (policy.portStrategy() == PortStrategy.Auto || policy.portStrategy() == PortStrategy.Remap) {
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

  private static final String OS_LABEL = "kubernetes.io/os";
  private static final String WINDOWS = "windows";

  /**
   * Where the pod is said to be a Windows pod, if it is: {@code spec.os.name}, else a nodeSelector
   * {@code kubernetes.io/os: windows}, else required node affinity whose every term asks for {@code
   * kubernetes.io/os In} values that are all {@code windows}. A pod that may land on Linux is a
   * Linux pod; an explicit {@code spec.os.name} other than windows wins.
   */
  static Optional<String> windowsPlacement(JsonNode podSpec) {
    JsonNode os = podSpec.path("os").path("name");
    if (os.isTextual() && !os.asText().isEmpty()) {
      return WINDOWS.equals(os.asText()) ? Optional.of("spec.os.name: windows") : Optional.empty();
    }
    if (WINDOWS.equals(podSpec.path("nodeSelector").path(OS_LABEL).asText(null))) {
      return Optional.of("nodeSelector " + OS_LABEL + ": windows");
    }
    JsonNode terms =
        podSpec
            .path("affinity")
            .path("nodeAffinity")
            .path("requiredDuringSchedulingIgnoredDuringExecution")
            .path("nodeSelectorTerms");
    if (!terms.isArray() || terms.isEmpty()) return Optional.empty();
    for (JsonNode term : terms) {
      // Terms are ORed: one that does not require windows lets the pod land on Linux.
      if (!requiresWindows(term)) return Optional.empty();
    }
    return Optional.of("required node affinity " + OS_LABEL + " In [windows]");
  }

  /** Expressions of a term are ANDed: one {@code kubernetes.io/os In [windows]} decides it. */
  private static boolean requiresWindows(JsonNode term) {
    for (JsonNode e : term.path("matchExpressions")) {
      JsonNode values = e.path("values");
      if (!OS_LABEL.equals(e.path("key").asText(null))
          || !"In".equals(e.path("operator").asText(null))
          || !values.isArray()
          || values.isEmpty()) {
        continue;
      }
      boolean onlyWindows = true;
      for (JsonNode v : values) onlyWindows &= WINDOWS.equals(v.asText(null));
      if (onlyWindows) return true;
    }
    return false;
  }
}
