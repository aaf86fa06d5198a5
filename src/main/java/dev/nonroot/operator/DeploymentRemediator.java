package dev.nonroot.operator;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;

@ControllerConfiguration(name = "deployments", fieldManager = OperatorConstants.FIELD_MANAGER)
public class DeploymentRemediator extends WorkloadRemediator<Deployment> {
  public DeploymentRemediator(OperatorServices services) {
    super(Deployment.class, services);
  }
}
