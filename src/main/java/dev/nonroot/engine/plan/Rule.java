package dev.nonroot.engine.plan;

/** Every rule the engine knows; the name is what reports and records show. */
public enum Rule {
  RunAsNonRoot,
  RunAsUser,
  AllowPrivilegeEscalation,
  Privileged,
  DropCapabilities,
  AddCapabilities,
  SeccompProfile,
  ReadOnlyRootFilesystem,
  PortRemap,
  ProbePort,
  ServiceTargetPort,
  PortSysctl,
  NetworkPolicyPort,
  NeedsRoot
}
