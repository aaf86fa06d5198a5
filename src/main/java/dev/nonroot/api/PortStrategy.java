package dev.nonroot.api;

/** How ports below 1024 stop needing root. */
public enum PortStrategy {
  /** Move each low containerPort up (and the Services and probes that point at it). */
  Remap,
  /** Keep the ports and lower net.ipv4.ip_unprivileged_port_start for the pod. */
  Sysctl,
  /** Leave ports alone. */
  Keep
}
