package dev.nonroot.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.util.List;
import java.util.Objects;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class MatchSpec {
  /**
   * List bounds, the schema's maxItems and the resolver's: the operator compares every workload
   * with them, and a policy that names more namespaces than this wants a namespaceSelector.
   */
  public static final int MAX_KINDS = 16;

  public static final int MAX_NAMESPACES = 1000;

  /** matchLabels entries and matchExpressions of one selector. */
  public static final int MAX_SELECTOR_TERMS = 100;

  /** values of one matchExpression. */
  public static final int MAX_SELECTOR_VALUES = 1000;

  @JsonPropertyDescription("Workload kinds to match. Default: Deployment, StatefulSet, DaemonSet.")
  @SchemaFrom(type = WorkloadKind[].class)
  @Size(max = MAX_KINDS)
  private List<String> kinds;

  @JsonPropertyDescription("Namespaces to match; empty means all namespaces.")
  @Size(max = MAX_NAMESPACES)
  private List<String> namespaces;

  @JsonPropertyDescription(
      "Namespaces never matched. Default: kube-system, kube-public, kube-node-lease, except those"
          + " named in namespaces.")
  @Size(max = MAX_NAMESPACES)
  private List<String> excludeNamespaces;

  @JsonPropertyDescription("Matches workloads whose Namespace carries these labels.")
  @SchemaFrom(type = SelectorSchema.class)
  private LabelSelector namespaceSelector;

  @JsonPropertyDescription("Matches workloads carrying these labels.")
  @SchemaFrom(type = SelectorSchema.class)
  private LabelSelector selector;

  public List<String> getKinds() {
    return kinds;
  }

  public void setKinds(List<String> kinds) {
    this.kinds = kinds;
  }

  public List<String> getNamespaces() {
    return namespaces;
  }

  public void setNamespaces(List<String> namespaces) {
    this.namespaces = namespaces;
  }

  public List<String> getExcludeNamespaces() {
    return excludeNamespaces;
  }

  public void setExcludeNamespaces(List<String> excludeNamespaces) {
    this.excludeNamespaces = excludeNamespaces;
  }

  public LabelSelector getNamespaceSelector() {
    return namespaceSelector;
  }

  public void setNamespaceSelector(LabelSelector namespaceSelector) {
    this.namespaceSelector = namespaceSelector;
  }

  public LabelSelector getSelector() {
    return selector;
  }

  public void setSelector(LabelSelector selector) {
    this.selector = selector;
  }

  // Value equality: NonRootPolicySpec's (and so the policy status's) is built on it.
  @Override
  public boolean equals(Object other) {
    return other instanceof MatchSpec o
        && Objects.equals(kinds, o.kinds)
        && Objects.equals(namespaces, o.namespaces)
        && Objects.equals(excludeNamespaces, o.excludeNamespaces)
        && Objects.equals(namespaceSelector, o.namespaceSelector)
        && Objects.equals(selector, o.selector);
  }

  @Override
  public int hashCode() {
    return Objects.hash(kinds, namespaces, excludeNamespaces, namespaceSelector, selector);
  }
}
