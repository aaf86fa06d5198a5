package dev.nonroot.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/** Where the cluster stands against one policy. Written only by the operator. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class NonRootPolicyStatus {
  @JsonPropertyDescription("The spec generation this status describes.")
  @Min(0)
  private Long observedGeneration;

  @JsonPropertyDescription("Ready and Valid, in metav1.Condition form.")
  private List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("Workloads in scope of this policy (exempt ones included).")
  @Min(0)
  @Max(Integer.MAX_VALUE)
  private Integer matched = 0;

  @JsonPropertyDescription("Matched, non-exempt workloads with nothing left to fix.")
  @Min(0)
  @Max(Integer.MAX_VALUE)
  private Integer compliant = 0;

  @JsonPropertyDescription("Workloads this policy has patched at least once.")
  @Min(0)
  @Max(Integer.MAX_VALUE)
  private Integer remediated = 0;

  @JsonPropertyDescription(
      "Matched, non-exempt workloads that still violate the policy (in Audit mode: all that would be patched).")
  @Min(0)
  @Max(Integer.MAX_VALUE)
  private Integer violations = 0;

  @JsonPropertyDescription("Workloads whose last patch failed.")
  @Min(0)
  @Max(Integer.MAX_VALUE)
  private Integer failed = 0;

  @JsonPropertyDescription(
      "Workloads skipped through the nonroot.dev/exempt annotation on them or their Namespace.")
  @Min(0)
  @Max(Integer.MAX_VALUE)
  private Integer exempt = 0;

  @JsonPropertyDescription("Workloads left unchanged because they show a legitimate need for root.")
  @Min(0)
  @Max(Integer.MAX_VALUE)
  private Integer needsRoot = 0;

  @JsonPropertyDescription("Workloads this policy matches that a higher-precedence policy handles.")
  @Min(0)
  @Max(Integer.MAX_VALUE)
  private Integer overridden = 0;

  @JsonPropertyDescription(
      "Enforce: matched workloads with a patch due that is not written yet (waiting for the patch rate or a cache).")
  @Min(0)
  @Max(Integer.MAX_VALUE)
  private Integer pending = 0;

  @JsonPropertyDescription(
      "Workloads whose rollout, started by this policy's patch, is being followed.")
  @Min(0)
  @Max(Integer.MAX_VALUE)
  private Integer rollingOut = 0;

  @JsonPropertyDescription(
      "spec.onDelete: Revert: workloads whose changes by this policy are to be put back or whose restore is rolling out (the policy is being deleted, or they left its match). A deletion waits for this to reach 0.")
  @Min(0)
  @Max(Integer.MAX_VALUE)
  private Integer restoring = 0;

  @JsonPropertyDescription(
      "Workloads whose last rollout by this policy ended with every new pod ready and reporting a non-zero uid.")
  @Min(0)
  @Max(Integer.MAX_VALUE)
  private Integer verified = 0;

  @JsonPropertyDescription(
      "Workloads whose last rollout ended ready, but whose pods report no uid (older Kubernetes or runtime), or that do not roll out by themselves (paused, OnDelete).")
  @Min(0)
  @Max(Integer.MAX_VALUE)
  private Integer unverified = 0;

  @JsonPropertyDescription(
      "Workloads whose rollout failed after this policy's patch: the change was put back, and is not applied again to that pod template.")
  @Min(0)
  @Max(Integer.MAX_VALUE)
  private Integer reverted = 0;

  @JsonPropertyDescription(
      "Governed workloads that Argo CD or Flux manage and that spec.gitops leaves to them (Skip: counted as exempt too; Report: as compliant or violating, listed as WouldPatch).")
  @Min(0)
  @Max(Integer.MAX_VALUE)
  private Integer gitops = 0;

  @JsonPropertyDescription(
      "Workloads whose fix another field manager (Argo CD, Flux, a CI job) set back twice within an hour: left as they are, with a Conflict violation naming the manager, until their owner changes their spec.")
  @Min(0)
  @Max(Integer.MAX_VALUE)
  private Integer conflicts = 0;

  @JsonPropertyDescription(
      "How many workloads need root, by reason (KernelChanges, SeveralUIDs, HostNetworkLowPort, NodeAgent).")
  private Map<String, @Min(0) @Max(Integer.MAX_VALUE) Integer> needsRootReasons = new TreeMap<>();

  @JsonPropertyDescription(
      "The violating workloads this policy governs, by namespace, kind and name: at most 50 (the"
          + " violations counter counts them all), so an admin can list them from the cluster.")
  private List<ViolatingWorkload> violating = new ArrayList<>();

  @JsonPropertyDescription(
      "Recorded changes to workloads and their Services, newest last, bounded in size; the full"
          + " record is on each workload's nonroot.dev/changes annotation. Named to sort after the"
          + " conditions and counters, because kubectl describe prints status keys in alphabetical"
          + " order.")
  private List<RecordedChange> workloadChanges = new ArrayList<>();

  @JsonPropertyDescription(
      "How many older changes were left out of workloadChanges to keep the status small.")
  @Min(0)
  @Max(Integer.MAX_VALUE)
  private Integer truncated = 0;

  @JsonPropertyDescription(
      "While the spec is invalid: the last valid spec, which keeps governing the workloads this"
          + " policy matched until the spec is fixed. Kept here so a restarted operator holds them"
          + " too.")
  private NonRootPolicySpec heldSpec;

  @JsonPropertyDescription("The generation of heldSpec.")
  @Min(0)
  private Long heldGeneration;

  public Integer getPending() {
    return pending;
  }

  public void setPending(Integer pending) {
    this.pending = pending;
  }

  public Integer getGitops() {
    return gitops;
  }

  public void setGitops(Integer gitops) {
    this.gitops = gitops;
  }

  public Integer getConflicts() {
    return conflicts;
  }

  public void setConflicts(Integer conflicts) {
    this.conflicts = conflicts;
  }

  public Integer getRestoring() {
    return restoring;
  }

  public void setRestoring(Integer restoring) {
    this.restoring = restoring;
  }

  public Integer getRollingOut() {
    return rollingOut;
  }

  public void setRollingOut(Integer rollingOut) {
    this.rollingOut = rollingOut;
  }

  public Integer getVerified() {
    return verified;
  }

  public void setVerified(Integer verified) {
    this.verified = verified;
  }

  public Integer getUnverified() {
    return unverified;
  }

  public void setUnverified(Integer unverified) {
    this.unverified = unverified;
  }

  public Integer getReverted() {
    return reverted;
  }

  public void setReverted(Integer reverted) {
    this.reverted = reverted;
  }

  public NonRootPolicySpec getHeldSpec() {
    return heldSpec;
  }

  public void setHeldSpec(NonRootPolicySpec heldSpec) {
    this.heldSpec = heldSpec;
  }

  public Long getHeldGeneration() {
    return heldGeneration;
  }

  public void setHeldGeneration(Long heldGeneration) {
    this.heldGeneration = heldGeneration;
  }

  public List<ViolatingWorkload> getViolating() {
    return violating;
  }

  public void setViolating(List<ViolatingWorkload> violating) {
    this.violating = violating;
  }

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions;
  }

  public Integer getMatched() {
    return matched;
  }

  public void setMatched(Integer matched) {
    this.matched = matched;
  }

  public Integer getCompliant() {
    return compliant;
  }

  public void setCompliant(Integer compliant) {
    this.compliant = compliant;
  }

  public Integer getRemediated() {
    return remediated;
  }

  public void setRemediated(Integer remediated) {
    this.remediated = remediated;
  }

  public Integer getViolations() {
    return violations;
  }

  public void setViolations(Integer violations) {
    this.violations = violations;
  }

  public Integer getFailed() {
    return failed;
  }

  public void setFailed(Integer failed) {
    this.failed = failed;
  }

  public Integer getExempt() {
    return exempt;
  }

  public void setExempt(Integer exempt) {
    this.exempt = exempt;
  }

  public Integer getNeedsRoot() {
    return needsRoot;
  }

  public void setNeedsRoot(Integer needsRoot) {
    this.needsRoot = needsRoot;
  }

  public Integer getOverridden() {
    return overridden;
  }

  public void setOverridden(Integer overridden) {
    this.overridden = overridden;
  }

  public Map<String, Integer> getNeedsRootReasons() {
    return needsRootReasons;
  }

  public void setNeedsRootReasons(Map<String, Integer> needsRootReasons) {
    this.needsRootReasons = needsRootReasons;
  }

  public List<RecordedChange> getWorkloadChanges() {
    return workloadChanges;
  }

  public void setWorkloadChanges(List<RecordedChange> workloadChanges) {
    this.workloadChanges = workloadChanges;
  }

  public Integer getTruncated() {
    return truncated;
  }

  public void setTruncated(Integer truncated) {
    this.truncated = truncated;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof NonRootPolicyStatus s)) return false;
    return Objects.equals(observedGeneration, s.observedGeneration)
        && Objects.equals(conditions, s.conditions)
        && Objects.equals(matched, s.matched)
        && Objects.equals(compliant, s.compliant)
        && Objects.equals(remediated, s.remediated)
        && Objects.equals(violations, s.violations)
        && Objects.equals(failed, s.failed)
        && Objects.equals(exempt, s.exempt)
        && Objects.equals(needsRoot, s.needsRoot)
        && Objects.equals(overridden, s.overridden)
        && Objects.equals(pending, s.pending)
        && Objects.equals(rollingOut, s.rollingOut)
        && Objects.equals(restoring, s.restoring)
        && Objects.equals(conflicts, s.conflicts)
        && Objects.equals(verified, s.verified)
        && Objects.equals(unverified, s.unverified)
        && Objects.equals(reverted, s.reverted)
        && Objects.equals(gitops, s.gitops)
        && Objects.equals(needsRootReasons, s.needsRootReasons)
        && Objects.equals(violating, s.violating)
        && Objects.equals(workloadChanges, s.workloadChanges)
        && Objects.equals(truncated, s.truncated)
        && Objects.equals(heldSpec, s.heldSpec)
        && Objects.equals(heldGeneration, s.heldGeneration);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        observedGeneration, matched, compliant, remediated, violations, workloadChanges);
  }
}
