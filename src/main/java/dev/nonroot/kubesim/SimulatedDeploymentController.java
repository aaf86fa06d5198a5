package dev.nonroot.kubesim;

import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The Deployment controller: a ReplicaSet per template ({@code <deploy>-<pod-template-hash>}, an
 * old one found again when a template comes back), its pods {@code <rs>-<rand5>}, and the
 * Deployment's status with the conditions {@code kubectl rollout status} and the operator read.
 *
 * <p>A failing rollout keeps the old pods that were Ready, as maxUnavailable would, so the
 * Deployment stays Available on them while the new ReplicaSet's pods wait.
 */
final class SimulatedDeploymentController extends SimulatedController<Deployment> {
  static final String TEMPLATE_HASH_LABEL = "pod-template-hash";
  private static final String REVISION = "deployment.kubernetes.io/revision";

  private final KubernetesClient client;

  SimulatedDeploymentController(KubernetesClient client, SimulatedPods pods) {
    super(pods);
    this.client = client;
  }

  @Override
  MixedOperation<
          Deployment, ? extends KubernetesResourceList<Deployment>, ? extends Resource<Deployment>>
      resources() {
    return client.apps().deployments();
  }

  @Override
  Long observedGeneration(Deployment d) {
    return d.getStatus() == null ? null : d.getStatus().getObservedGeneration();
  }

  @Override
  void rollOut(Deployment d) {
    String namespace = d.getMetadata().getNamespace();
    PodTemplateSpec template = d.getSpec().getTemplate();
    int desired = SimulatedPods.desired(d.getSpec().getReplicas());
    String hash = pods.hash(template);
    String name = d.getMetadata().getName() + "-" + hash;
    Optional<SimulatedFailure> failure =
        desired == 0 ? Optional.empty() : SimulatedFailure.of(d, template);

    List<ReplicaSet> sets = ownedReplicaSets(d);
    ReplicaSet existing = null;
    List<ReplicaSet> old = new ArrayList<>();
    int revision = 0;
    for (ReplicaSet rs : sets) {
      revision = Math.max(revision, revision(rs));
      if (rs.getMetadata().getName().equals(name)) {
        existing = rs;
      } else {
        old.add(rs);
      }
    }
    ReplicaSet rs = writeReplicaSet(d, existing, name, hash, desired, revision + 1);
    pods.delete(pods.owned(namespace, d.getSpec().getSelector(), Set.of(uid(rs))));
    for (ReplicaSet previous : old) {
      List<Pod> running = pods.owned(namespace, d.getSpec().getSelector(), Set.of(uid(previous)));
      List<Pod> going =
          failure.isEmpty()
              ? running
              : running.stream()
                  .filter(p -> !SimulatedPods.ready(p))
                  .toList(); // only Ready ones carry it
      pods.delete(going);
      if (going.size() == running.size()) {
        scaleToZero(previous);
      }
    }
    Map<String, String> labels = Map.of(TEMPLATE_HASH_LABEL, hash);
    for (int i = 0; i < SimulatedPods.toMake(desired); i++) {
      Pod pod =
          pods.pod(
              name + "-" + pods.randomSuffix(),
              name + "-",
              namespace,
              template,
              labels,
              SimulatedPods.controllerReference(rs));
      pods.create(pod, pods.status(d, pod, failure));
    }
    int ready = failure.isEmpty() ? desired : 0;
    client
        .apps()
        .replicaSets()
        .inNamespace(namespace)
        .resource(rs)
        .editStatus(
            r -> {
              r.setStatus(
                  new ReplicaSetStatusBuilder()
                      .withObservedGeneration(r.getMetadata().getGeneration())
                      .withReplicas(orNull(desired))
                      .withFullyLabeledReplicas(orNull(desired))
                      .withReadyReplicas(orNull(ready))
                      .withAvailableReplicas(orNull(ready))
                      .build());
              return r;
            });
    writeStatus(d, stored -> stored.setStatus(status(stored, name, desired, failure)));
  }

  @Override
  void forget(Deployment d) {
    List<ReplicaSet> sets = ownedReplicaSets(d);
    pods.delete(
        pods.owned(
            d.getMetadata().getNamespace(),
            d.getSpec() == null ? null : d.getSpec().getSelector(),
            Set.copyOf(sets.stream().map(SimulatedDeploymentController::uid).toList())));
    for (ReplicaSet rs : sets) {
      client
          .apps()
          .replicaSets()
          .inNamespace(rs.getMetadata().getNamespace())
          .withName(rs.getMetadata().getName())
          .delete();
    }
  }

  private DeploymentStatus status(
      Deployment d, String replicaSet, int desired, Optional<SimulatedFailure> failure) {
    DeploymentStatus previous = d.getStatus() == null ? new DeploymentStatus() : d.getStatus();
    int oldAvailable =
        failure.isEmpty()
            ? 0
            : Math.min(desired, Objects.requireNonNullElse(previous.getAvailableReplicas(), 0));
    int available = failure.isEmpty() ? desired : oldAvailable;
    int maxUnavailable = desired / 4; // the default 25%, rounded down
    boolean minimumAvailable = available >= desired - maxUnavailable;
    String now = pods.now();
    List<DeploymentCondition> conditions = new ArrayList<>();
    conditions.add(
        condition(
            previous,
            "Available",
            minimumAvailable,
            minimumAvailable ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
            minimumAvailable
                ? "Deployment has minimum availability."
                : "Deployment does not have minimum availability.",
            now));
    conditions.add(
        condition(
            previous,
            "Progressing",
            true,
            failure.isEmpty() ? "NewReplicaSetAvailable" : "ReplicaSetUpdated",
            failure.isEmpty()
                ? "ReplicaSet \"" + replicaSet + "\" has successfully progressed."
                : "ReplicaSet \"" + replicaSet + "\" is progressing.",
            now));
    return new DeploymentStatusBuilder()
        .withObservedGeneration(d.getMetadata().getGeneration())
        .withReplicas(orNull(desired + oldAvailable))
        .withUpdatedReplicas(orNull(desired))
        .withReadyReplicas(orNull(available))
        .withAvailableReplicas(orNull(available))
        .withUnavailableReplicas(orNull(desired + oldAvailable - available)) // of all pods
        .withConditions(conditions)
        .build();
  }

  /** The transition time moves only when the condition's status does, as on a cluster. */
  private static DeploymentCondition condition(
      DeploymentStatus previous,
      String type,
      boolean status,
      String reason,
      String message,
      String now) {
    String value = status ? "True" : "False";
    String since =
        previous.getConditions().stream()
            .filter(c -> type.equals(c.getType()) && value.equals(c.getStatus()))
            .map(DeploymentCondition::getLastTransitionTime)
            .filter(Objects::nonNull)
            .findFirst()
            .orElse(now);
    return new DeploymentConditionBuilder()
        .withType(type)
        .withStatus(value)
        .withReason(reason)
        .withMessage(message)
        .withLastUpdateTime(now)
        .withLastTransitionTime(since)
        .build();
  }

  private ReplicaSet writeReplicaSet(
      Deployment d, ReplicaSet existing, String name, String hash, int desired, int revision) {
    String namespace = d.getMetadata().getNamespace();
    if (existing != null) {
      return client
          .apps()
          .replicaSets()
          .inNamespace(namespace)
          .withName(name)
          .edit(
              rs -> {
                rs.getSpec().setReplicas(desired);
                rs.getMetadata().getAnnotations().put(REVISION, String.valueOf(revision));
                return rs;
              });
    }
    PodTemplateSpec template = client.getKubernetesSerialization().clone(d.getSpec().getTemplate());
    if (template.getMetadata() == null) {
      template.setMetadata(new ObjectMeta());
    }
    Map<String, String> labels = new LinkedHashMap<>();
    if (template.getMetadata().getLabels() != null) {
      labels.putAll(template.getMetadata().getLabels());
    }
    labels.put(TEMPLATE_HASH_LABEL, hash);
    template.getMetadata().setLabels(labels);
    LabelSelector deploymentSelector = d.getSpec().getSelector();
    LabelSelector selector =
        deploymentSelector == null
            ? new LabelSelectorBuilder().addToMatchLabels(TEMPLATE_HASH_LABEL, hash).build()
            : new LabelSelectorBuilder(
                    client.getKubernetesSerialization().clone(deploymentSelector))
                .addToMatchLabels(TEMPLATE_HASH_LABEL, hash)
                .build();
    ReplicaSet rs =
        new ReplicaSetBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(namespace)
            .withLabels(labels)
            .addToAnnotations(REVISION, String.valueOf(revision))
            .addToAnnotations("deployment.kubernetes.io/desired-replicas", String.valueOf(desired))
            .withOwnerReferences(SimulatedPods.controllerReference(d))
            .endMetadata()
            .withNewSpec()
            .withReplicas(desired)
            .withSelector(selector)
            .withTemplate(template)
            .endSpec()
            .build();
    return client.apps().replicaSets().inNamespace(namespace).resource(rs).create();
  }

  private void scaleToZero(ReplicaSet rs) {
    if (Objects.equals(rs.getSpec().getReplicas(), 0)) {
      return;
    }
    ReplicaSet scaled =
        client
            .apps()
            .replicaSets()
            .inNamespace(rs.getMetadata().getNamespace())
            .withName(rs.getMetadata().getName())
            .edit(
                r -> {
                  r.getSpec().setReplicas(0);
                  return r;
                });
    client
        .apps()
        .replicaSets()
        .inNamespace(rs.getMetadata().getNamespace())
        .resource(scaled)
        .editStatus(
            r -> {
              r.setStatus(
                  new ReplicaSetStatusBuilder()
                      .withObservedGeneration(r.getMetadata().getGeneration())
                      .withReplicas(0)
                      .build());
              return r;
            });
  }

  private List<ReplicaSet> ownedReplicaSets(Deployment d) {
    LabelSelector selector = d.getSpec() == null ? null : d.getSpec().getSelector();
    Map<String, String> labels =
        selector == null || selector.getMatchLabels() == null
            ? Map.of()
            : selector.getMatchLabels();
    var sets = client.apps().replicaSets().inNamespace(d.getMetadata().getNamespace());
    List<ReplicaSet> all =
        labels.isEmpty() ? sets.list().getItems() : sets.withLabels(labels).list().getItems();
    return all.stream()
        .filter(rs -> d.getMetadata().getUid().equals(SimulatedPods.controllerUid(rs)))
        .toList();
  }

  private static int revision(ReplicaSet rs) {
    Map<String, String> annotations = rs.getMetadata().getAnnotations();
    try {
      return annotations == null ? 0 : Integer.parseInt(annotations.getOrDefault(REVISION, "0"));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static String uid(ReplicaSet rs) {
    return rs.getMetadata().getUid();
  }
}
