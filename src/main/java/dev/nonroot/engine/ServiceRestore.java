package dev.nonroot.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nonroot.engine.model.Inventory;
import dev.nonroot.engine.model.ObjectRef;
import dev.nonroot.engine.model.Trees;
import dev.nonroot.engine.model.Workload;
import dev.nonroot.engine.model.WorkloadPods;
import dev.nonroot.engine.plan.Change;
import dev.nonroot.engine.policy.LabelSelectorMatcher;
import dev.nonroot.engine.rollout.Undo;
import dev.nonroot.engine.rules.SharedServices;
import java.util.ArrayList;
import java.util.List;

/**
 * A policy's restore (spec.onDelete: Revert) on one Service in front of the restored workload's
 * pods: what it moved goes back ({@link #undo}), unless the Service also sends a moved port to
 * another workload whose pods still listen there (it still has the move, or declares that port of
 * its own). A Service has one targetPort for every pod it selects: moving it back would cut that
 * workload off, so the Service stays as it is, record included, and goes back with the last of the
 * workloads that depend on it ({@link #kept} says why).
 *
 * @param service the Service
 * @param undo the write that puts it back, or null when it stays
 * @param kept why it stays, or null when it goes back
 */
public record ServiceRestore(ObjectRef service, Undo undo, String kept) {

  /** The policy's changes on every Service that selects the workload's pods, one each. */
  public static List<ServiceRestore> of(Workload workload, String policy, Inventory inventory) {
    List<ServiceRestore> out = new ArrayList<>();
    String namespace = workload.effectiveNamespace();
    for (ObjectNode svc : inventory.services(namespace)) {
      if (!LabelSelectorMatcher.serviceSelects(
          Trees.stringMap(svc.path("spec").path("selector")), workload.podLabels())) continue;
      Undo back = Undo.ofPolicy(svc, policy, null);
      if (back.changes().isEmpty()) continue;
      String kept = dependent(svc, back, workload, inventory);
      out.add(new ServiceRestore(back.ref(), kept == null ? back : null, kept));
    }
    return out;
  }

  /** Why the Service must stay: another workload it selects listens on a port it would move. */
  private static String dependent(
      ObjectNode svc, Undo back, Workload workload, Inventory inventory) {
    List<WorkloadPods> others = null;
    for (Change c : back.changes()) {
      if (!"targetPort".equals(c.path().lastToken())) continue;
      JsonNode moved = c.oldValue();
      if (moved == null || !moved.canConvertToInt() || !moved.isNumber()) continue;
      JsonNode item = Trees.valueAt(svc, c.path().parent());
      String protocol = item == null ? "TCP" : item.path("protocol").asText("TCP");
      String port = WorkloadPods.port(moved.asInt(), protocol);
      if (others == null) others = SharedServices.sharing(svc, workload, inventory);
      for (WorkloadPods o : others) {
        if (!o.ports().contains(port)) continue;
        ObjectRef r = o.ref();
        return "Service "
            + back.ref().namespace()
            + "/"
            + back.ref().name()
            + " stays on port "
            + moved.asInt()
            + ": it also sends it to "
            + r.kind()
            + " "
            + r.namespace()
            + "/"
            + r.name()
            + ", whose pods still listen there; it goes back with that workload's changes";
      }
    }
    return null;
  }
}
