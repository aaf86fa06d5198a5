package dev.nonroot.engine.plan;

/** Every rule the engine knows; the name is what reports and records show. */
public enum Rule {
  RunAsNonRoot,
  RunAsUser,
  /**
   * runAsUser set to the non-zero UID running pods report (the image's own user), not the policy's.
   */
  ImageUser,
  AllowPrivilegeEscalation,
  Privileged,
  DropCapabilities,
  AddCapabilities,
  SeccompProfile,
  ReadOnlyRootFilesystem,
  /** fsGroup (and fsGroupChangePolicy) for a pod whose persistent volumes its UID must write. */
  FsGroup,
  PortRemap,
  ListenSetting,
  ProbePort,
  ServiceTargetPort,
  PortSysctl,
  NetworkPolicyPort,
  /** A declared port the engine cannot read (not a list, not a number, out of range). */
  ContainerPort,
  /**
   * A pod template field the rules read but cannot (missing, of the wrong type, a duplicate name,
   * more containers than are judged): reported, never guessed at.
   */
  Malformed,
  NeedsRoot,
  /** A field put back to its value before a remediation whose rollout failed. */
  Revert,
  /**
   * Not a fix: the workload is managed by Argo CD or Flux, which set back what the cluster changes;
   * its fixes belong in its Git source.
   */
  GitOps
}
