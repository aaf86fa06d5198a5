package dev.nonroot.operator;

import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;

@ControllerConfiguration(name = "statefulsets", fieldManager = OperatorConstants.FIELD_MANAGER)
public class StatefulSetRemediator extends WorkloadRemediator<StatefulSet> {
  public StatefulSetRemediator(OperatorServices services) {
    super(StatefulSet.class, services);
  }
}
