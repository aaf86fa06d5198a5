package dev.nonroot.operator;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nonroot.api.Annotations;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.FilterWatchListDeletable;
import io.fabric8.kubernetes.client.dsl.PodResource;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * The only pods the operator reads: those of a rollout it follows (one LIST by the remediation
 * label, nothing cached), and a few running pods of a workload it is about to patch, for the uid
 * its image runs as. However many pods the cluster runs, memory holds none of them between
 * reconciles.
 */
final class RolloutPods {
  /** A rollout's pods beyond this many say nothing more about it. */
  private static final long LIMIT = 50;

  private final KubernetesClient client;
  private final IntConsumer apiErrors;

  /** {@code apiErrors} hears the HTTP code of each refused list (0 or less: no answer). */
  RolloutPods(KubernetesClient client, IntConsumer apiErrors) {
    this.client = client;
    this.apiErrors = apiErrors;
  }

  /** The pods carrying the remediation label {@code value}, as trees. */
  List<JsonNode> ofRollout(String namespace, String value) {
    return list(
        client.pods().inNamespace(namespace).withLabel(Annotations.REMEDIATION_LABEL, value),
        LIMIT);
  }

  /**
   * Up to {@code limit} pods matching a workload's label selector (labels and expressions), as
   * trees; none for a missing or empty selector, which would match every pod of the namespace.
   */
  List<JsonNode> selected(String namespace, JsonNode selector, long limit) {
    if (selector.path("matchLabels").isEmpty() && selector.path("matchExpressions").isEmpty()) {
      return List.of();
    }
    LabelSelector labels;
    try {
      labels = ObjectTrees.typed(selector, LabelSelector.class);
    } catch (IllegalArgumentException e) {
      // The API server validates selectors; a shape it would refuse selects nothing here.
      return List.of();
    }
    return list(client.pods().inNamespace(namespace).withLabelSelector(labels), limit);
  }

  private List<JsonNode> list(
      FilterWatchListDeletable<Pod, PodList, PodResource> pods, long limit) {
    try {
      return trees(pods.list(new ListOptionsBuilder().withLimit(limit).build()).getItems());
    } catch (KubernetesClientException e) {
      apiErrors.accept(e.getCode());
      throw e;
    }
  }

  private static List<JsonNode> trees(List<Pod> pods) {
    List<JsonNode> out = new ArrayList<>(pods.size());
    for (Pod p : pods) out.add(ObjectTrees.of(p));
    return out;
  }
}
