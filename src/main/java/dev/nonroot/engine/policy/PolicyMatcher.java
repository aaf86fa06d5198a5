package dev.nonroot.engine.policy;

import dev.nonroot.api.Annotations;
import dev.nonroot.engine.model.Inventory;
import dev.nonroot.engine.model.NamespaceInfo;
import dev.nonroot.engine.model.Workload;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** Decides whether a policy is responsible for a workload, and whether that workload is exempt. */
public final class PolicyMatcher {
  private static final String NAME_LABEL = "kubernetes.io/metadata.name";

  private PolicyMatcher() {}

  public static boolean matches(EffectivePolicy policy, Workload workload, Inventory inventory) {
    if (!policy.kinds().contains(workload.kind())) return false;
    String ns = workload.effectiveNamespace();
    if (!policy.namespaces().isEmpty() && !policy.namespaces().contains(ns)) return false;
    if (policy.excludeNamespaces().contains(ns)) return false;
    if (!LabelSelectorMatcher.matches(policy.selector(), workload.labels())) return false;
    if (policy.namespaceSelector() != null) {
      Optional<NamespaceInfo> info = inventory.namespace(ns);
      // An unknown namespace has no labels but its name; only a selector asking for no others
      // matches it.
      Map<String, String> labels = new HashMap<>(info.map(NamespaceInfo::labels).orElse(Map.of()));
      // The API server gives every Namespace this label (manifests usually omit it); selectors use
      // it.
      labels.put(NAME_LABEL, ns);
      return LabelSelectorMatcher.matches(policy.namespaceSelector(), labels);
    }
    return true;
  }

  /** Where the exemption comes from, or empty when the workload is not exempt. */
  public static Optional<String> exemption(Workload workload, Inventory inventory) {
    if (isTrue(workload.annotations().get(Annotations.EXEMPT))) {
      return Optional.of("annotation " + Annotations.EXEMPT + " on the workload");
    }
    Optional<NamespaceInfo> ns = inventory.namespace(workload.effectiveNamespace());
    if (ns.isPresent() && isTrue(ns.get().annotations().get(Annotations.EXEMPT))) {
      return Optional.of("annotation " + Annotations.EXEMPT + " on namespace " + ns.get().name());
    }
    return Optional.empty();
  }

  private static boolean isTrue(String v) {
    return v != null && v.trim().equalsIgnoreCase("true");
  }
}
