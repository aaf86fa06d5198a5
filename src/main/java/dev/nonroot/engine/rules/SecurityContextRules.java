package dev.nonroot.engine.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.nonroot.api.RunAsUserFrom;
import dev.nonroot.api.SeccompMode;
import dev.nonroot.api.WorkloadKind;
import dev.nonroot.engine.model.FieldPath;
import dev.nonroot.engine.model.Inventory;
import dev.nonroot.engine.model.Trees;
import dev.nonroot.engine.model.Workload;
import dev.nonroot.engine.plan.Rule;
import dev.nonroot.engine.policy.EffectivePolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * runAsNonRoot, runAsUser (the policy's or the image's), fsGroup, seccomp, privilege escalation,
 * privileged and read-only root filesystem.
 */
final class SecurityContextRules {
  private static final String UNCONFINED = "Unconfined";
  private static final String RUNTIME_DEFAULT = "RuntimeDefault";

  private SecurityContextRules() {}

  static void applyPodLevel(
      EffectivePolicy policy,
      Workload w,
      List<ContainerView> containers,
      Inventory inventory,
      PlanBuilder plan) {
    ObjectNode root = w.root();
    FieldPath psc = w.podSpecPath().key("securityContext");
    if (policy.runAsNonRoot()) {
      FieldPath p = psc.key("runAsNonRoot");
      JsonNode old = Trees.valueAt(root, p);
      // Every container saying runAsNonRoot: true already covers the pod.
      boolean everyContainer =
          !containers.isEmpty()
              && containers.stream()
                  .allMatch(
                      c ->
                          Trees.valueAt(root, c.securityContext().key("runAsNonRoot"))
                                  instanceof BooleanNode b
                              && b.booleanValue());
      boolean podSaysFalse = old != null && (!old.isBoolean() || !old.booleanValue());
      if ((old == null && !everyContainer) || podSaysFalse) {
        plan.change(
            p,
            old,
            BooleanNode.TRUE,
            Rule.RunAsNonRoot,
            null,
            "pod does not require a non-root user (runAsNonRoot is " + describe(old) + ")");
      }
    }
    // The RunAsUser rule has no off switch: policy runAsNonRoot: false turns off only the rule
    // above.
    FieldPath uidPath = psc.key("runAsUser");
    JsonNode podUid = Trees.valueAt(root, uidPath);
    if (podUid != null && podUid.asLong(-1) == 0) {
      plan.change(
          uidPath,
          podUid,
          LongNode.valueOf(policy.runAsUser()),
          Rule.RunAsUser,
          null,
          "pod runs as UID 0 (root)");
    } else if (podUid == null) {
      List<String> needUid =
          containers.stream()
              .filter(
                  c ->
                      Trees.valueAt(root, c.securityContext().key("runAsUser")) == null
                          && !imageUserVerified(root, psc, c))
              .map(ContainerView::name)
              .toList();
      if (!needUid.isEmpty()) {
        String reason =
            "no UID is set for "
                + String.join(", ", needUid)
                + " and runAsNonRoot is not already true for them, so the image's user applies"
                + " and may be root";
        // Asking may cost a read of the workload's pods: only for a UID the plan can write.
        ImageUid image =
            policy.runAsUserFrom() == RunAsUserFrom.Image && plan.writable(uidPath)
                ? ImageUid.of(inventory.imageUsers(w), root, containers)
                : ImageUid.NOT_ASKED;
        if (image.uid() > 0) {
          plan.change(
              uidPath,
              null,
              LongNode.valueOf(image.uid()),
              Rule.ImageUser,
              null,
              reason + "; " + image.why() + ", so that UID is kept (runAsUserFrom: Image)");
        } else {
          plan.change(
              uidPath,
              null,
              LongNode.valueOf(policy.runAsUser()),
              Rule.RunAsUser,
              null,
              image.why() == null ? reason : reason + "; " + image.why());
        }
      }
    }
    if (policy.seccomp() == SeccompMode.RuntimeDefault) {
      FieldPath p = psc.key("seccompProfile");
      JsonNode old = Trees.valueAt(root, p);
      boolean everyContainer =
          !containers.isEmpty()
              && containers.stream()
                  .allMatch(
                      c -> {
                        JsonNode type =
                            Trees.valueAt(
                                root, c.securityContext().key("seccompProfile").key("type"));
                        return type != null
                            && (RUNTIME_DEFAULT.equals(type.asText())
                                || "Localhost".equals(type.asText()));
                      });
      if (old == null && !everyContainer) {
        ObjectNode profile = JsonNodeFactory.instance.objectNode().put("type", RUNTIME_DEFAULT);
        plan.change(p, null, profile, Rule.SeccompProfile, null, "pod has no seccomp profile");
      } else if (old != null && UNCONFINED.equals(old.path("type").asText())) {
        plan.change(
            p.key("type"),
            old.path("type"),
            TextNode.valueOf(RUNTIME_DEFAULT),
            Rule.SeccompProfile,
            null,
            "pod seccomp profile is Unconfined");
      }
    }
  }

  /** {@code keepsLowPort}: the container still binds a port below 1024 after the port rule. */
  static void applyContainerLevel(
      EffectivePolicy policy, Workload w, ContainerView c, boolean keepsLowPort, PlanBuilder plan) {
    ObjectNode root = w.root();
    FieldPath sc = c.securityContext();
    String name = c.name();
    if (policy.runAsNonRoot()) {
      FieldPath p = sc.key("runAsNonRoot");
      JsonNode old = Trees.valueAt(root, p);
      if (old != null && !old.asBoolean(false)) {
        plan.change(
            p,
            old,
            BooleanNode.TRUE,
            Rule.RunAsNonRoot,
            name,
            "container " + name + " overrides the pod with runAsNonRoot: " + old.asText());
      }
    }
    FieldPath uid = sc.key("runAsUser");
    JsonNode oldUid = Trees.valueAt(root, uid);
    if (oldUid != null && oldUid.asLong(-1) == 0) {
      plan.change(
          uid,
          oldUid,
          LongNode.valueOf(policy.runAsUser()),
          Rule.RunAsUser,
          name,
          "container " + name + " runs as UID 0 (root)");
    }
    boolean privilegedStays = false;
    JsonNode privileged = Trees.valueAt(root, sc.key("privileged"));
    if (privileged != null && privileged.asBoolean(false)) {
      if (policy.denyPrivileged()) {
        plan.change(
            sc.key("privileged"),
            privileged,
            BooleanNode.FALSE,
            Rule.Privileged,
            name,
            "container " + name + " is privileged (full access to the host)");
      } else {
        privilegedStays = true;
      }
    }
    if (policy.denyPrivilegeEscalation()) {
      FieldPath p = sc.key("allowPrivilegeEscalation");
      JsonNode old = Trees.valueAt(root, p);
      if (old == null || old.asBoolean(true)) {
        if (privilegedStays || CapabilityRules.keepsSysAdmin(policy, root, c)) {
          // The API server rejects allowPrivilegeEscalation: false next to privileged or
          // CAP_SYS_ADMIN.
          plan.unfixable(
              name,
              Rule.AllowPrivilegeEscalation,
              "container "
                  + name
                  + " may escalate privileges, but stays privileged or keeps SYS_ADMIN, which the API server "
                  + "does not allow together with allowPrivilegeEscalation: false");
        } else {
          plan.change(
              p,
              old,
              BooleanNode.FALSE,
              Rule.AllowPrivilegeEscalation,
              name,
              "container "
                  + name
                  + " may gain more privileges than its parent process (allowPrivilegeEscalation is "
                  + describe(old)
                  + ")");
        }
      }
    }
    CapabilityRules.apply(policy, root, c, keepsLowPort, plan);
    if (policy.seccomp() == SeccompMode.RuntimeDefault) {
      FieldPath p = sc.key("seccompProfile").key("type");
      JsonNode old = Trees.valueAt(root, p);
      if (old != null && UNCONFINED.equals(old.asText())) {
        plan.change(
            p,
            old,
            TextNode.valueOf(RUNTIME_DEFAULT),
            Rule.SeccompProfile,
            name,
            "container " + name + " seccomp profile is Unconfined");
      }
    }
    if (policy.readOnlyRootFilesystem()) {
      FieldPath p = sc.key("readOnlyRootFilesystem");
      JsonNode old = Trees.valueAt(root, p);
      if (old == null || !old.asBoolean(false)) {
        plan.change(
            p,
            old,
            BooleanNode.TRUE,
            Rule.ReadOnlyRootFilesystem,
            name,
            "container " + name + " can write to its root filesystem");
      }
    }
  }

  /**
   * The UID running pods say the image runs as, when the pod-level runAsUser can take it: every
   * container the pod-level UID would reach (those without a runAsUser of their own) that reports a
   * UID reports the same non-zero one. {@code uid} is 0 when it cannot; {@code why} says what the
   * pods reported (null: nothing).
   */
  private record ImageUid(long uid, String why) {
    static final ImageUid NOT_ASKED = new ImageUid(0, null);

    static ImageUid of(Map<String, Long> reported, JsonNode root, List<ContainerView> containers) {
      Map<String, Long> reaching = new TreeMap<>();
      if (reported == null) return NOT_ASKED;
      for (ContainerView c : containers) {
        Long uid = reported.get(c.name());
        if (uid != null && Trees.valueAt(root, c.securityContext().key("runAsUser")) == null) {
          reaching.put(c.name(), uid);
        }
      }
      if (reaching.isEmpty()) return NOT_ASKED;
      Set<Long> uids = new TreeSet<>(reaching.values());
      List<String> byContainer = new ArrayList<>();
      reaching.forEach((name, uid) -> byContainer.add(name + ": " + uid));
      String report = "running pods report UID " + String.join(", ", byContainer);
      if (uids.size() > 1) return new ImageUid(0, report + ", not one UID for the pod");
      long uid = uids.iterator().next();
      if (uid == 0) return new ImageUid(0, report + ", which is root");
      if (uid < 0 || uid > Integer.MAX_VALUE) {
        return new ImageUid(0, report + ", not a UID runAsUser takes");
      }
      return new ImageUid(uid, report);
    }
  }

  /**
   * A pod whose persistent volumes (PersistentVolumeClaims, generic ephemeral volumes, a
   * StatefulSet's volumeClaimTemplates) are written by a non-root UID needs fsGroup: a new volume's
   * root directory belongs to root, and data written before belongs to the UID that wrote it, so
   * the kubelet has to give the pod's group access. fsGroup is the policy's, else the UID the pod
   * runs as once the plan is applied (the pod's, else the one non-zero UID its containers set);
   * OnRootMismatch makes the kubelet walk the volume only when its root does not match. Runs after
   * the pod and container rules so it sees the UID they chose. An fsGroup already set is the
   * author's.
   */
  static void applyFsGroup(
      EffectivePolicy policy, Workload w, List<ContainerView> containers, PlanBuilder plan) {
    FieldPath psc = w.podSpecPath().key("securityContext");
    if (Trees.valueAt(w.root(), psc.key("fsGroup")) != null) return;
    List<String> volumes = persistentVolumes(w);
    if (volumes.isEmpty()) return;
    long gid;
    String source;
    if (policy.fsGroup() != null) {
      gid = policy.fsGroup();
      source = "the policy's fsGroup";
    } else {
      JsonNode podUid = plan.planned(psc.key("runAsUser"));
      Set<Long> containerUids = new TreeSet<>();
      for (ContainerView c : containers) {
        JsonNode uid = plan.planned(c.securityContext().key("runAsUser"));
        if (uid != null && uid.isIntegralNumber() && uid.asLong() > 0) {
          containerUids.add(uid.asLong());
        }
      }
      if (podUid != null && podUid.isIntegralNumber() && podUid.asLong() > 0) {
        gid = podUid.asLong();
        source = "the pod's UID";
      } else if (containerUids.size() == 1) {
        gid = containerUids.iterator().next();
        source = "the UID its containers run as";
      } else {
        // No one UID to name (the image's own users, or several): the author has to choose.
        return;
      }
    }
    String reason =
        "pod mounts persistent volume "
            + String.join(", ", volumes)
            + " without fsGroup, so a non-root UID may not write it; fsGroup "
            + gid
            + " is "
            + source;
    plan.change(psc.key("fsGroup"), null, LongNode.valueOf(gid), Rule.FsGroup, null, reason);
    FieldPath changePolicy = psc.key("fsGroupChangePolicy");
    if (Trees.valueAt(w.root(), changePolicy) == null) {
      plan.change(
          changePolicy,
          null,
          TextNode.valueOf("OnRootMismatch"),
          Rule.FsGroup,
          null,
          "the kubelet changes the volume's ownership only when its root directory does not match"
              + " fsGroup, not on every start");
    }
  }

  /** The names of the pod's volumes backed by a PersistentVolumeClaim, in the order written. */
  private static List<String> persistentVolumes(Workload w) {
    List<String> out = new ArrayList<>();
    for (JsonNode v : w.podSpec().path("volumes")) {
      if (v.path("persistentVolumeClaim").isObject() || v.path("ephemeral").isObject()) {
        out.add(v.path("name").asText("?"));
      }
    }
    if (w.kind() == WorkloadKind.StatefulSet) {
      for (JsonNode t : w.root().path("spec").path("volumeClaimTemplates")) {
        String name = t.path("metadata").path("name").asText("?");
        if (!out.contains(name)) out.add(name);
      }
    }
    return out;
  }

  /**
   * The container's effective runAsNonRoot (its own value, else the pod's) is already true, so the
   * kubelet refuses to start it as root and no UID needs to be invented over the image's own. Read
   * from the workload as it is, not as the policy would leave it: where the policy has to add
   * runAsNonRoot: true, a UID comes with it.
   */
  private static boolean imageUserVerified(JsonNode root, FieldPath psc, ContainerView c) {
    JsonNode own = Trees.valueAt(root, c.securityContext().key("runAsNonRoot"));
    JsonNode effective = own != null ? own : Trees.valueAt(root, psc.key("runAsNonRoot"));
    return effective instanceof BooleanNode b && b.booleanValue();
  }

  static String describe(JsonNode value) {
    return value == null ? "unset" : value.asText();
  }
}
