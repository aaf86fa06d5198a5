package dev.nonroot.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nonroot.api.NonRootPolicyStatus;
import dev.nonroot.engine.record.ChangeRecord;
import dev.nonroot.engine.record.RecordedPatch;
import dev.nonroot.engine.rollout.Undo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * Issue 11's first promise, checked on a converged cluster: no change without its record, no record
 * twice. For each object the operator fixed (a workload, or a Service whose targetPort it moved):
 *
 * <ul>
 *   <li>its record undoes exactly what changed: {@link Undo} from the record gives back the spec as
 *       created, with nothing left over;
 *   <li>each recorded field was changed as often as it had to be: once, or once more per drift of
 *       the field someone took back ({@link Expected#drifts});
 *   <li>the store applied as many of the operator's writes to it as fixes were due (faults that
 *       were answered 500 after the write counted as applied);
 *   <li>the policy status lists or counts every recorded change exactly once.
 * </ul>
 *
 * Used by the fault tests and the soak.
 */
public final class RecordAudit {
  /**
   * What one object should show.
   *
   * @param created the object as it was created (its spec is compared)
   * @param driftedField the end of the field name someone took back after the fix (null: none),
   *     e.g. {@code allowPrivilegeEscalation}
   * @param drifts how often it was taken back, each re-fixed once
   */
  public record Expected(ObjectNode created, String driftedField, int drifts) {
    public static Expected created(ObjectNode created) {
      return new Expected(created, null, 0);
    }

    public Expected drifted(String field) {
      return new Expected(created, field, drifts + 1);
    }

    int writes() {
      return 1 + drifts;
    }

    int times(ChangeRecord.Entry entry) {
      return driftedField != null && entry.field().endsWith(driftedField) ? 1 + drifts : 1;
    }
  }

  /** What the audit found: how many objects and record entries it checked, and what was wrong. */
  public record Findings(int objects, int entries, List<String> violations) {}

  private RecordAudit() {}

  /**
   * @param stored every object as stored now, by API path (as {@code expected} names them)
   * @param expected the objects to check, by API path
   * @param appliedWrites the operator's writes the store applied, by API path
   * @param status the governing policy's status
   */
  public static Findings check(
      Map<String, ObjectNode> stored,
      Map<String, Expected> expected,
      ToLongFunction<String> appliedWrites,
      NonRootPolicyStatus status) {
    List<String> violations = new ArrayList<>();
    int entries = 0;
    for (Map.Entry<String, Expected> e : expected.entrySet()) {
      String path = e.getKey();
      Expected want = e.getValue();
      ObjectNode tree = stored.get(path);
      if (tree == null) {
        violations.add(path + ": not stored");
        continue;
      }
      ChangeRecord record = RecordedPatch.recordOf(tree);
      entries += record.entries().size();
      if (record.isEmpty()) violations.add(path + ": no record");
      for (ChangeRecord.Entry entry : record.entries()) {
        if (entry.reverted()) violations.add(path + ": " + entry.field() + " reverted");
        if (entry.times() != want.times(entry)) {
          violations.add(
              path
                  + ": "
                  + entry.field()
                  + " recorded as changed "
                  + entry.times()
                  + " times, expected "
                  + want.times(entry));
        }
      }
      Undo undo = Undo.of(tree);
      if (!undo.kept().isEmpty()) {
        violations.add(path + ": record entries that no longer hold: " + undo.kept());
      }
      ObjectNode undone = tree.deepCopy();
      undo.applyTo(undone);
      if (!specOf(undone).equals(specOf(want.created()))) {
        violations.add(
            path
                + ": undone from its record "
                + specOf(undone)
                + " is not the spec as created "
                + specOf(want.created()));
      }
      long writes = appliedWrites.applyAsLong(path);
      if (writes != want.writes()) {
        violations.add(
            path + ": " + writes + " writes of the operator applied, expected " + want.writes());
      }
    }
    int listed = status.getWorkloadChanges().size() + status.getTruncated();
    if (listed != entries) {
      violations.add("status lists or counts " + listed + " changes; the records hold " + entries);
    }
    return new Findings(expected.size(), entries, violations);
  }

  /**
   * The spec, with an empty pod securityContext taken as none: an undo keeps the {@code {}} a real
   * API server shows for every pod, and the embedded server stores none.
   */
  private static JsonNode specOf(ObjectNode object) {
    ObjectNode spec = object.get("spec").deepCopy();
    JsonNode pod = spec.path("template").path("spec");
    if (pod instanceof ObjectNode p && p.path("securityContext").isEmpty()) {
      p.remove("securityContext");
    }
    return spec;
  }
}
