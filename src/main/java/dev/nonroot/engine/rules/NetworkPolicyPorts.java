package dev.nonroot.engine.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nonroot.engine.model.Inventory;
import dev.nonroot.engine.model.Trees;
import dev.nonroot.engine.model.Workload;
import dev.nonroot.engine.plan.Rule;
import dev.nonroot.engine.policy.LabelSelectorMatcher;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.util.Map;

/**
 * NetworkPolicies that admit traffic to a port this workload's pods no longer listen on. They are
 * not changed (who may talk to what is a person's call), only reported on the workload, for as long
 * as the workload's record shows the move and the policy still names only the old port.
 */
final class NetworkPolicyPorts {
  private static final ObjectMapper JSON = new ObjectMapper();

  private NetworkPolicyPorts() {}

  /**
   * One unfixable finding per NetworkPolicy and moved port (key "80/TCP" -> new port): a policy
   * selecting the pods with an ingress rule that admits the old port by number (or in an endPort
   * range) but not the new one. Named ports follow the port's name; rules without ports admit every
   * port.
   */
  static void report(
      Workload w, Inventory inventory, Map<String, Integer> moves, PlanBuilder plan) {
    if (moves.isEmpty()) return;
    for (ObjectNode np : inventory.networkPolicies(w.effectiveNamespace())) {
      JsonNode spec = np.path("spec");
      if (!appliesToIngress(spec) || !selects(spec.get("podSelector"), w)) continue;
      for (Map.Entry<String, Integer> move : moves.entrySet()) {
        String[] key = move.getKey().split("/", 2);
        int from = Integer.parseInt(key[0]);
        String protocol = key[1];
        int to = move.getValue();
        boolean cut = false;
        for (JsonNode rule : spec.path("ingress")) {
          if (admits(rule, from, protocol) && !admits(rule, to, protocol)) cut = true;
        }
        if (!cut) continue;
        JsonNode meta = np.path("metadata");
        String ns = meta.path("namespace").asText("");
        plan.unfixable(
            null,
            Rule.NetworkPolicyPort,
            "NetworkPolicy "
                + (ns.isEmpty() ? "" : ns + "/")
                + meta.path("name").asText("")
                + " admits traffic to port "
                + from
                + "/"
                + protocol
                + " of these pods but not to "
                + to
                + ", where their port "
                + from
                + " moves: the peers it admits lose access until it allows "
                + to
                + " (NetworkPolicies are not changed)");
      }
    }
  }

  /** policyTypes absent: Ingress applies (Egress too when there are egress rules). */
  private static boolean appliesToIngress(JsonNode spec) {
    JsonNode types = spec.get("policyTypes");
    if (types == null || !types.isArray()) return true;
    for (JsonNode t : types) {
      if ("Ingress".equals(t.asText())) return true;
    }
    return false;
  }

  private static boolean selects(JsonNode podSelector, Workload w) {
    if (podSelector == null || podSelector.isNull()) return true;
    try {
      return LabelSelectorMatcher.matches(
          JSON.treeToValue(podSelector, LabelSelector.class), w.podLabels());
    } catch (Exception e) {
      // An unreadable selector selects nothing we can name: stay silent rather than guess.
      return false;
    }
  }

  /**
   * Whether an ingress rule admits the numbered port: no ports (every port), or an entry of the
   * protocol with no port (every port of it), that port, or a range [port, endPort] holding it.
   */
  private static boolean admits(JsonNode rule, int port, String protocol) {
    JsonNode ports = rule.get("ports");
    if (ports == null || !ports.isArray() || ports.isEmpty()) return true;
    for (JsonNode p : ports) {
      if (!protocol.equals(p.path("protocol").asText("TCP"))) continue;
      JsonNode number = p.get("port");
      if (number == null || number.isNull()) return true;
      Integer first = number.isIntegralNumber() ? number.intValue() : null;
      if (first == null) continue;
      Integer last = Trees.intValue(p.get("endPort"));
      if (port == first || (last != null && port >= first && port <= last)) return true;
    }
    return false;
  }
}
