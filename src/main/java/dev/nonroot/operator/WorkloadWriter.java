package dev.nonroot.operator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.nonroot.api.Annotations;
import dev.nonroot.engine.plan.Change;
import dev.nonroot.engine.record.ChangeRecord;
import dev.nonroot.engine.record.RecordedPatch;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * Sends the engine's {@link RecordedPatch} for an object, guarded by the resourceVersion the plan
 * was made from: if the object changed since the cache saw it, the API server answers 409 and
 * nothing is written.
 */
final class WorkloadWriter {
  private static final PatchContext JSON_PATCH =
      new PatchContext.Builder()
          .withPatchType(PatchType.JSON)
          .withFieldManager(OperatorConstants.FIELD_MANAGER)
          .build();

  private final KubernetesClient client;
  private final IntConsumer apiErrors;

  /** {@code apiErrors} hears the HTTP code of each refused patch (0 or less: no answer). */
  WorkloadWriter(KubernetesClient client, IntConsumer apiErrors) {
    this.client = client;
    this.apiErrors = apiErrors;
  }

  <R extends HasMetadata> R patch(
      R resource, JsonNode original, List<Change> changes, String policy, String time) {
    String body =
        RecordedPatch.of(original, changes, policy, time, RecordedPatch.Guard.RESOURCE_VERSION)
            .toString();
    // resource(obj).patch does not GET first: the cache is the only read.
    return sendText(resource, body);
  }

  /** Sends a JSON Patch the engine built (guarded by the resourceVersion it was planned from). */
  <R extends HasMetadata> R send(R resource, ArrayNode patch) {
    return sendText(resource, patch.toString());
  }

  private <R extends HasMetadata> R sendText(R resource, String patch) {
    try {
      return client.resource(PatchAddress.of(resource)).patch(JSON_PATCH, patch);
    } catch (KubernetesClientException e) {
      apiErrors.accept(e.getCode());
      throw e;
    }
  }

  /**
   * The record an object carries (empty when it has none or it is damaged), read without a tree.
   */
  static ChangeRecord recordOf(HasMetadata resource) {
    Map<String, String> annotations = resource.getMetadata().getAnnotations();
    return ChangeRecord.parse(annotations == null ? null : annotations.get(Annotations.CHANGES));
  }

  static boolean recorded(HasMetadata resource) {
    Map<String, String> annotations = resource.getMetadata().getAnnotations();
    return annotations != null && annotations.containsKey(Annotations.CHANGES);
  }
}
