package dev.nonroot.kubesim;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * What one kind's controller does in the simulation: roll out a workload's current generation
 * (pods, then status) and clean up after a deleted workload, as kube-controller-manager's
 * Deployment, StatefulSet and DaemonSet controllers and the garbage collector would.
 */
abstract class SimulatedController<T extends HasMetadata> {
  protected final SimulatedPods pods;

  SimulatedController(SimulatedPods pods) {
    this.pods = pods;
  }

  abstract MixedOperation<T, ? extends KubernetesResourceList<T>, ? extends Resource<T>>
      resources();

  abstract Long observedGeneration(T workload);

  /** Makes the pods of the workload's current template and writes its status for it. */
  abstract void rollOut(T workload);

  /** Deletes what the workload owned (the garbage collector's part). */
  abstract void forget(T workload);

  /** A generation no status speaks for yet: the controller has a rollout to do. */
  final boolean awaitsRollout(T workload) {
    Long generation = workload.getMetadata().getGeneration();
    Long observed = observedGeneration(workload);
    return generation != null && (observed == null || observed < generation);
  }

  /** The workload as stored now, or null when it is gone or was replaced by a namesake. */
  final T current(T workload) {
    T stored =
        resources()
            .inNamespace(workload.getMetadata().getNamespace())
            .withName(workload.getMetadata().getName())
            .get();
    return stored != null
            && Objects.equals(stored.getMetadata().getUid(), workload.getMetadata().getUid())
        ? stored
        : null;
  }

  /**
   * Writes the status through the status subresource, unless the generation moved on meanwhile (a
   * newer rollout follows) or someone else wrote a status for it (theirs wins).
   */
  final void writeStatus(T workload, Consumer<T> setStatus) {
    T stored = current(workload);
    if (stored == null
        || !Objects.equals(
            stored.getMetadata().getGeneration(), workload.getMetadata().getGeneration())
        || !awaitsRollout(stored)) {
      return;
    }
    setStatus.accept(stored);
    resources().inNamespace(stored.getMetadata().getNamespace()).resource(stored).updateStatus();
  }

  /** Zero counts are left out of a status, as the API server's omitempty does. */
  static Integer orNull(int count) {
    return count == 0 ? null : count;
  }
}
