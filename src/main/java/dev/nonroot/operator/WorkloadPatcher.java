package dev.nonroot.operator;

import dev.nonroot.engine.record.ChangeRecord;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.nonroot.api.Annotations;
import dev.nonroot.engine.plan.Change;
import dev.nonroot.engine.model.FieldPath;
import dev.nonroot.engine.plan.JsonPatchWriter;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.List;

/**
 * One JSON Patch per object that applies the plan and writes its record in the same request, so a
 * change never exists without its record. The patch pins metadata.resourceVersion: if the object
 * changed since the cache saw it, the API server answers 409 and nothing is written.
 */
final class WorkloadPatcher {
  private static final FieldPath RECORD =
      FieldPath.root().key("metadata").key("annotations").key(Annotations.CHANGES);
  private static final FieldPath RESOURCE_VERSION = FieldPath.root().key("metadata").key("resourceVersion");

  private final KubernetesClient client;

  WorkloadPatcher(KubernetesClient client) {
    this.client = client;
  }

  /** Builds the patch body; visible for tests. */
  static String patchBody(JsonNode original, List<Change> changes, ChangeRecord record) {
    JsonPatchWriter writer = new JsonPatchWriter(original);
    writer.add(RESOURCE_VERSION, original.at(RESOURCE_VERSION.pointer()));
    writer.addAll(changes);
    writer.add(RECORD, TextNode.valueOf(record.toJson()));
    return writer.ops().toString();
  }

  <R extends HasMetadata> R patch(R resource, JsonNode original, List<Change> changes, String policy, String time) {
    ChangeRecord record = ChangeRecord.parse(annotation(resource)).with(changes, policy, time);
    String body = patchBody(original, changes, record);
    PatchContext ctx = new PatchContext.Builder()
        .withPatchType(PatchType.JSON)
        .withFieldManager(OperatorConstants.FIELD_MANAGER)
        .build();
    // resource(obj).patch does not GET first: the cache is the only read.
    return client.resource(resource).patch(ctx, body);
  }

  static String annotation(HasMetadata resource) {
    var annotations = resource.getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(Annotations.CHANGES);
  }
}
