package dev.nonroot.engine.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.nonroot.api.Annotations;
import dev.nonroot.engine.model.FieldPath;
import dev.nonroot.engine.model.Workload;
import dev.nonroot.engine.plan.Change;
import dev.nonroot.engine.record.ChangeRecord;
import dev.nonroot.engine.record.RecordedPatch;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The three writes of a followed remediation, each one JSON Patch guarded by the resourceVersion it
 * was planned from: the remediation (changes, record, the pod label and the RollingOut state), the
 * end of a rollout that went well (the state only: metadata, no new rollout), and the revert (the
 * fields put back, the record saying so, the label as it was, and the state with its evidence).
 */
public final class RolloutPatch {
  private static final FieldPath STATE =
      FieldPath.root().key("metadata").key("annotations").key(Annotations.ROLLOUT);

  private RolloutPatch() {}

  /**
   * The remediation of {@code workload} at {@code now}: its changes and record, and the rollout it
   * starts ({@code start}; null for a kind that starts none).
   */
  public static ArrayNode remediation(
      Workload workload, List<Change> changes, String policy, RolloutState start, String now) {
    JsonNode original = workload.root();
    ChangeRecord record = RecordedPatch.recordOf(original).with(original, changes, policy, now);
    Map<FieldPath, JsonNode> also = new LinkedHashMap<>();
    if (start != null) {
      also.put(label(workload), TextNode.valueOf(start.label()));
      also.put(STATE, TextNode.valueOf(start.toJson()));
    }
    return RecordedPatch.of(original, changes, record, RecordedPatch.Guard.RESOURCE_VERSION, also);
  }

  /** The end of a rollout that needs no revert: the new state, nothing else. */
  public static ArrayNode ended(Workload workload, RolloutState ended) {
    return RecordedPatch.of(
        workload.root(),
        List.of(),
        null,
        RecordedPatch.Guard.RESOURCE_VERSION,
        Map.of(STATE, TextNode.valueOf(ended.toJson())));
  }

  /**
   * The end of a restore's rollout: the state goes, the last of the operator's marks (the restore
   * took the record and the pod label).
   */
  public static ArrayNode restoreEnded(Workload workload) {
    Map<FieldPath, JsonNode> also = new LinkedHashMap<>();
    also.put(STATE, null);
    return RecordedPatch.of(
        workload.root(), List.of(), null, RecordedPatch.Guard.RESOURCE_VERSION, also);
  }

  /**
   * The revert of a failed rollout: the reversion's changes, the record marking those entries
   * reverted, the pod label as it was before the remediation (so the template is exactly the one
   * before it, and a Deployment goes back to its old ReplicaSet), and the state with the evidence.
   */
  public static ArrayNode revert(Workload workload, Reversion reversion, RolloutState reverted) {
    JsonNode original = workload.root();
    ChangeRecord record =
        RecordedPatch.recordOf(original).reverted(reversion.restored(), reverted.time());
    Map<FieldPath, JsonNode> also = new LinkedHashMap<>();
    also.put(
        label(workload),
        reverted.previousLabel() == null ? null : TextNode.valueOf(reverted.previousLabel()));
    also.put(STATE, TextNode.valueOf(reverted.toJson()));
    return RecordedPatch.of(
        original, reversion.changes(), record, RecordedPatch.Guard.RESOURCE_VERSION, also);
  }

  /** A Service's share of a revert: its targetPorts put back and its record saying so. */
  public static ArrayNode revertService(JsonNode service, Reversion reversion, String time) {
    ChangeRecord record = RecordedPatch.recordOf(service).reverted(reversion.restored(), time);
    return RecordedPatch.of(
        service, reversion.changes(), record, RecordedPatch.Guard.RESOURCE_VERSION, Map.of());
  }

  private static FieldPath label(Workload workload) {
    return workload.templatePath().key("metadata").key("labels").key(Annotations.REMEDIATION_LABEL);
  }
}
