package dev.nonroot.engine.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nonroot.engine.model.FieldPath;
import dev.nonroot.engine.model.ObjectRef;
import dev.nonroot.engine.model.Trees;
import dev.nonroot.engine.plan.Change;
import dev.nonroot.engine.plan.PlanApplier;
import dev.nonroot.engine.plan.Rule;
import dev.nonroot.engine.record.ChangeRecord;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * What putting one remediation back means for one object (a workload, or a Service whose targetPort
 * it moved): every field that remediation's write changed, and that still holds the value it wrote,
 * goes back to the value it had before. A field someone changed since is theirs and stays; it is
 * listed in {@code kept}.
 *
 * @param changes the writes that restore the fields, each from its recorded old value
 * @param restored the record entries those writes put back, in the same order
 * @param kept the entries of that remediation whose field someone changed since
 */
public record Reversion(
    List<Change> changes, List<ChangeRecord.Entry> restored, List<ChangeRecord.Entry> kept) {

  /**
   * The reversion of the remediation {@code policy} wrote at {@code time} (the entries of that
   * write carry its time) to {@code object}, as the object is now.
   */
  public static Reversion of(
      ObjectRef ref, JsonNode object, ChangeRecord record, String policy, String time) {
    return of(ref, object, record, policy, time::equals, null);
  }

  /**
   * A Service's share of the reversion of the remediation that started {@code state}: its policy's
   * entries from the rollout's start on. The Service's patch follows the workload's, and when it
   * was refused (a conflict) it is written on a retry, with a later time; only the Services of the
   * workload's own pods are asked.
   */
  public static Reversion ofService(
      ObjectRef ref, JsonNode service, ChangeRecord record, RolloutState state) {
    Instant started = Instant.parse(state.started());
    return of(
        ref,
        service,
        record,
        String.valueOf(state.policy()),
        time -> {
          try {
            return !Instant.parse(time).isBefore(started);
          } catch (DateTimeParseException e) {
            return false;
          }
        },
        null);
  }

  /**
   * The reversion of the remediation that started {@code state}: its policy's entries of its time,
   * and of the parents it emptied only those its patch created.
   */
  public static Reversion of(
      ObjectRef ref, JsonNode object, ChangeRecord record, RolloutState state) {
    return of(
        ref,
        object,
        record,
        String.valueOf(state.policy()),
        String.valueOf(state.started())::equals,
        state.created() == null ? null : Set.copyOf(state.created()));
  }

  /**
   * The entries of {@code policy} whose time {@code when} accepts, removing of the parent objects
   * the restore leaves empty only those in {@code created} (JSON pointers; null: any).
   */
  private static Reversion of(
      ObjectRef ref,
      JsonNode object,
      ChangeRecord record,
      String policy,
      Predicate<String> when,
      Set<String> created) {
    List<Change> changes = new ArrayList<>();
    List<ChangeRecord.Entry> restored = new ArrayList<>();
    List<ChangeRecord.Entry> kept = new ArrayList<>();
    List<Change> inserts = new ArrayList<>();
    for (ChangeRecord.Entry e : record.entries()) {
      if (e.reverted() || !e.policy().equals(policy) || !when.test(e.time())) continue;
      Optional<FieldPath> slot = e.insertion(object);
      if (slot.isPresent()) {
        // An item the remediation removed (a port declared again beside its own earlier move):
        // it goes back where it stood, so the template is the one before the remediation.
        inserts.add(
            new Change(
                ref,
                slot.get(),
                e.container(),
                null,
                e.from(),
                Rule.Revert,
                "put back: the rollout of this change failed"));
        restored.add(e);
        continue;
      }
      Optional<FieldPath> at = e.stillApplied(object);
      if (at.isEmpty()) {
        kept.add(e);
        continue;
      }
      changes.add(
          new Change(
              ref,
              at.get(),
              e.container(),
              Trees.valueAt(object, at.get()),
              e.from(),
              Rule.Revert,
              "put back: the rollout of this change failed"));
      restored.add(e);
    }
    changes.addAll(inOrder(inserts, object));
    changes.addAll(emptiedParents(ref, object, changes, created, Set.of()));
    return new Reversion(List.copyOf(changes), List.copyOf(restored), List.copyOf(kept));
  }

  /**
   * Insertions after every other change (their paths were found in {@code base}, the object as it
   * is), and in each list from the lowest index up: the indexes are those the items had side by
   * side before the remediation removed them, from the end. An index past the end of the list goes
   * to its end as the insertions before it leave it (not as it is now: two items removed from the
   * middle and the end of a list would go back swapped, and the template would not be the one
   * before the remediation).
   */
  private static List<Change> inOrder(List<Change> inserts, JsonNode base) {
    List<Change> sorted = new ArrayList<>(inserts);
    sorted.sort(
        Comparator.comparing((Change c) -> c.path().parent().pointer())
            .thenComparingInt(c -> Integer.parseInt(c.path().lastToken())));
    List<Change> out = new ArrayList<>(sorted.size());
    Map<String, Integer> inserted = new HashMap<>();
    for (Change c : sorted) {
      FieldPath list = c.path().parent();
      JsonNode items = base == null ? null : Trees.valueAt(base, list);
      int before = inserted.merge(list.pointer(), 1, Integer::sum) - 1;
      int end = (items == null ? 0 : items.size()) + before;
      int index = Math.min(Integer.parseInt(c.path().lastToken()), end);
      out.add(
          new Change(
              c.target(),
              list.index(index, null),
              c.container(),
              c.oldValue(),
              c.newValue(),
              c.rule(),
              c.reason()));
    }
    return out;
  }

  /**
   * Everything the operator ever changed on {@code object} taken back, from its record: each field
   * that still holds the value the operator's latest change gave it goes back to its {@code
   * original}, the value before the operator first touched it. A field someone changed since (or
   * whose container is gone) is theirs and stays; it is listed in {@code kept}. An entry whose
   * field already holds its original (a change reverted after its rollout failed) needs no write
   * and counts as restored.
   *
   * @param keep parents to leave in place even when the undo empties them
   */
  public static Reversion undo(
      ObjectRef ref, JsonNode object, ChangeRecord record, Set<FieldPath> keep) {
    List<Change> changes = new ArrayList<>();
    List<ChangeRecord.Entry> restored = new ArrayList<>();
    List<ChangeRecord.Entry> kept = new ArrayList<>();
    ObjectNode trial = object instanceof ObjectNode o ? o.deepCopy() : null;
    List<ChangeRecord.Entry> removed = new ArrayList<>();
    for (ChangeRecord.Entry e : record.entries()) {
      if (e.removedItem() && e.locate(object).isEmpty()) {
        removed.add(e);
        continue;
      }
      Optional<FieldPath> at = e.stillApplied(object);
      if (at.isEmpty() || trial == null) {
        kept.add(e);
        continue;
      }
      JsonNode now = Trees.valueAt(object, at.get());
      if (Objects.equals(e.to(), e.original())) {
        restored.add(e);
        continue;
      }
      Change back =
          new Change(
              ref,
              at.get(),
              e.container(),
              now,
              e.original(),
              Rule.Revert,
              "put back: the value before the operator first changed it");
      try {
        PlanApplier.apply(trial, back.path(), back.newValue());
      } catch (RuntimeException cannot) {
        // A record that no longer fits the object's shape (a damaged or foreign annotation)
        // restores nothing there rather than failing the whole undo.
        kept.add(e);
        continue;
      }
      changes.add(back);
      restored.add(e);
    }
    List<Change> inserts = new ArrayList<>();
    for (ChangeRecord.Entry e : removed) {
      // A port item the operator removed as a re-declared duplicate of one it had moved: when the
      // moved port goes back, that restores it, and adding the item again would declare it twice.
      // When it does not (changed since), the item goes back where it stood, as it was.
      Optional<FieldPath> slot = trial == null ? Optional.empty() : e.insertion(trial);
      if (slot.isPresent() && e.original() != null) {
        inserts.add(
            new Change(
                ref,
                slot.get(),
                e.container(),
                null,
                e.original(),
                Rule.Revert,
                "put back: the value before the operator first changed it"));
      }
      restored.add(e);
    }
    changes.addAll(inOrder(inserts, trial));
    changes.addAll(emptiedParents(ref, object, changes, null, keep));
    return new Reversion(List.copyOf(changes), List.copyOf(restored), List.copyOf(kept));
  }

  /**
   * Parent objects (a securityContext, its capabilities) that the restore leaves empty and that the
   * remediation created (all, when {@code created} is null): they go too, and the template is the
   * one before it. One the user wrote empty stays: to the Deployment controller an empty and an
   * absent securityContext are different templates, so pruning it would start a new ReplicaSet
   * instead of going back to the old one. Those in {@code keep} stay too.
   */
  private static List<Change> emptiedParents(
      ObjectRef ref,
      JsonNode object,
      List<Change> changes,
      Set<String> created,
      Set<FieldPath> keep) {
    if (!(object instanceof ObjectNode root)) return List.of();
    ObjectNode after = root.deepCopy();
    PlanApplier.apply(after, changes);
    Set<String> seen = new HashSet<>();
    List<Change> out = new ArrayList<>();
    for (Change c : changes) {
      if (c.newValue() != null) continue;
      for (FieldPath p = c.path().parent(); !p.isRoot(); p = p.parent()) {
        JsonNode node = Trees.valueAt(after, p);
        if (!(node instanceof ObjectNode o) || !o.isEmpty()) break;
        if (!PRUNABLE.contains(p.lastToken()) || !seen.add(p.pointer())) break;
        if (created != null && !created.contains(p.pointer())) break;
        if (keep.contains(p)) break;
        PlanApplier.apply(after, p, null);
        out.add(new Change(ref, p, c.container(), node, null, Rule.Revert, "left empty"));
      }
    }
    return out;
  }

  /**
   * Objects that mean nothing when empty: removing one that the restore emptied changes nothing.
   */
  private static final Set<String> PRUNABLE =
      Set.of("securityContext", "capabilities", "seccompProfile");

  public boolean isEmpty() {
    return changes.isEmpty();
  }
}
