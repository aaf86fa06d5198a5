package dev.nonroot.engine.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.nonroot.api.PortStrategy;
import dev.nonroot.engine.model.FieldPath;
import dev.nonroot.engine.model.Inventory;
import dev.nonroot.engine.model.ObjectRef;
import dev.nonroot.engine.model.Trees;
import dev.nonroot.engine.model.Workload;
import dev.nonroot.engine.plan.Rule;
import dev.nonroot.engine.policy.EffectivePolicy;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Strategy Remap: moves every containerPort below 1024 up, then the numeric probe ports and Service
 * targetPorts that point at it. Named references follow the port's name and stay as they are.
 */
final class PortRemapper {
  private record DeclaredPort(ContainerView container, FieldPath path, int port, String protocol) {
    String key() {
      return key(port, protocol);
    }

    static String key(int port, String protocol) {
      return port + "/" + protocol;
    }

    // Its path identifies a declared port; hashing the container's whole tree would be wasted work.
    @Override
    public boolean equals(Object o) {
      return o instanceof DeclaredPort d && d.path.equals(path);
    }

    @Override
    public int hashCode() {
      return path.hashCode();
    }
  }

  /** What happens to one low port under Remap. */
  private enum Fate {
    MOVE,
    /** Declared again beside the port an earlier fix moved it to (see RecordedMoves.redeclared). */
    REDECLARED,
    TAKEN,
    OVERFLOW,
    BLOCKED,
    BINDABLE_BY_SYSCTL,
    BINDABLE_BY_CAPABILITY
  }

  private record Decision(Fate fate, int target) {}

  private PortRemapper() {}

  /**
   * Where each low port goes. A container's low ports move together or not at all (a half-moved
   * container serves on ports its Services no longer reach). A port the pod can already bind
   * without root (the container adds NET_BIND_SERVICE, or the pod's sysctl allows it) stays.
   */
  private static Map<DeclaredPort, Decision> decide(
      EffectivePolicy policy,
      Workload w,
      List<ContainerView> containers,
      List<DeclaredPort> declared,
      RecordedMoves earlier,
      Integer unprivilegedStart,
      ListenSettings.Pod listen) {
    Map<DeclaredPort, Decision> out = new LinkedHashMap<>();
    // First pass: what stays where it is, and which containers cannot move at all.
    Set<String> declaredKeys = new HashSet<>();
    declared.forEach(d -> declaredKeys.add(d.key()));
    Set<FieldPath> stuck = new HashSet<>();
    Set<Integer> probed = probedPorts(containers);
    for (DeclaredPort d : declared) {
      if (d.port >= 1024) continue;
      int target = policy.remapTarget(d.port);
      Integer movedTo = earlier.redeclared(d.container, d.port, d.protocol);
      if (movedTo != null) {
        // Our own earlier move, not a port the author wants beside it: the duplicate goes, whatever
        // else would keep the port (a sysctl from another port would leave Services and probes
        // split between the two).
        out.put(d, new Decision(Fate.REDECLARED, movedTo));
      } else if (unprivilegedStart != null && d.port >= unprivilegedStart) {
        out.put(d, new Decision(Fate.BINDABLE_BY_SYSCTL, d.port));
      } else if (bindsAsNonRoot(w, d.container)) {
        out.put(d, new Decision(Fate.BINDABLE_BY_CAPABILITY, d.port));
      } else if (target > 65535) {
        out.put(d, new Decision(Fate.OVERFLOW, target));
        stuck.add(d.container.path());
      } else if (declaredKeys.contains(DeclaredPort.key(target, d.protocol))
          || boundUndeclared(d, target, probed, listen)) {
        out.put(d, new Decision(Fate.TAKEN, target));
        stuck.add(d.container.path());
      } else {
        out.put(d, new Decision(Fate.MOVE, target));
      }
    }
    // Second pass: moves claim their targets in order; a stuck container claims nothing. A claim
    // lost to another container makes its container stuck too, so repeat until nothing changes.
    Map<DeclaredPort, Decision> planned = new LinkedHashMap<>(out);
    Set<DeclaredPort> lost = new HashSet<>();
    while (true) {
      Set<String> claimed = new HashSet<>(declaredKeys);
      Set<FieldPath> newlyStuck = new HashSet<>();
      out.clear();
      planned.forEach(
          (d, decision) -> {
            if (decision.fate() != Fate.MOVE) {
              out.put(d, decision);
            } else if (lost.contains(d)) {
              out.put(d, new Decision(Fate.TAKEN, decision.target()));
            } else if (stuck.contains(d.container.path())) {
              out.put(d, new Decision(Fate.BLOCKED, decision.target()));
            } else if (claimed.add(DeclaredPort.key(decision.target(), d.protocol))) {
              out.put(d, decision);
            } else {
              out.put(d, new Decision(Fate.TAKEN, decision.target()));
              lost.add(d);
              newlyStuck.add(d.container.path());
            }
          });
      if (!stuck.addAll(newlyStuck)) break;
    }
    return out;
  }

  /** Numeric probe ports of every container: the pod listens there, declared or not. */
  private static Set<Integer> probedPorts(List<ContainerView> containers) {
    Set<Integer> out = new HashSet<>();
    for (ContainerView c : containers) {
      for (String probe : PortReferences.PROBES) {
        for (String handler : PortReferences.HANDLERS) {
          JsonNode port = c.node().path(probe).path(handler).path("port");
          if (port.isIntegralNumber() && port.canConvertToInt()) out.add(port.intValue());
        }
      }
    }
    return out;
  }

  /**
   * Whether the pod already listens on {@code target} without declaring it (containerPort is
   * informational): a probe checks it, or a listen setting in the pod names it
   * (METRICS_ADDR=:8080). Moving a port there would make the process clash with that listener.
   */
  private static boolean boundUndeclared(
      DeclaredPort d, int target, Set<Integer> probed, ListenSettings.Pod listen) {
    if (d.protocol.equals("TCP") && probed.contains(target)) return true;
    ListenSettings.Found mentions = listen.find(d.container, target);
    return !mentions.settings().isEmpty() || !mentions.unclear().isEmpty();
  }

  /**
   * The author already runs the container as a non-root UID and grants it NET_BIND_SERVICE (the
   * image then carries file capabilities, as ingress-nginx's does): its low ports work as they are.
   */
  private static boolean bindsAsNonRoot(Workload w, ContainerView c) {
    if (!CapabilityRules.added(w.root(), c).contains(CapabilityRules.NET_BIND_SERVICE))
      return false;
    JsonNode uid = Trees.valueAt(w.root(), c.securityContext().key("runAsUser"));
    if (uid == null)
      uid = Trees.valueAt(w.root(), w.podSpecPath().key("securityContext").key("runAsUser"));
    return uid != null && uid.asLong(0) > 0;
  }

  /**
   * The pod's declared ports and where Remap would send the low ones, worked out once per
   * evaluation: the capability rule and the port rule both need them.
   */
  static final class Analysis {
    private final List<ContainerView> containers;
    private final ListenSettings.Pod listen;
    private final List<DeclaredPort> declared;
    private final Map<DeclaredPort, Decision> decisions;
    private final List<UndeclaredPorts.Port> undeclared;
    // The moves the workload's record proves, read once per evaluation.
    private final RecordedMoves earlier;
    // Remap only: the unprivileged-port start the pod needs for the low ports it keeps, or null.
    private final Integer fallbackStart;
    // Why each kept low port stays, for the sysctl's reason.
    private final List<String> kept;

    private Analysis(
        List<ContainerView> containers,
        ListenSettings.Pod listen,
        List<DeclaredPort> declared,
        Map<DeclaredPort, Decision> decisions,
        List<UndeclaredPorts.Port> undeclared,
        RecordedMoves earlier,
        Integer fallbackStart,
        List<String> kept) {
      this.containers = containers;
      this.listen = listen;
      this.declared = declared;
      this.decisions = decisions;
      this.undeclared = undeclared;
      this.earlier = earlier;
      this.fallbackStart = fallbackStart;
      this.kept = kept;
    }
  }

  static Analysis analyse(
      EffectivePolicy policy, Workload w, List<ContainerView> containers, Inventory inventory) {
    List<DeclaredPort> declared = declaredPorts(w.root(), containers);
    RecordedMoves earlier = RecordedMoves.of(w, containers);
    List<UndeclaredPorts.Port> undeclared = UndeclaredPorts.find(w, containers, inventory, earlier);
    if (declared.stream().noneMatch(d -> d.port < 1024) && undeclared.isEmpty()) {
      return new Analysis(
          containers, null, declared, Map.of(), undeclared, earlier, null, List.of());
    }
    ListenSettings.Pod listen = ListenSettings.of(containers);
    Integer current = PortSysctl.current(w);
    Map<DeclaredPort, Decision> decisions =
        decide(policy, w, containers, declared, earlier, current, listen);
    if (!moves(policy) || w.podSpec().path("hostNetwork").asBoolean(false)) {
      return new Analysis(
          containers, listen, declared, decisions, undeclared, earlier, null, List.of());
    }
    // A low port that cannot move stays, and the container still becomes non-root: the pod needs
    // the sysctl from the lowest port it keeps (as the Sysctl strategy sets it). So does a low port
    // the pod binds without declaring it: there is no containerPort to move, and moving only the
    // probe or Service would break the application. Every port at or above that value is then
    // bindable where it is and moves no more; decide again with it.
    List<String> kept = new ArrayList<>();
    Integer start = null;
    for (Map.Entry<DeclaredPort, Decision> m : decisions.entrySet()) {
      String why = whyKept(policy, w, m.getKey(), m.getValue());
      if (why == null) continue;
      kept.add(why);
      start = start == null ? m.getKey().port : Math.min(start, m.getKey().port);
    }
    if (policy.portStrategy() == PortStrategy.Auto) {
      Integer auto = keptWithoutListenSetting(decisions, listen, kept);
      if (auto != null) start = start == null ? auto : Math.min(start, auto);
    }
    // A probe or Service the policy does not update would be left pointing at the old port: the
    // port cannot move without breaking it, so it stays too.
    Set<String> moving = new HashSet<>();
    decisions.forEach(
        (d, decision) -> {
          if (decision.fate() == Fate.MOVE || decision.fate() == Fate.REDECLARED) {
            moving.add(d.key());
          }
        });
    for (UndeclaredPorts.Port r : UndeclaredPorts.references(w, containers, inventory)) {
      boolean updated = r.container() == null ? policy.updateServices() : policy.updateProbes();
      if (updated || !moving.contains(r.key())) continue;
      kept.add(
          r.source()
              + ", and spec.ports."
              + (r.container() == null ? "updateServices" : "updateProbes")
              + " is false: moving "
              + r.port()
              + " would leave it behind");
      start = start == null ? r.port() : Math.min(start, r.port());
    }
    // A NetworkPolicy admitting the port by number would shut its peers out of the moved one, and
    // NetworkPolicies are a person's call: the port stays.
    Map<String, Integer> proposed = new LinkedHashMap<>();
    decisions.forEach(
        (d, decision) -> {
          if (decision.fate() == Fate.MOVE) proposed.putIfAbsent(d.key(), decision.target());
        });
    for (NetworkPolicyPorts.Cut c : NetworkPolicyPorts.cuts(w, inventory, proposed)) {
      kept.add(c.text() + ": moving " + c.from() + " would shut those peers out");
      start = start == null ? c.from() : Math.min(start, c.from());
    }
    // A Service that also sends the port to another workload's pods would move for them too.
    if (policy.updateServices()) {
      for (SharedServices.Kept k : SharedServices.keptPorts(w, inventory, moving)) {
        kept.add(k.reason());
        start = start == null ? k.port() : Math.min(start, k.port());
      }
    }
    for (UndeclaredPorts.Port u : undeclared) {
      if (current != null && u.port() >= current) continue;
      kept.add(
          u.source()
              + ", which no container declares: there is no containerPort to move, and moving"
              + " only the reference would break the application");
      start = start == null ? u.port() : Math.min(start, u.port());
    }
    if (start == null) {
      return new Analysis(
          containers, listen, declared, decisions, undeclared, earlier, null, List.of());
    }
    return new Analysis(
        containers,
        listen,
        declared,
        decide(policy, w, containers, declared, earlier, start, listen),
        undeclared,
        earlier,
        start,
        List.copyOf(kept));
  }

  /** Strategies that move ports: Remap always, Auto where a listen setting shows the way. */
  private static boolean moves(EffectivePolicy policy) {
    return policy.portStrategy() == PortStrategy.Remap
        || policy.portStrategy() == PortStrategy.Auto;
  }

  /**
   * Auto: containerPort is informational, so a port moves only with a listen setting the move
   * rewrites (see ListenSettings). A port that would move but has none, or whose number the pod
   * also mentions in a form that is not rewritten, stays; so do the other low ports of its
   * container (they move together). Adds why each stays to {@code kept} and returns the lowest port
   * kept this way, or null.
   */
  private static Integer keptWithoutListenSetting(
      Map<DeclaredPort, Decision> decisions, ListenSettings.Pod listen, List<String> kept) {
    Map<FieldPath, String> staying = new LinkedHashMap<>();
    Integer start = null;
    for (Map.Entry<DeclaredPort, Decision> m : decisions.entrySet()) {
      DeclaredPort d = m.getKey();
      if (m.getValue().fate() != Fate.MOVE) continue;
      String why = listen.find(d.container, d.port).whyKept(d.port);
      if (why == null) continue;
      kept.add("container " + d.container.name() + " port " + d.key() + " stays: " + why);
      staying.putIfAbsent(d.container.path(), d.key());
      start = start == null ? d.port : Math.min(start, d.port);
    }
    for (Map.Entry<DeclaredPort, Decision> m : decisions.entrySet()) {
      DeclaredPort d = m.getKey();
      String other = staying.get(d.container.path());
      if (m.getValue().fate() != Fate.MOVE || other == null) continue;
      if (listen.find(d.container, d.port).whyKept(d.port) != null) continue;
      kept.add(
          "container "
              + d.container.name()
              + " port "
              + d.port
              + "/"
              + d.protocol
              + " stays with "
              + other
              + ": a container's low ports move together");
      start = Math.min(start, d.port);
    }
    return start;
  }

  /** Why a low port stays under Remap, or null when it moves or is bindable already. */
  private static String whyKept(
      EffectivePolicy policy, Workload w, DeclaredPort d, Decision decision) {
    String who = "container " + d.container.name() + " port " + d.port + "/" + d.protocol;
    return switch (decision.fate()) {
      case MOVE, REDECLARED, BINDABLE_BY_SYSCTL -> null;
      case BINDABLE_BY_CAPABILITY ->
          // Kubernetes sets no ambient capabilities, so a non-root process holds NET_BIND_SERVICE
          // only through file capabilities (setcap, as ingress-nginx's image does), and those are
          // ignored once privilege escalation is off.
          escalationOff(policy, w, d.container)
              ? who
                  + " stays: it is bound through NET_BIND_SERVICE, which a non-root process gets"
                  + " only from file capabilities, and allowPrivilegeEscalation: false ignores them"
              : null;
      case OVERFLOW -> who + " cannot move: " + decision.target() + " is past 65535";
      case TAKEN ->
          who
              + " cannot move: "
              + decision.target()
              + "/"
              + d.protocol
              + " is already used in the pod (declared, probed or named by a listen setting;"
              + " spec.ports.map can move it elsewhere)";
      case BLOCKED ->
          who + " cannot move: another low port of the container cannot, and they move together";
    };
  }

  /** Whether the container runs with allowPrivilegeEscalation: false once the policy applies. */
  private static boolean escalationOff(EffectivePolicy policy, Workload w, ContainerView c) {
    if (policy.denyPrivilegeEscalation()) return true;
    JsonNode ape = Trees.valueAt(w.root(), c.securityContext().key("allowPrivilegeEscalation"));
    return ape != null && ape.isBoolean() && !ape.booleanValue();
  }

  /**
   * The containers that still declare a port below 1024 after this policy's port rule: they keep
   * NET_BIND_SERVICE, or a non-root process could no longer bind it.
   */
  static Set<FieldPath> containersKeepingLowPorts(
      EffectivePolicy policy, Workload w, Analysis ports) {
    Set<FieldPath> out = new HashSet<>();
    boolean hostNetwork = w.podSpec().path("hostNetwork").asBoolean(false);
    for (Map.Entry<DeclaredPort, Decision> m : ports.decisions.entrySet()) {
      // A port that stays is covered by the sysctl (see analyse) under Remap, Auto and Sysctl. A
      // container that its author runs non-root with NET_BIND_SERVICE keeps the capability all the
      // same while its port stays: its binary may carry it as a file capability, and the kernel
      // refuses to exec such a binary when the capability is not in the bounding set.
      Fate fate = m.getValue().fate();
      boolean authorGranted =
          fate != Fate.MOVE && fate != Fate.REDECLARED && bindsAsNonRoot(w, m.getKey().container);
      boolean stays =
          switch (policy.portStrategy()) {
            case Keep -> true;
            case Sysctl, Remap, Auto -> hostNetwork || authorGranted;
          };
      if (stays) out.add(m.getKey().container.path());
    }
    // A probe's port is bound by the pod as much as a declared one.
    boolean undeclaredStay =
        switch (policy.portStrategy()) {
          case Keep -> true;
          case Sysctl, Remap, Auto -> hostNetwork;
        };
    if (undeclaredStay) {
      for (UndeclaredPorts.Port u : ports.undeclared) {
        if (u.container() != null) out.add(u.container().path());
      }
    }
    return out;
  }

  static void apply(
      EffectivePolicy policy, Workload w, Analysis ports, Inventory inventory, PlanBuilder plan) {
    List<ContainerView> containers = ports.containers;
    List<DeclaredPort> declared = ports.declared;
    boolean anyLow = !ports.decisions.isEmpty() || !ports.undeclared.isEmpty();
    if (w.podSpec().path("hostNetwork").asBoolean(false)) {
      if (anyLow) {
        plan.unfixable(
            null,
            Rule.PortRemap,
            "pod uses the host network: its low ports are the node's ports and are not moved");
      }
      return;
    }
    // key "80/TCP" -> new port, for this pass's moves and for moves an earlier pass already made.
    Map<String, Integer> moves = new LinkedHashMap<>();
    Map<DeclaredPort, Integer> duplicates = new LinkedHashMap<>();
    // Containers and ports ("path|80") whose listen settings are rewritten already (80/TCP and
    // 80/UDP share them).
    Set<String> rewritten = new HashSet<>();
    for (Map.Entry<DeclaredPort, Decision> m : ports.decisions.entrySet()) {
      DeclaredPort d = m.getKey();
      int target = m.getValue().target();
      String who = "container " + d.container.name() + " port " + d.port + "/" + d.protocol;
      switch (m.getValue().fate()) {
        // A port that cannot move stays; analyse gave the pod the sysctl that covers it.
        case BINDABLE_BY_SYSCTL, BINDABLE_BY_CAPABILITY, OVERFLOW, TAKEN, BLOCKED -> {}
        case REDECLARED -> {
          moves.put(d.key(), target);
          duplicates.put(d, target);
          // The apply that declared the old port again may have put its listen setting back too.
          ListenSettings.Found listen = ports.listen.find(d.container, d.port);
          if (!listen.settings().isEmpty() && rewritten.add(d.container.path() + "|" + d.port)) {
            rewriteListenSettings(d.container, d.port, target, listen, plan);
          }
          if (!listen.unclear().isEmpty()) {
            // The earlier move is restored, but something re-applied with it still names the old
            // port in a form that is not rewritten: a person must look.
            plan.unfixable(
                d.container.name(),
                Rule.PortRemap,
                who
                    + " was moved to "
                    + target
                    + " earlier and is declared again; "
                    + String.join(", ", listen.unclear())
                    + " in a form that is not rewritten: check it still reaches the application");
          }
        }
        case MOVE -> {
          moves.put(d.key(), target);
          ListenSettings.Found listen = ports.listen.find(d.container, d.port);
          plan.change(
              d.path,
              IntNode.valueOf(d.port),
              IntNode.valueOf(target),
              Rule.PortRemap,
              d.container.name(),
              who
                  + " needs root to bind; moved to "
                  + target
                  + (listen.settings().isEmpty()
                      ? " (the application must listen on " + target + " too)"
                      : ", and its listen setting (" + listen.labels() + ") with it"));
          if (rewritten.add(d.container.path() + "|" + d.port)) {
            rewriteListenSettings(d.container, d.port, target, listen, plan);
          }
        }
      }
    }
    removeDuplicates(w, duplicates, plan);
    if (ports.fallbackStart != null) {
      PortSysctl.set(
          w,
          ports.fallbackStart,
          String.join("; ", ports.kept)
              + ". The pod keeps its ports from "
              + ports.fallbackStart
              + " up where they are, and "
              + PortSysctl.SYSCTL
              + "="
              + ports.fallbackStart
              + " lets a non-root user bind them",
          plan);
    }
    // Ports this workload's own record says were moved earlier: Services and probes still pointing
    // at the old port follow (an earlier fix that was only partly applied).
    Set<String> declaredKeys = new HashSet<>();
    declared.forEach(d -> declaredKeys.add(d.key()));
    Map<String, Integer> settled = ports.earlier.settled(declaredKeys);
    settled.forEach(moves::putIfAbsent);
    NetworkPolicyPorts.report(w, inventory, moves, plan);
    if (moves.isEmpty()) return;
    if (policy.updateProbes()) {
      for (ContainerView c : containers) remapProbes(w.root(), c, moves, plan);
    }
    if (policy.updateServices()) {
      // A Service that sends an earlier-moved port to another workload's pods as well (put back by
      // a person, or joined by that workload since) must not be moved under it: reported instead.
      Map<String, Integer> serviceMoves = new LinkedHashMap<>(moves);
      for (SharedServices.Kept k :
          SharedServices.keptPorts(w, inventory, new HashSet<>(settled.keySet()))) {
        serviceMoves.keySet().removeIf(key -> key.startsWith(k.port() + "/"));
        plan.unfixable(
            null,
            Rule.ServiceTargetPort,
            k.reason()
                + "; this workload's port "
                + k.port()
                + " moved to "
                + settled.entrySet().stream()
                    .filter(e -> e.getKey().startsWith(k.port() + "/"))
                    .map(Map.Entry::getValue)
                    .findFirst()
                    .orElse(k.port())
                + " earlier, so that Service needs a person (one targetPort cannot serve both)");
      }
      remapServices(w, inventory, serviceMoves, plan);
    }
  }

  private static void rewriteListenSettings(
      ContainerView c, int port, int target, ListenSettings.Found listen, PlanBuilder plan) {
    for (ListenSettings.Setting s : listen.settings()) {
      plan.change(
          s.path(),
          TextNode.valueOf(s.text()),
          TextNode.valueOf(s.movedTo(target)),
          Rule.ListenSetting,
          c.name(),
          "container "
              + c.name()
              + " "
              + s.label()
              + " tells the application to listen on "
              + port
              + ", which moves to "
              + target);
    }
  }

  /**
   * Removes the port items declared again beside our own earlier move, so the container declares
   * the moved port once (a real API server warns about a duplicate containerPort, and the next
   * strategic merge keyed by it would be ambiguous). Removals come after every containerPort move
   * and from the end of each list, so every path of the plan still holds when a JSON Patch applies
   * them in order.
   */
  private static void removeDuplicates(
      Workload w, Map<DeclaredPort, Integer> duplicates, PlanBuilder plan) {
    List<DeclaredPort> fromTheEnd = new ArrayList<>(duplicates.keySet());
    fromTheEnd.sort(
        Comparator.comparing((DeclaredPort d) -> d.container.path().pointer())
            .thenComparing(d -> -Integer.parseInt(d.path.parent().lastToken())));
    for (DeclaredPort d : fromTheEnd) {
      int target = duplicates.get(d);
      plan.change(
          d.path.parent(),
          Trees.valueAt(w.root(), d.path.parent()),
          null,
          Rule.PortRemap,
          d.container.name(),
          "container "
              + d.container.name()
              + " declares port "
              + d.port
              + "/"
              + d.protocol
              + " again beside "
              + target
              + ", where an earlier fix moved it (as a kubectl apply of the original manifest"
              + " does): the duplicate is removed, and what points at "
              + d.port
              + " follows to "
              + target);
    }
  }

  static List<Integer> lowPorts(JsonNode root, List<ContainerView> containers) {
    List<Integer> out = new ArrayList<>();
    for (DeclaredPort d : declaredPorts(root, containers)) {
      if (d.port < 1024) out.add(d.port);
    }
    return out;
  }

  private static List<DeclaredPort> declaredPorts(JsonNode root, List<ContainerView> containers) {
    List<DeclaredPort> out = new ArrayList<>();
    for (ContainerView c : containers) {
      JsonNode ports = c.node().path("ports");
      if (!ports.isArray()) continue;
      for (int i = 0; i < ports.size(); i++) {
        Integer p = Trees.intValue(ports.get(i).get("containerPort"));
        if (p == null || p <= 0) continue;
        String proto = ports.get(i).path("protocol").asText("TCP");
        out.add(
            new DeclaredPort(
                c, c.path().key("ports").index(i, null).key("containerPort"), p, proto));
      }
    }
    return out;
  }

  private static void remapProbes(
      JsonNode root, ContainerView c, Map<String, Integer> moves, PlanBuilder plan) {
    for (String probe : PortReferences.PROBES) {
      FieldPath base = c.path().key(probe);
      for (String handler : PortReferences.HANDLERS) {
        FieldPath portPath = base.key(handler).key("port");
        JsonNode old = Trees.valueAt(root, portPath);
        // A named port follows the containerPort's name; only numbers need moving.
        if (old == null || !old.isIntegralNumber() || !old.canConvertToInt()) continue;
        Integer target = moves.get(DeclaredPort.key(old.intValue(), "TCP"));
        if (target == null) continue;
        plan.change(
            portPath,
            old,
            IntNode.valueOf(target),
            Rule.ProbePort,
            c.name(),
            "container "
                + c.name()
                + " "
                + probe
                + " checks port "
                + old.intValue()
                + ", which moves to "
                + target);
      }
    }
  }

  private static void remapServices(
      Workload w, Inventory inventory, Map<String, Integer> moves, PlanBuilder plan) {
    for (ObjectNode svc : PortReferences.selectingServices(w, inventory)) {
      ObjectRef ref =
          new ObjectRef(
              "Service",
              svc.path("metadata").path("namespace").asText(""),
              svc.path("metadata").path("name").asText(""));
      JsonNode ports = svc.path("spec").path("ports");
      for (int i = 0; i < ports.size(); i++) {
        JsonNode sp = ports.get(i);
        JsonNode targetPort = sp.get("targetPort");
        Integer effective = PortReferences.numericTarget(sp);
        if (effective == null) continue;
        Integer target = moves.get(DeclaredPort.key(effective, sp.path("protocol").asText("TCP")));
        if (target == null) continue;
        String portName = sp.path("name").asText("");
        FieldPath path =
            FieldPath.root()
                .key("spec")
                .key("ports")
                .index(i, portName.isEmpty() ? null : portName)
                .key("targetPort");
        plan.serviceChange(
            ref,
            path,
            targetPort == null || targetPort.isNull() ? null : targetPort,
            IntNode.valueOf(target),
            "Service "
                + ref.name()
                + " sends port "
                + sp.path("port").asText()
                + " to "
                + effective
                + " of "
                + w.ref().kind()
                + " "
                + w.ref().name()
                + ", which moves to "
                + target);
      }
    }
  }
}
