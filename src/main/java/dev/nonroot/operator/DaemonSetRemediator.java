package dev.nonroot.operator;

import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;

@ControllerConfiguration(name = "daemonsets", fieldManager = OperatorConstants.FIELD_MANAGER)
public class DaemonSetRemediator extends WorkloadRemediator<DaemonSet> {
  public DaemonSetRemediator(OperatorServices services) {
    super(DaemonSet.class, services);
  }
}
