package dev.nonroot.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** A workload the policy governs that still violates it, and why. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ViolatingWorkload {
  private String kind;
  private String namespace;
  private String name;

  @JsonPropertyDescription(
      "NeedsRoot (left unchanged), Unresolved (a person must change it), WouldPatch (Audit, or"
          + " managed by Argo CD or Flux under spec.gitops: Report) or Pending (a patch is due).")
  private String state;

  @JsonPropertyDescription("Why, in one line.")
  private String reason;

  public ViolatingWorkload() {}

  public ViolatingWorkload(
      String kind, String namespace, String name, String state, String reason) {
    this.kind = kind;
    this.namespace = namespace;
    this.name = name;
    this.state = state;
    this.reason = reason;
  }

  public String getKind() {
    return kind;
  }

  public void setKind(String kind) {
    this.kind = kind;
  }

  public String getNamespace() {
    return namespace;
  }

  public void setNamespace(String namespace) {
    this.namespace = namespace;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getState() {
    return state;
  }

  public void setState(String state) {
    this.state = state;
  }

  public String getReason() {
    return reason;
  }

  public void setReason(String reason) {
    this.reason = reason;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ViolatingWorkload v
        && Objects.equals(kind, v.kind)
        && Objects.equals(namespace, v.namespace)
        && Objects.equals(name, v.name)
        && Objects.equals(state, v.state)
        && Objects.equals(reason, v.reason);
  }

  @Override
  public int hashCode() {
    return Objects.hash(kind, namespace, name, state, reason);
  }
}
