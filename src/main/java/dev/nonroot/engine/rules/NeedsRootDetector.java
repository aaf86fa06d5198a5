package dev.nonroot.engine.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nonroot.engine.model.Inventory;
import dev.nonroot.engine.model.Trees;
import dev.nonroot.engine.model.Workload;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Recognises the legitimate reasons for root: kernel changes, several UIDs, low host ports, node
 * agents.
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

  // Node agents (CSI node plugins, log collectors, CNI installers, node exporters) work on the
  // node's own files: the kubelet's directory, the node's logs, the runtime's and CNI's state.
  private static final List<String> NODE_PATHS =
      List.of(
          "/var/lib/kubelet",
          "/var/log",
          "/var/lib/docker",
          "/var/lib/containerd",
          "/etc/cni",
          "/opt/cni");
  // Capabilities to reach files of other users: a node agent's when it mounts node paths, an
  // ordinary app's (and removed) otherwise.
  private static final List<String> NODE_FILE_CAPABILITIES =
      List.of("DAC_READ_SEARCH", "DAC_OVERRIDE", "SYS_RESOURCE");
  private static final String BIDIRECTIONAL = "Bidirectional";

  private NeedsRootDetector() {}

  /**
   * The volume a container mounts with mountPropagation: Bidirectional, or null. The API server
   * allows it only in a privileged container, so such a container's securityContext is never
   * touched.
   */
  static String bidirectionalMount(ContainerView c) {
    for (JsonNode m : c.node().path("volumeMounts")) {
      if (BIDIRECTIONAL.equals(m.path("mountPropagation").asText())) {
        return m.path("name").asText();
      }
    }
    return null;
  }

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
    nodeAgent(pod, containers, w, out);
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

  private static void nodeAgent(
      ObjectNode pod, List<ContainerView> containers, Workload w, List<Evidence> out) {
    Map<String, String> hostPaths = new HashMap<>();
    for (JsonNode v : pod.path("volumes")) {
      String path = v.path("hostPath").path("path").asText(null);
      if (path != null) hostPaths.put(v.path("name").asText(), path);
    }
    for (ContainerView c : containers) {
      boolean nodePaths = false;
      for (JsonNode m : c.node().path("volumeMounts")) {
        String volume = m.path("name").asText();
        String hostPath = hostPaths.get(volume);
        if (BIDIRECTIONAL.equals(m.path("mountPropagation").asText())) {
          nodePaths |= hostPath != null && under(normalize(hostPath), NODE_PATHS);
          out.add(
              new Evidence(
                  NeedsRootReason.NodeAgent,
                  c.name(),
                  "container "
                      + c.name()
                      + " mounts volume "
                      + volume
                      + (hostPath == null ? "" : " (host path " + hostPath + ")")
                      + " with mountPropagation: Bidirectional, which the API server allows only"
                      + " in a privileged container"));
        } else if (hostPath != null && under(normalize(hostPath), NODE_PATHS)) {
          nodePaths = true;
          out.add(
              new Evidence(
                  NeedsRootReason.NodeAgent,
                  c.name(),
                  "container "
                      + c.name()
                      + " mounts host path "
                      + hostPath
                      + " (volume "
                      + volume
                      + ")"));
        }
      }
      if (!nodePaths) continue;
      for (String cap : CapabilityRules.added(w.root(), c)) {
        if (NODE_FILE_CAPABILITIES.contains(cap)) {
          out.add(
              new Evidence(
                  NeedsRootReason.NodeAgent,
                  c.name(),
                  "container "
                      + c.name()
                      + " adds "
                      + cap
                      + " with host paths of the node mounted"));
        }
      }
    }
  }

  private static String normalize(String path) {
    return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }

  private static boolean under(String path, List<String> roots) {
    for (String r : roots) {
      if (path.equals(r) || path.startsWith(r + "/")) return true;
    }
    return false;
  }
}
