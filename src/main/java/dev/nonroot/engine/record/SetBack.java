package dev.nonroot.engine.record;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nonroot.engine.model.ManagedFields;
import dev.nonroot.engine.plan.Change;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A fight over a field: someone set back a change the operator had already applied again once (the
 * record counts the applications), and would have it applied a third time. Argo CD, Flux, a Helm
 * upgrade or a CI job applying a manifest without the fix all do this on every sync; patching again
 * would only roll the workload out on every sync. The operator stops and says who fights it.
 *
 * @param field the field, as the record names it
 * @param container its container, or null for a pod-level field
 * @param manager the field manager that set it back (from managedFields), or null when unknown
 */
public record SetBack(String field, String container, String manager) {
  /**
   * Two set-backs count as a fight when the second comes within this time of the operator's last
   * application: a manifest applied by hand once a day is not a controller fighting.
   */
  public static final Duration WINDOW = Duration.ofHours(1);

  /** The first of {@code changes} that would be a third application set back again, if any. */
  public static Optional<SetBack> of(JsonNode object, ChangeRecord record, List<Change> changes) {
    if (record.isEmpty()) return Optional.empty();
    for (Change c : changes) {
      Optional<ChangeRecord.Entry> entry = record.entry(object, c.path(), c.container());
      if (entry.isEmpty()) continue;
      ChangeRecord.Entry e = entry.get();
      if (e.reverted() || e.times() < 2 || !ChangeRecord.sameValue(e.to(), c.newValue())) continue;
      Optional<ManagedFields.Writer> writer = ManagedFields.setBy(object, c.path().pointer());
      Instant applied = ManagedFields.time(e.time());
      Instant setBack = writer.map(ManagedFields.Writer::time).orElse(null);
      // Known times tell a fight from two set-backs far apart; a server that keeps no
      // managedFields leaves only the count.
      boolean fight =
          applied == null
              || setBack == null
              || setBack.isBefore(applied)
              || !setBack.isAfter(applied.plus(WINDOW));
      if (fight) {
        return Optional.of(
            new SetBack(
                e.field(), e.container(), writer.map(ManagedFields.Writer::manager).orElse(null)));
      }
    }
    return Optional.empty();
  }

  /** What the status, the Event and the log say. */
  public String message() {
    return (manager == null ? "another writer" : "field manager " + manager)
        + " set "
        + field
        + (container == null ? "" : " of container " + container)
        + " back twice after the operator changed it; patching again would only start a rollout"
        + " on every sync, so this workload is left as it is until its owner changes its spec"
        + " (the fix belongs where "
        + (manager == null ? "it" : manager)
        + " takes the spec from; see the README's GitOps section)";
  }
}
