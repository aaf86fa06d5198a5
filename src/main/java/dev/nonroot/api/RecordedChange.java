package dev.nonroot.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/**
 * One field of one workload (or Service) that the policy changed, or would change in Audit mode.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RecordedChange {
  private String kind;
  private String namespace;
  private String name;

  @JsonPropertyDescription("Container name; empty for pod-level and Service fields.")
  private String container;

  @JsonPropertyDescription(
      "The field, e.g. spec.template.spec.containers[web].securityContext.runAsNonRoot.")
  private String field;

  @JsonPropertyDescription("Value before the change; absent when the field was unset.")
  private String from;

  @JsonPropertyDescription("Value after the change; absent when the field was removed.")
  private String to;

  @JsonPropertyDescription(
      "Patched (done), Reverted (put back after its rollout failed) or WouldPatch (Audit mode, or"
          + " a workload Argo CD or Flux manages under spec.gitops: Report).")
  private String action;

  private String rule;

  @JsonPropertyDescription("When the change was made (or first seen, for WouldPatch).")
  private String time;

  public RecordedChange() {}

  public RecordedChange(
      String kind,
      String namespace,
      String name,
      String container,
      String field,
      String from,
      String to,
      String action,
      String rule,
      String time) {
    this.kind = kind;
    this.namespace = namespace;
    this.name = name;
    this.container = container;
    this.field = field;
    this.from = from;
    this.to = to;
    this.action = action;
    this.rule = rule;
    this.time = time;
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

  public String getContainer() {
    return container;
  }

  public void setContainer(String container) {
    this.container = container;
  }

  public String getField() {
    return field;
  }

  public void setField(String field) {
    this.field = field;
  }

  public String getFrom() {
    return from;
  }

  public void setFrom(String from) {
    this.from = from;
  }

  public String getTo() {
    return to;
  }

  public void setTo(String to) {
    this.to = to;
  }

  public String getAction() {
    return action;
  }

  public void setAction(String action) {
    this.action = action;
  }

  public String getRule() {
    return rule;
  }

  public void setRule(String rule) {
    this.rule = rule;
  }

  public String getTime() {
    return time;
  }

  public void setTime(String time) {
    this.time = time;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof RecordedChange c)) return false;
    return Objects.equals(kind, c.kind)
        && Objects.equals(namespace, c.namespace)
        && Objects.equals(name, c.name)
        && Objects.equals(container, c.container)
        && Objects.equals(field, c.field)
        && Objects.equals(from, c.from)
        && Objects.equals(to, c.to)
        && Objects.equals(action, c.action)
        && Objects.equals(rule, c.rule)
        && Objects.equals(time, c.time);
  }

  @Override
  public int hashCode() {
    return Objects.hash(kind, namespace, name, field, to, action);
  }
}
