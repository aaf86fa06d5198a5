package dev.nonroot.operator;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nonroot.api.Annotations;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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

  RolloutPods(KubernetesClient client) {
    this.client = client;
  }

  /** The pods carrying the remediation label {@code value}, as trees. */
  List<JsonNode> ofRollout(String namespace, String value) {
    return trees(
        client
            .pods()
            .inNamespace(namespace)
            .withLabel(Annotations.REMEDIATION_LABEL, value)
            .list(new ListOptionsBuilder().withLimit(LIMIT).build())
            .getItems());
  }

  /** Up to {@code limit} pods matching a workload's selector labels, as trees. */
  List<JsonNode> selected(String namespace, Map<String, String> matchLabels, long limit) {
    if (matchLabels.isEmpty()) return List.of();
    return trees(
        client
            .pods()
            .inNamespace(namespace)
            .withLabels(matchLabels)
            .list(new ListOptionsBuilder().withLimit(limit).build())
            .getItems());
  }

  private static List<JsonNode> trees(List<Pod> pods) {
    List<JsonNode> out = new ArrayList<>(pods.size());
    for (Pod p : pods) out.add(ObjectTrees.of(p));
    return out;
  }
}
