package dev.nonroot.engine.rules;

/** The three legitimate reasons for root. */
public enum NeedsRootReason {
  /**
   * Added kernel capabilities, host PID/IPC namespaces, or host paths into the kernel or runtime.
   */
  KernelChanges,
  /** SETUID or SETGID: the process switches between several UIDs. */
  SeveralUIDs,
  /** A port below 1024 bound on the node's own network. */
  HostNetworkLowPort
}
