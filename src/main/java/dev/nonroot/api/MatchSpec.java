package dev.nonroot.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class MatchSpec {
  @JsonPropertyDescription("Workload kinds to match. Default: Deployment, StatefulSet, DaemonSet.")
  @SchemaFrom(type = WorkloadKind[].class)
  private List<String> kinds;

  @JsonPropertyDescription("Namespaces to match; empty means all namespaces.")
  private List<String> namespaces;

  @JsonPropertyDescription(
      "Namespaces never matched. Default: kube-system, kube-public, kube-node-lease, except those"
          + " named in namespaces.")
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
}
