package dev.nonroot.engine.policy;

import dev.nonroot.api.GitOpsMode;
import dev.nonroot.api.NeedsRootAction;
import dev.nonroot.api.OnDeleteMode;
import dev.nonroot.api.PolicyMode;
import dev.nonroot.api.PortStrategy;
import dev.nonroot.api.RunAsUserFrom;
import dev.nonroot.api.SeccompMode;
import dev.nonroot.api.WorkloadKind;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A validated policy with every default filled in: the only form the engine reads. {@code fsGroup}
 * is null where the policy sets none (the pod's own UID is used).
 */
public record EffectivePolicy(
    String name,
    PolicyMode mode,
    int priority,
    Set<WorkloadKind> kinds,
    List<String> namespaces,
    List<String> excludeNamespaces,
    LabelSelector namespaceSelector,
    LabelSelector selector,
    boolean runAsNonRoot,
    long runAsUser,
    RunAsUserFrom runAsUserFrom,
    Long fsGroup,
    boolean denyPrivilegeEscalation,
    boolean denyPrivileged,
    List<String> dropCapabilities,
    Set<String> keepCapabilities,
    SeccompMode seccomp,
    boolean readOnlyRootFilesystem,
    PortStrategy portStrategy,
    int portOffset,
    Map<Integer, Integer> portMap,
    boolean updateServices,
    boolean updateProbes,
    NeedsRootAction needsRoot,
    Duration rolloutTimeout,
    int maxConcurrentRollouts,
    GitOpsMode gitops,
    OnDeleteMode onDelete,
    Duration onDeleteTimeout) {

  /**
   * This policy with another port strategy: the rescue of a remediation whose moved ports broke its
   * rollout keeps them with the sysctl instead.
   */
  public EffectivePolicy withPortStrategy(PortStrategy strategy) {
    return new EffectivePolicy(
        name,
        mode,
        priority,
        kinds,
        namespaces,
        excludeNamespaces,
        namespaceSelector,
        selector,
        runAsNonRoot,
        runAsUser,
        runAsUserFrom,
        fsGroup,
        denyPrivilegeEscalation,
        denyPrivileged,
        dropCapabilities,
        keepCapabilities,
        seccomp,
        readOnlyRootFilesystem,
        strategy,
        portOffset,
        portMap,
        updateServices,
        updateProbes,
        needsRoot,
        rolloutTimeout,
        maxConcurrentRollouts,
        gitops,
        onDelete,
        onDeleteTimeout);
  }

  /** Where a low port goes when it moves (Auto, Remap). */
  public int remapTarget(int port) {
    Integer mapped = portMap.get(port);
    return mapped != null ? mapped : port + portOffset;
  }
}
