package dev.nonroot.engine.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nonroot.engine.model.Inventory;
import dev.nonroot.engine.model.Trees;
import dev.nonroot.engine.model.Workload;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Low ports a pod binds that no container declares. containerPort is informational; a probe's
 * numeric port and a selecting Service's numeric (or implicit) targetPort say what the process
 * really listens on. Named ports resolve to a declared containerPort, so they add nothing here.
 */
final class UndeclaredPorts {
  /**
   * One piece of evidence: {@code container} is the probe's container, or null for a Service;
   * {@code source} says where the port comes from ("container web livenessProbe checks port 80").
   */
  record Port(ContainerView container, int port, String protocol, String source) {
    String key() {
      return port + "/" + protocol;
    }
  }

  private UndeclaredPorts() {}

  /**
   * Ports below 1024 (TCP: probes and these Services speak TCP or its protocol) that no container
   * of the pod declares and that the workload's own change record does not say were moved away
   * (those references follow the move, see PortRemapper), in a stable order.
   */
  static List<Port> find(Workload w, List<ContainerView> containers, Inventory inventory) {
    return find(w, containers, inventory, RecordedMoves.of(w, containers));
  }

  /** As {@link #find(Workload, List, Inventory)}, with the record's moves already read. */
  static List<Port> find(
      Workload w, List<ContainerView> containers, Inventory inventory, RecordedMoves earlier) {
    Set<String> declared = new HashSet<>();
    for (ContainerView c : containers) {
      for (JsonNode p : c.node().path("ports")) {
        Integer cp = Trees.intValue(p.get("containerPort"));
        if (cp != null) declared.add(cp + "/" + p.path("protocol").asText("TCP"));
      }
    }
    Set<String> moved = earlier.settled(declared).keySet();
    return references(w, containers, inventory).stream()
        .filter(p -> !declared.contains(p.key()) && !moved.contains(p.key()))
        .toList();
  }

  /**
   * Every numeric reference below 1024 to the pod's own ports: probe ports (TCP) and the target
   * ports of Services selecting the pod, one per container and port (one per port for Services).
   */
  static List<Port> references(Workload w, List<ContainerView> containers, Inventory inventory) {
    List<Port> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (ContainerView c : containers) {
      for (String probe : PortReferences.PROBES) {
        for (String handler : PortReferences.HANDLERS) {
          JsonNode h = c.node().path(probe).path(handler);
          // A probe sent to another host says nothing about what this pod binds.
          if (!h.path("host").asText("").isEmpty()) continue;
          JsonNode port = h.get("port");
          if (port == null || !port.isIntegralNumber() || !port.canConvertToInt()) continue;
          int p = port.intValue();
          if (p <= 0 || p >= 1024) continue;
          if (!seen.add(c.name() + "|" + p)) continue;
          out.add(
              new Port(c, p, "TCP", "container " + c.name() + " " + probe + " checks port " + p));
        }
      }
    }
    if (inventory == null) return out;
    for (ObjectNode svc : PortReferences.selectingServices(w, inventory)) {
      for (JsonNode sp : svc.path("spec").path("ports")) {
        Integer p = PortReferences.numericTarget(sp);
        if (p == null) continue;
        String protocol = sp.path("protocol").asText("TCP");
        if (p <= 0 || p >= 1024) continue;
        if (!seen.add("|" + p + "/" + protocol)) continue;
        out.add(
            new Port(
                null,
                p,
                protocol,
                "Service "
                    + svc.path("metadata").path("name").asText()
                    + " sends port "
                    + sp.path("port").asText()
                    + " to "
                    + p));
      }
    }
    return out;
  }
}
