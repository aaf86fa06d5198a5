package dev.nonroot.kubesim;

import dev.nonroot.api.Annotations;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How the new pods of a failing rollout wait: the kubelet's waiting reason and message, read from
 * the workload's {@value RolloutSimulator#FAIL_ANNOTATION} annotation ({@code "<reason>:
 * <message>"}).
 */
record SimulatedFailure(String reason, String message) {
  static final String CRASH_LOOP = "CrashLoopBackOff";

  /** A kubelet reason is one CamelCase word ("CrashLoopBackOff", "CreateContainerConfigError"). */
  private static final Pattern REASON_AND_MESSAGE =
      Pattern.compile("([A-Z][A-Za-z0-9]*):\\s*(.*)", Pattern.DOTALL);

  /**
   * The failure of this rollout, if it has one: only a template the operator changed (it carries
   * the remediation pod label) fails, so the operator's revert, which removes the label, succeeds.
   */
  static Optional<SimulatedFailure> of(HasMetadata workload, PodTemplateSpec template) {
    Map<String, String> annotations = workload.getMetadata().getAnnotations();
    String value = annotations == null ? null : annotations.get(RolloutSimulator.FAIL_ANNOTATION);
    if (value == null || !remediated(template)) {
      return Optional.empty();
    }
    return Optional.of(parse(value));
  }

  /** Never fails: a value without a reason is all message, with reason CrashLoopBackOff. */
  static SimulatedFailure parse(String value) {
    String v = value.strip();
    Matcher m = REASON_AND_MESSAGE.matcher(v);
    if (m.matches()) {
      return new SimulatedFailure(m.group(1), m.group(2).strip());
    }
    return new SimulatedFailure(CRASH_LOOP, v);
  }

  /** The container ran and exited: it restarts, reports its user, and the pod is Running. */
  boolean crashLooping() {
    return reason.equals(CRASH_LOOP);
  }

  private static boolean remediated(PodTemplateSpec template) {
    return template != null
        && template.getMetadata() != null
        && template.getMetadata().getLabels() != null
        && template.getMetadata().getLabels().containsKey(Annotations.REMEDIATION_LABEL);
  }
}
