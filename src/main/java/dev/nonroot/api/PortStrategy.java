package dev.nonroot.api;

/** How ports below 1024 stop needing root. */
public enum PortStrategy {
  /**
   * Move a low port (as Remap) only where the container's env, args or command show the listen
   * setting to rewrite with it; keep the others and lower net.ipv4.ip_unprivileged_port_start.
   */
  Auto,
  /**
   * Move each low containerPort up (and the Services, probes and listen settings that point at it).
   */
  Remap,
  /** Keep the ports and lower net.ipv4.ip_unprivileged_port_start for the pod. */
  Sysctl,
  /** Leave ports alone. */
  Keep
}
