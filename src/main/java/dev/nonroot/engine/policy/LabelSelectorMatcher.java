package dev.nonroot.engine.policy;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.List;
import java.util.Map;

/**
 * metav1.LabelSelector semantics: matchLabels and matchExpressions ANDed; an empty selector matches
 * all.
 */
public final class LabelSelectorMatcher {
  private LabelSelectorMatcher() {}

  public static boolean matches(LabelSelector selector, Map<String, String> labels) {
    if (selector == null) return true;
    if (selector.getMatchLabels() != null) {
      for (Map.Entry<String, String> e : selector.getMatchLabels().entrySet()) {
        if (!e.getValue().equals(labels.get(e.getKey()))) return false;
      }
    }
    if (selector.getMatchExpressions() != null) {
      for (LabelSelectorRequirement r : selector.getMatchExpressions()) {
        if (!matches(r, labels)) return false;
      }
    }
    return true;
  }

  private static boolean matches(LabelSelectorRequirement r, Map<String, String> labels) {
    String value = labels.get(r.getKey());
    List<String> values = r.getValues() == null ? List.of() : r.getValues();
    return switch (r.getOperator()) {
      case "In" -> value != null && values.contains(value);
      case "NotIn" -> value == null || !values.contains(value);
      case "Exists" -> value != null;
      case "DoesNotExist" -> value == null;
      default -> false;
    };
  }

  /** Service-style selector (a plain map): non-empty and every pair present. */
  public static boolean serviceSelects(
      Map<String, String> selector, Map<String, String> podLabels) {
    if (selector.isEmpty()) return false;
    for (Map.Entry<String, String> e : selector.entrySet()) {
      if (!e.getValue().equals(podLabels.get(e.getKey()))) return false;
    }
    return true;
  }
}
