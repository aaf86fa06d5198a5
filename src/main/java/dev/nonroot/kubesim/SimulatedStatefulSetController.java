package dev.nonroot.kubesim;

import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatus;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The StatefulSet controller: pods {@code <sts>-<ordinal>} labelled with the revision {@code
 * <sts>-<hash>}. A rolling update that fails stops at the first pod it replaces (the highest
 * ordinal), as OrderedReady does, so {@code updateRevision} stays ahead of {@code currentRevision}.
 */
final class SimulatedStatefulSetController extends SimulatedController<StatefulSet> {
  static final String REVISION_LABEL = "controller-revision-hash";

  private final KubernetesClient client;

  SimulatedStatefulSetController(KubernetesClient client, SimulatedPods pods) {
    super(pods);
    this.client = client;
  }

  @Override
  MixedOperation<
          StatefulSet,
          ? extends KubernetesResourceList<StatefulSet>,
          ? extends Resource<StatefulSet>>
      resources() {
    return client.apps().statefulSets();
  }

  @Override
  Long observedGeneration(StatefulSet s) {
    return s.getStatus() == null ? null : s.getStatus().getObservedGeneration();
  }

  @Override
  void rollOut(StatefulSet s) {
    String namespace = s.getMetadata().getNamespace();
    PodTemplateSpec template = s.getSpec().getTemplate();
    int desired = SimulatedPods.desired(s.getSpec().getReplicas());
    String revision = s.getMetadata().getName() + "-" + pods.hash(template);
    Optional<SimulatedFailure> failure =
        desired == 0 ? Optional.empty() : SimulatedFailure.of(s, template);
    List<Pod> existing =
        pods.owned(namespace, s.getSpec().getSelector(), Set.of(s.getMetadata().getUid())).stream()
            .sorted(Comparator.comparingInt(SimulatedStatefulSetController::ordinal))
            .toList();
    if (failure.isEmpty()) {
      pods.delete(existing);
      for (int i = 0; i < SimulatedPods.toMake(desired); i++) {
        create(s, template, revision, i, failure);
      }
      writeStatus(
          s,
          stored ->
              stored.setStatus(status(stored, desired, desired, desired, 0, revision, revision)));
      return;
    }
    // The first pod the rolling update replaces is the highest ordinal; with none yet, pod 0.
    Pod replaced = existing.isEmpty() ? null : existing.get(existing.size() - 1);
    int ordinal = replaced == null ? 0 : ordinal(replaced);
    if (replaced != null) {
      pods.delete(List.of(replaced));
    }
    create(s, template, revision, ordinal, failure);
    StatefulSetStatus previous = s.getStatus() == null ? new StatefulSetStatus() : s.getStatus();
    int ready =
        replaced == null
            ? 0
            : Math.max(
                0,
                Math.min(desired, Objects.requireNonNullElse(previous.getReadyReplicas(), 0))
                    - (SimulatedPods.ready(replaced) ? 1 : 0));
    int replicas = replaced == null ? 1 : desired;
    int current = replaced == null ? 0 : desired - 1;
    writeStatus(
        s,
        stored ->
            stored.setStatus(
                status(
                    stored, replicas, ready, current, 1, previous.getCurrentRevision(), revision)));
  }

  @Override
  void forget(StatefulSet s) {
    pods.delete(
        pods.owned(
            s.getMetadata().getNamespace(),
            s.getSpec() == null ? null : s.getSpec().getSelector(),
            Set.of(s.getMetadata().getUid())));
  }

  private void create(
      StatefulSet s,
      PodTemplateSpec template,
      String revision,
      int ordinal,
      Optional<SimulatedFailure> failure) {
    String name = s.getMetadata().getName() + "-" + ordinal;
    Pod pod =
        pods.pod(
            name,
            null,
            s.getMetadata().getNamespace(),
            template,
            Map.of(
                REVISION_LABEL,
                revision,
                "statefulset.kubernetes.io/pod-name",
                name,
                "apps.kubernetes.io/pod-index",
                String.valueOf(ordinal)),
            SimulatedPods.controllerReference(s));
    pod.getSpec().setHostname(name);
    pod.getSpec().setSubdomain(s.getSpec().getServiceName());
    pods.create(pod, pods.status(s, pod, failure));
  }

  /**
   * @param current pods at currentRevision when it differs from updateRevision; when they are the
   *     same, every pod is current and updated
   */
  private static StatefulSetStatus status(
      StatefulSet s,
      int replicas,
      int ready,
      int current,
      int updated,
      String currentRevision,
      String updateRevision) {
    boolean done = updateRevision.equals(currentRevision);
    return new StatefulSetStatusBuilder()
        .withObservedGeneration(s.getMetadata().getGeneration())
        .withReplicas(replicas)
        .withReadyReplicas(orNull(ready))
        .withCurrentReplicas(orNull(done ? replicas : current))
        .withUpdatedReplicas(orNull(done ? replicas : updated))
        .withAvailableReplicas(ready)
        .withCurrentRevision(currentRevision)
        .withUpdateRevision(updateRevision)
        .withCollisionCount(0)
        .build();
  }

  private static int ordinal(Pod pod) {
    String name = pod.getMetadata().getName();
    try {
      return Integer.parseInt(name.substring(name.lastIndexOf('-') + 1));
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
