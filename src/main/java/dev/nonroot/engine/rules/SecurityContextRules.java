package dev.nonroot.engine.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.nonroot.api.SeccompMode;
import dev.nonroot.engine.model.FieldPath;
import dev.nonroot.engine.model.Trees;
import dev.nonroot.engine.model.Workload;
import dev.nonroot.engine.plan.Rule;
import dev.nonroot.engine.policy.EffectivePolicy;
import java.util.List;

/**
 * runAsNonRoot, runAsUser, seccomp, privilege escalation, privileged and read-only root filesystem.
 */
final class SecurityContextRules {
  private static final String UNCONFINED = "Unconfined";
  private static final String RUNTIME_DEFAULT = "RuntimeDefault";

  private SecurityContextRules() {}

  static void applyPodLevel(
      EffectivePolicy policy, Workload w, List<ContainerView> containers, PlanBuilder plan) {
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
        plan.change(
            uidPath,
            null,
            LongNode.valueOf(policy.runAsUser()),
            Rule.RunAsUser,
            null,
            "no UID is set for "
                + String.join(", ", needUid)
                + " and runAsNonRoot is not already true for them, so the image's user applies"
                + " and may be root");
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
