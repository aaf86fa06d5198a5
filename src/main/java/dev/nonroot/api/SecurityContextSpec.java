package dev.nonroot.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import java.util.List;
import java.util.Objects;

/**
 * Each flag states the value the policy enforces; the opposite value turns that rule off. The
 * operator never loosens a field.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SecurityContextSpec {
  /**
   * A capability name as the schema and the resolver accept it: letters and underscores, an
   * optional CAP_ prefix, any case (NET_BIND_SERVICE, cap_chown, ALL).
   */
  public static final String CAPABILITY_NAME = "^([Cc][Aa][Pp]_)?[A-Za-z_]+$";

  /** Linux has about 40 capabilities; a longer list is a mistake (the schema's maxItems). */
  public static final int MAX_CAPABILITIES = 64;

  @JsonPropertyDescription(
      "Set runAsNonRoot: true on the pod and fix any container that says false. false switches"
          + " off this rule only, not runAsUser.")
  @Default("true")
  private Boolean runAsNonRoot;

  @JsonPropertyDescription(
      "UID set on the pod where a container has neither a non-zero UID nor runAsNonRoot: true"
          + " already (its own or the pod's); replaces an explicit 0.")
  @Min(1)
  @Max(2147483647)
  @Default("65532")
  private Long runAsUser;

  @JsonPropertyDescription(
      "Image: where runAsUser has to be set, running pods of the workload that all report the"
          + " same non-zero UID (status.containerStatuses[].user.linux.uid) keep it; otherwise"
          + " runAsUser applies. Policy: always runAsUser.")
  @SchemaFrom(type = RunAsUserFrom.class)
  @Default("Image")
  private String runAsUserFrom;

  @JsonPropertyDescription(
      "fsGroup for pods that mount a PersistentVolumeClaim (or StatefulSets with"
          + " volumeClaimTemplates) and set none. Unset: the UID the pod runs as.")
  @Min(1)
  @Max(2147483647)
  private Long fsGroup;

  @JsonPropertyDescription("Set allowPrivilegeEscalation: false on every container.")
  @Default("false")
  private Boolean allowPrivilegeEscalation;

  @JsonPropertyDescription("Turn privileged: true into false on every container.")
  @Default("false")
  private Boolean privileged;

  @JsonPropertyDescription("Capabilities every container must drop. Default: [ALL].")
  @Size(max = MAX_CAPABILITIES)
  private List<@Pattern(CAPABILITY_NAME) String> dropCapabilities;

  @JsonPropertyDescription(
      "Capabilities allowed to stay in capabilities.add; all others are removed.")
  @Size(max = MAX_CAPABILITIES)
  private List<@Pattern(CAPABILITY_NAME) String> keepCapabilities;

  @JsonPropertyDescription(
      "RuntimeDefault replaces an unset or Unconfined seccomp profile; Unmanaged leaves it.")
  @SchemaFrom(type = SeccompMode.class)
  @Default("RuntimeDefault")
  private String seccompProfile;

  @JsonPropertyDescription("Set readOnlyRootFilesystem: true on every container.")
  @Default("false")
  private Boolean readOnlyRootFilesystem;

  public Boolean getRunAsNonRoot() {
    return runAsNonRoot;
  }

  public void setRunAsNonRoot(Boolean runAsNonRoot) {
    this.runAsNonRoot = runAsNonRoot;
  }

  public Long getRunAsUser() {
    return runAsUser;
  }

  public void setRunAsUser(Long runAsUser) {
    this.runAsUser = runAsUser;
  }

  public String getRunAsUserFrom() {
    return runAsUserFrom;
  }

  public void setRunAsUserFrom(String runAsUserFrom) {
    this.runAsUserFrom = runAsUserFrom;
  }

  public Long getFsGroup() {
    return fsGroup;
  }

  public void setFsGroup(Long fsGroup) {
    this.fsGroup = fsGroup;
  }

  public Boolean getAllowPrivilegeEscalation() {
    return allowPrivilegeEscalation;
  }

  public void setAllowPrivilegeEscalation(Boolean allowPrivilegeEscalation) {
    this.allowPrivilegeEscalation = allowPrivilegeEscalation;
  }

  public Boolean getPrivileged() {
    return privileged;
  }

  public void setPrivileged(Boolean privileged) {
    this.privileged = privileged;
  }

  public List<String> getDropCapabilities() {
    return dropCapabilities;
  }

  public void setDropCapabilities(List<String> dropCapabilities) {
    this.dropCapabilities = dropCapabilities;
  }

  public List<String> getKeepCapabilities() {
    return keepCapabilities;
  }

  public void setKeepCapabilities(List<String> keepCapabilities) {
    this.keepCapabilities = keepCapabilities;
  }

  public String getSeccompProfile() {
    return seccompProfile;
  }

  public void setSeccompProfile(String seccompProfile) {
    this.seccompProfile = seccompProfile;
  }

  public Boolean getReadOnlyRootFilesystem() {
    return readOnlyRootFilesystem;
  }

  public void setReadOnlyRootFilesystem(Boolean readOnlyRootFilesystem) {
    this.readOnlyRootFilesystem = readOnlyRootFilesystem;
  }

  // Value equality: NonRootPolicySpec's (and so the policy status's) is built on it.
  @Override
  public boolean equals(Object other) {
    return other instanceof SecurityContextSpec o
        && Objects.equals(runAsNonRoot, o.runAsNonRoot)
        && Objects.equals(runAsUser, o.runAsUser)
        && Objects.equals(runAsUserFrom, o.runAsUserFrom)
        && Objects.equals(fsGroup, o.fsGroup)
        && Objects.equals(allowPrivilegeEscalation, o.allowPrivilegeEscalation)
        && Objects.equals(privileged, o.privileged)
        && Objects.equals(dropCapabilities, o.dropCapabilities)
        && Objects.equals(keepCapabilities, o.keepCapabilities)
        && Objects.equals(seccompProfile, o.seccompProfile)
        && Objects.equals(readOnlyRootFilesystem, o.readOnlyRootFilesystem);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        runAsNonRoot,
        runAsUser,
        runAsUserFrom,
        fsGroup,
        allowPrivilegeEscalation,
        privileged,
        dropCapabilities,
        keepCapabilities,
        seccompProfile,
        readOnlyRootFilesystem);
  }
}
