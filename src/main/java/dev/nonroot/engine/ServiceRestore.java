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
import dev.nonroot.engine.record.ChangeRecord;
import dev.nonroot.engine.record.RecordedPatch;
import dev.nonroot.engine.rollout.RolloutState;
import dev.nonroot.engine.rollout.Undo;
import dev.nonroot.engine.rules.SharedServices;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A policy's restore (spec.onDelete: Revert) on one Service in front of the restored workload's
 * pods: what it moved goes back ({@link #undo}), unless the Service also sends a moved port to
 * another workload whose pods still listen there (it still has the move, or declares that port of
 * its own). A Service has one targetPort for every pod it selects: moving it back would cut that
 * workload off, so the Service stays as it is, record included, and goes back with the last of the
 * workloads that depend on it ({@link #kept} says why).
 *
 * <p>The restored workload's own move of such a port stays with it ({@link #served}): its pods keep
 * listening where the Service that stays sends them traffic.
 *
 * @param service the Service
 * @param undo the write that puts it back, or null when it stays
 * @param kept why it stays, or null when it goes back
 * @param ports when it stays: the moved ports it keeps sending to ("8080/TCP"), each with why the
 *     restored workload's own move of that port stays too; empty when it goes back
 */
public record ServiceRestore(ObjectRef service, Undo undo, String kept, Map<String, String> ports) {
  public ServiceRestore {
    ports = Map.copyOf(ports);
  }

  /**
   * The moved ports the Services that stay keep sending to, each with why: the restored workload's
   * own moves of these ports stay ({@link Undo#ofPolicy(JsonNode, String, RolloutState, Map)}).
   */
  public static Map<String, String> served(List<ServiceRestore> services) {
    Map<String, String> out = new LinkedHashMap<>();
    for (ServiceRestore r : services) r.ports().forEach(out::putIfAbsent);
    return out;
  }

  /** The policy's changes on every Service that selects the workload's pods, one each. */
  public static List<ServiceRestore> of(Workload workload, String policy, Inventory inventory) {
    List<ServiceRestore> out = new ArrayList<>();
    String namespace = workload.effectiveNamespace();
    for (ObjectNode svc : inventory.services(namespace)) {
      if (!LabelSelectorMatcher.serviceSelects(
          Trees.stringMap(svc.path("spec").path("selector")), workload.podLabels())) continue;
      Undo back = Undo.ofPolicy(svc, policy, null);
      if (back.changes().isEmpty()) continue;
      Map<String, String> ports = new LinkedHashMap<>();
      String kept = dependent(svc, back, workload, policy, inventory, ports);
      out.add(new ServiceRestore(back.ref(), kept == null ? back : null, kept, ports));
    }
    return out;
  }

  /**
   * Why the Service must stay: another workload it selects listens on a port it would move. Then
   * {@code ports} gets every moved port it keeps, with why the workload's own move of it stays.
   */
  private static String dependent(
      ObjectNode svc,
      Undo back,
      Workload workload,
      String policy,
      Inventory inventory,
      Map<String, String> ports) {
    List<WorkloadPods> others = null;
    Set<String> own = null;
    Map<String, Integer> moved = new LinkedHashMap<>();
    for (Change c : back.changes()) {
      if (!"targetPort".equals(c.path().lastToken())) continue;
      JsonNode now = c.oldValue();
      if (now == null || !now.canConvertToInt() || !now.isNumber()) continue;
      JsonNode item = Trees.valueAt(svc, c.path().parent());
      String protocol = item == null ? "TCP" : item.path("protocol").asText("TCP");
      moved.put(WorkloadPods.port(now.asInt(), protocol), now.asInt());
    }
    for (Map.Entry<String, Integer> m : moved.entrySet()) {
      if (own == null) own = listening(workload, policy);
      if (own.contains(m.getKey())) {
        // An earlier restore kept this workload's move for the Service: it listens there now.
        ObjectRef r = workload.ref();
        return "Service "
            + back.ref().namespace()
            + "/"
            + back.ref().name()
            + " stays on port "
            + m.getValue()
            + ": the pods of "
            + r.kind()
            + " "
            + r.namespace()
            + "/"
            + r.name()
            + " listen there, and no move of the policy says they did not";
      }
      if (others == null) others = SharedServices.sharing(svc, workload, inventory);
      for (WorkloadPods o : others) {
        if (!o.ports().contains(m.getKey())) continue;
        String service = back.ref().namespace() + "/" + back.ref().name();
        ObjectRef r = o.ref();
        String other = r.kind() + " " + r.namespace() + "/" + r.name();
        for (Map.Entry<String, Integer> p : moved.entrySet()) {
          ports.put(
              p.getKey(),
              "Service "
                  + service
                  + " stays on port "
                  + p.getValue()
                  + " for "
                  + other
                  + ", whose pods still listen there: this workload's pods keep listening on "
                  + p.getValue()
                  + " too, or the Service's traffic to them would find no listener");
        }
        return "Service "
            + service
            + " stays on port "
            + m.getValue()
            + ": it also sends it to "
            + other
            + ", whose pods still listen there; it goes back with that workload's changes";
      }
    }
    return null;
  }

  /**
   * The ports the workload's pods declare that no recorded move of {@code policy} (null: any) put
   * there: they listen there whatever the restore puts back.
   */
  private static Set<String> listening(Workload workload, String policy) {
    JsonNode root = workload.root();
    Set<String> out = new HashSet<>(WorkloadPods.declaredPorts(workload.podSpec()));
    for (ChangeRecord.Entry e : RecordedPatch.recordOf(root).entries()) {
      if (policy == null || policy.equals(e.policy())) e.movedPort(root).ifPresent(out::remove);
    }
    return out;
  }
}
