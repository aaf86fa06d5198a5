package dev.nonroot.engine.rules;

/** The legitimate reasons for root. */
public enum NeedsRootReason {
  /**
   * Added kernel capabilities, host PID/IPC namespaces, or host paths into the kernel or runtime.
   */
  KernelChanges,
  /** SETUID or SETGID: the process switches between several UIDs. */
  SeveralUIDs,
  /** A port below 1024 bound on the node's own network. */
  HostNetworkLowPort,
  /**
   * Node-level work: a mount with mountPropagation: Bidirectional (the API server allows it only in
   * a privileged container), host paths of the kubelet, the node's logs, the runtime or CNI, and
   * capabilities to reach other users' files that come with them.
   */
  NodeAgent
}
