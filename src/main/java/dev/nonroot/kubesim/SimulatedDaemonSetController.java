package dev.nonroot.kubesim;

import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The DaemonSet controller on a one-node cluster: one pod {@code <ds>-<rand5>}, replaced on every
 * rollout (maxUnavailable 1 removes the old pod first), so a failing rollout leaves none available.
 */
final class SimulatedDaemonSetController extends SimulatedController<DaemonSet> {
  private final KubernetesClient client;

  SimulatedDaemonSetController(KubernetesClient client, SimulatedPods pods) {
    super(pods);
    this.client = client;
  }

  @Override
  MixedOperation<
          DaemonSet, ? extends KubernetesResourceList<DaemonSet>, ? extends Resource<DaemonSet>>
      resources() {
    return client.apps().daemonSets();
  }

  @Override
  Long observedGeneration(DaemonSet ds) {
    return ds.getStatus() == null ? null : ds.getStatus().getObservedGeneration();
  }

  @Override
  void rollOut(DaemonSet ds) {
    String namespace = ds.getMetadata().getNamespace();
    String name = ds.getMetadata().getName();
    PodTemplateSpec template = ds.getSpec().getTemplate();
    Optional<SimulatedFailure> failure = SimulatedFailure.of(ds, template);
    forget(ds);
    Pod pod =
        pods.pod(
            name + "-" + pods.randomSuffix(),
            name + "-",
            namespace,
            template,
            Map.of(
                SimulatedStatefulSetController.REVISION_LABEL,
                pods.hash(template),
                "pod-template-generation",
                String.valueOf(ds.getMetadata().getGeneration())),
            SimulatedPods.controllerReference(ds));
    pods.create(pod, pods.status(ds, pod, failure));
    int ready = failure.isEmpty() ? 1 : 0;
    writeStatus(
        ds,
        stored ->
            stored.setStatus(
                new DaemonSetStatusBuilder()
                    .withObservedGeneration(stored.getMetadata().getGeneration())
                    .withDesiredNumberScheduled(1)
                    .withCurrentNumberScheduled(1)
                    .withUpdatedNumberScheduled(1)
                    .withNumberMisscheduled(0)
                    .withNumberReady(ready)
                    .withNumberAvailable(orNull(ready))
                    .withNumberUnavailable(orNull(1 - ready))
                    .build()));
  }

  @Override
  void forget(DaemonSet ds) {
    pods.delete(
        pods.owned(
            ds.getMetadata().getNamespace(),
            ds.getSpec() == null ? null : ds.getSpec().getSelector(),
            Set.of(ds.getMetadata().getUid())));
  }
}
