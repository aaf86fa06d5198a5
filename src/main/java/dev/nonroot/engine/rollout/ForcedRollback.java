package dev.nonroot.engine.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * What a revert of a StatefulSet cannot do by itself. A StatefulSet whose rolling update made a pod
 * that never became Ready waits for that pod for ever, also after its template is put back
 * (Kubernetes' "forced rollback": the pod must be deleted). The operator does not delete pods (its
 * ClusterRole grants pods list and watch only), so it names the one a person must delete.
 */
public final class ForcedRollback {
  private ForcedRollback() {}

  /**
   * The advice for the revert of {@code workload} after {@code failure}, or empty when the
   * workload's controller replaces the broken pods by itself (Deployment, DaemonSet).
   */
  public static Optional<String> advice(JsonNode workload, RolloutAssessment.Progress failure) {
    if (!"StatefulSet".equals(workload.path("kind").asText())) return Optional.empty();
    String pods =
        failure.pod() == null
            ? "the pods of the failed revision"
            : "pod "
                + failure.pod()
                + " (kubectl delete pod -n "
                + workload.path("metadata").path("namespace").asText()
                + " "
                + failure.pod()
                + ")";
    return Optional.of(
        "a StatefulSet keeps waiting for a pod of the failed revision that never became ready,"
            + " also after the revert (Kubernetes' forced rollback): delete "
            + pods
            + " and it comes back from the template put back");
  }
}
