package dev.nonroot.api;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import java.util.List;
import java.util.Objects;

/**
 * Enum-valued fields are Strings in Java but enums in the CRD schema: a real API server refuses a
 * bad value, and an object that slipped past the schema (or the mock server) still deserializes, so
 * the operator can report it as Valid=False instead of breaking its informer.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class NonRootPolicySpec {
  /** spec.priority bounds: the schema's and the resolver's. */
  public static final int MIN_PRIORITY = -1_000_000;

  public static final int MAX_PRIORITY = 1_000_000;

  @JsonPropertyDescription("Enforce patches workloads; Audit only records what would change.")
  @SchemaFrom(type = PolicyMode.class)
  @Default("Enforce")
  private String mode;

  @JsonPropertyDescription("Which workloads the policy applies to.")
  private MatchSpec match;

  @JsonPropertyDescription("The securityContext every matched pod and container must have.")
  private SecurityContextSpec securityContext;

  @JsonPropertyDescription("How ports below 1024 are made bindable without root.")
  private PortsSpec ports;

  @JsonPropertyDescription("How the rollouts the operator's patches start are followed.")
  private RolloutSpec rollout;

  @JsonPropertyDescription(
      "Report leaves workloads with a legitimate need for root unchanged and reports why; Remediate fixes them anyway.")
  @SchemaFrom(type = NeedsRootAction.class)
  @Default("Report")
  private String needsRoot;

  @JsonPropertyDescription(
      "Workloads managed by Argo CD or Flux (their tracking annotations and labels): Report lists them as WouldPatch, naming the application, and patches nothing (the fix belongs in Git); Skip leaves them alone and counts them as exempt; Enforce patches them like any other.")
  @SchemaFrom(type = GitOpsMode.class)
  @Default("Report")
  private String gitops;

  @JsonPropertyDescription(
      "What happens to the workloads this policy changed when it is deleted or a workload leaves its match (selector, namespace, the exempt annotation): Keep leaves the changes; Revert restores every field it changed from the recorded original (a field changed since by someone else stays, with a Warning Event), one budgeted and followed rollout per workload, and holds the policy's deletion (a finalizer) until all are done or onDeleteTimeout has passed.")
  @SchemaFrom(type = OnDeleteMode.class)
  @Default("Keep")
  private String onDelete;

  @JsonPropertyDescription(
      "How long a deletion with onDelete: Revert may wait for its restores before the policy goes anyway (the rest keep the changes, named in a Warning Event), e.g. 30m, 2h.")
  @Pattern(RolloutSpec.DURATION)
  @Default("30m")
  private String onDeleteTimeout;

  @JsonPropertyDescription(
      "When several policies match one workload, the highest priority wins; ties go to the policy whose name sorts first.")
  @Default("0")
  @Min(MIN_PRIORITY)
  @Max(MAX_PRIORITY)
  private Integer priority;

  /**
   * Values that could not be read (wrong type, out of range), each with its path; empty when the
   * spec bound cleanly. Not part of the schema: set by the tolerant reader only.
   */
  @JsonIgnore private List<UnreadableValue> unreadable = List.of();

  @JsonIgnore
  public List<UnreadableValue> getUnreadable() {
    return unreadable;
  }

  @JsonIgnore
  public void setUnreadable(List<UnreadableValue> unreadable) {
    this.unreadable = List.copyOf(unreadable);
  }

  public String getMode() {
    return mode;
  }

  public void setMode(String mode) {
    this.mode = mode;
  }

  public MatchSpec getMatch() {
    return match;
  }

  public void setMatch(MatchSpec match) {
    this.match = match;
  }

  public SecurityContextSpec getSecurityContext() {
    return securityContext;
  }

  public void setSecurityContext(SecurityContextSpec securityContext) {
    this.securityContext = securityContext;
  }

  public PortsSpec getPorts() {
    return ports;
  }

  public void setPorts(PortsSpec ports) {
    this.ports = ports;
  }

  public RolloutSpec getRollout() {
    return rollout;
  }

  public void setRollout(RolloutSpec rollout) {
    this.rollout = rollout;
  }

  public String getNeedsRoot() {
    return needsRoot;
  }

  public void setNeedsRoot(String needsRoot) {
    this.needsRoot = needsRoot;
  }

  public String getOnDelete() {
    return onDelete;
  }

  public void setOnDelete(String onDelete) {
    this.onDelete = onDelete;
  }

  public String getOnDeleteTimeout() {
    return onDeleteTimeout;
  }

  public void setOnDeleteTimeout(String onDeleteTimeout) {
    this.onDeleteTimeout = onDeleteTimeout;
  }

  public String getGitops() {
    return gitops;
  }

  public void setGitops(String gitops) {
    this.gitops = gitops;
  }

  public Integer getPriority() {
    return priority;
  }

  public void setPriority(Integer priority) {
    this.priority = priority;
  }

  /**
   * Value equality over every field: the status carries a held spec, and the status controller
   * writes only when the folded status differs from the one read back from the API server.
   */
  @Override
  public boolean equals(Object other) {
    return other instanceof NonRootPolicySpec o
        && Objects.equals(mode, o.mode)
        && Objects.equals(match, o.match)
        && Objects.equals(securityContext, o.securityContext)
        && Objects.equals(ports, o.ports)
        && Objects.equals(rollout, o.rollout)
        && Objects.equals(needsRoot, o.needsRoot)
        && Objects.equals(gitops, o.gitops)
        && Objects.equals(onDelete, o.onDelete)
        && Objects.equals(onDeleteTimeout, o.onDeleteTimeout)
        && Objects.equals(priority, o.priority)
        && Objects.equals(unreadable, o.unreadable);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        mode,
        match,
        securityContext,
        ports,
        rollout,
        needsRoot,
        gitops,
        onDelete,
        onDeleteTimeout,
        priority,
        unreadable);
  }
}
