package dev.nonroot.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;

/** The pod template of the kinds the operator watches: the only part of their spec a policy reads. */
final class PodTemplates {
  private PodTemplates() {}

  /**
   * Whether an update can change what a policy concludes: the pod template, labels (selectors) or
   * annotations (exemption, record). Rollout status churn and replica changes cannot.
   */
  static boolean relevantUpdate(HasMetadata next, HasMetadata old) {
    return !java.util.Objects.equals(of(next), of(old))
        || !java.util.Objects.equals(next.getMetadata().getLabels(), old.getMetadata().getLabels())
        || !java.util.Objects.equals(next.getMetadata().getAnnotations(), old.getMetadata().getAnnotations());
  }

  static PodTemplateSpec of(HasMetadata workload) {
    if (workload instanceof Deployment d && d.getSpec() != null) return d.getSpec().getTemplate();
    if (workload instanceof StatefulSet s && s.getSpec() != null) return s.getSpec().getTemplate();
    if (workload instanceof DaemonSet ds && ds.getSpec() != null) return ds.getSpec().getTemplate();
    return null;
  }
}
