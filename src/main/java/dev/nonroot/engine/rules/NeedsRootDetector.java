package dev.nonroot.engine.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nonroot.engine.model.Inventory;
import dev.nonroot.engine.model.Trees;
import dev.nonroot.engine.model.Workload;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Recognises the three legitimate reasons for root: kernel changes, several UIDs, low host ports.
 */
public final class NeedsRootDetector {
  /** One piece of evidence; container is null for pod-level evidence. */
  public record Evidence(NeedsRootReason reason, String container, String detail) {}

  // NET_ADMIN goes beyond the spec's list: mesh init containers (istio-init, linkerd-init) and CNI
  // agents program iptables and routes with it, as root; stripping it breaks every meshed pod.
  private static final Set<String> KERNEL_CAPABILITIES =
      Set.of(
          "SYS_ADMIN",
          "SYS_MODULE",
          "SYS_RAWIO",
          "SYS_TIME",
          "SYS_BOOT",
          "SYS_PTRACE",
          "NET_ADMIN");
  private static final Set<String> UID_CAPABILITIES = Set.of("SETUID", "SETGID");
  private static final List<String> KERNEL_PATHS = List.of("/proc", "/sys", "/dev", "/lib/modules");
  private static final List<String> RUNTIME_SOCKETS =
      List.of(
          "/var/run/docker.sock",
          "/run/docker.sock",
          "/var/run/containerd",
          "/run/containerd",
          "/var/run/crio",
          "/run/crio",
          "/var/run/cri-dockerd.sock",
          "/run/cri-dockerd.sock",
          "/run/k3s/containerd");

  private NeedsRootDetector() {}

  /** {@code inventory}: the Services whose target ports say which ports the pod binds. */
  public static List<Evidence> detect(Workload w, Inventory inventory) {
    List<Evidence> out = new ArrayList<>();
    ObjectNode pod = w.podSpec();
    List<ContainerView> containers = ContainerView.all(pod, w.podSpecPath());
    for (ContainerView c : containers) {
      for (String cap : CapabilityRules.added(w.root(), c)) {
        if (KERNEL_CAPABILITIES.contains(cap)) {
          out.add(
              new Evidence(
                  NeedsRootReason.KernelChanges,
                  c.name(),
                  "container " + c.name() + " adds " + cap));
        } else if (UID_CAPABILITIES.contains(cap)) {
          out.add(
              new Evidence(
                  NeedsRootReason.SeveralUIDs, c.name(), "container " + c.name() + " adds " + cap));
        }
      }
    }
    if (pod.path("hostPID").asBoolean(false)) {
      out.add(
          new Evidence(
              NeedsRootReason.KernelChanges,
              null,
              "pod shares the host's PID namespace (hostPID)"));
    }
    if (pod.path("hostIPC").asBoolean(false)) {
      out.add(
          new Evidence(
              NeedsRootReason.KernelChanges,
              null,
              "pod shares the host's IPC namespace (hostIPC)"));
    }
    for (JsonNode v : pod.path("volumes")) {
      String path = v.path("hostPath").path("path").asText(null);
      if (path == null) continue;
      String normalized =
          path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
      if (under(normalized, KERNEL_PATHS) || under(normalized, RUNTIME_SOCKETS)) {
        out.add(
            new Evidence(
                NeedsRootReason.KernelChanges,
                null,
                "volume " + v.path("name").asText() + " mounts host path " + path));
      }
    }
    if (pod.path("hostNetwork").asBoolean(false)) {
      for (ContainerView c : containers) {
        for (JsonNode port : c.node().path("ports")) {
          Integer cp = Trees.intValue(port.get("containerPort"));
          Integer hp = Trees.intValue(port.get("hostPort"));
          Integer low = cp != null && cp < 1024 ? cp : (hp != null && hp < 1024 ? hp : null);
          if (low != null) {
            out.add(
                new Evidence(
                    NeedsRootReason.HostNetworkLowPort,
                    c.name(),
                    "container " + c.name() + " binds port " + low + " on the host network"));
          }
        }
      }
      // Ports the pod binds without declaring them (probes, Services) are the node's ports too.
      for (UndeclaredPorts.Port u : UndeclaredPorts.find(w, containers, inventory)) {
        out.add(
            new Evidence(
                NeedsRootReason.HostNetworkLowPort,
                u.container() == null ? null : u.container().name(),
                u.source() + " on the host network"));
      }
    }
    return out;
  }

  private static boolean under(String path, List<String> roots) {
    for (String r : roots) {
      if (path.equals(r) || path.startsWith(r + "/")) return true;
    }
    return false;
  }
}
