package dev.nonroot.engine.rules;

import dev.nonroot.engine.model.ObjectRef;
import dev.nonroot.engine.model.Workload;
import dev.nonroot.engine.plan.Change;
import dev.nonroot.engine.plan.Finding;
import java.util.List;

/**
 * The engine's verdict on one workload under one policy: findings, and the plan that fixes what can
 * be fixed. {@code changes} touch the workload; {@code serviceChanges} touch Services that select
 * it.
 */
public record Evaluation(
    Workload workload,
    String policy,
    Outcome outcome,
    List<Finding> findings,
    List<Change> changes,
    List<Change> serviceChanges,
    List<NeedsRootDetector.Evidence> needsRoot,
    String exemption) {

  public ObjectRef ref() {
    return workload.ref();
  }

  public boolean hasPlan() {
    return !changes.isEmpty() || !serviceChanges.isEmpty();
  }
}
