package dev.nonroot.engine.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nonroot.engine.model.Inventory;
import dev.nonroot.engine.model.Trees;
import dev.nonroot.engine.model.Workload;
import dev.nonroot.engine.policy.LabelSelectorMatcher;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a pod's ports are referred to outside its containerPorts: probe handlers and the Services
 * selecting the pod. Port moves follow these references and undeclared low ports are found in them,
 * so both read them the same way.
 */
final class PortReferences {
  static final List<String> PROBES = List.of("livenessProbe", "readinessProbe", "startupProbe");
  static final List<String> HANDLERS = List.of("httpGet", "tcpSocket", "grpc");

  private PortReferences() {}

  /** The Services of the workload's namespace whose selector selects its pods, in order. */
  static List<ObjectNode> selectingServices(Workload w, Inventory inventory) {
    List<ObjectNode> out = new ArrayList<>();
    for (ObjectNode svc : inventory.services(w.effectiveNamespace())) {
      if (LabelSelectorMatcher.serviceSelects(
          Trees.stringMap(svc.path("spec").path("selector")), w.podLabels())) {
        out.add(svc);
      }
    }
    return out;
  }

  /**
   * The pod port a Service port sends to when it is a number: its targetPort, or its port when no
   * targetPort is set. Null for a named targetPort (it follows the containerPort's name) or no
   * number at all.
   */
  static Integer numericTarget(JsonNode servicePort) {
    JsonNode targetPort = servicePort.get("targetPort");
    if (targetPort == null || targetPort.isNull()) return Trees.intValue(servicePort.get("port"));
    return targetPort.isIntegralNumber() ? Trees.intValue(targetPort) : null;
  }
}
