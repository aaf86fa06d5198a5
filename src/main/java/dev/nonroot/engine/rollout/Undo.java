package dev.nonroot.engine.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.nonroot.api.Annotations;
import dev.nonroot.engine.model.FieldPath;
import dev.nonroot.engine.model.ObjectRef;
import dev.nonroot.engine.model.Trees;
import dev.nonroot.engine.model.Workload;
import dev.nonroot.engine.plan.Change;
import dev.nonroot.engine.plan.PlanApplier;
import dev.nonroot.engine.plan.Rule;
import dev.nonroot.engine.record.ChangeRecord;
import dev.nonroot.engine.record.RecordedPatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Taking back everything the operator ever changed on one object (a workload, or a Service whose
 * targetPort it moved), from the nonroot.dev/changes record the object carries: every recorded
 * field that still holds the operator's value goes back to its original ({@link Reversion#undo}).
 * When every entry is restored, the record, the nonroot.dev/rollout annotation and the
 * nonroot.dev/remediation pod label go too, so the object is the one before the operator; when a
 * field was changed since by someone else, it stays, and so does the record, with the entries left.
 *
 * <p>The writes are {@link Change}s: applied to a manifest's tree by the revert command, or sent as
 * one JSON Patch ({@link #patch}) by a front end that undoes a live object.
 */
public final class Undo {
  private static final FieldPath ANNOTATIONS = FieldPath.root().key("metadata").key("annotations");
  private static final Set<String> OURS = Set.of(Annotations.CHANGES, Annotations.ROLLOUT);

  private final ObjectRef ref;
  private final JsonNode object;
  private final boolean recorded;
  private final boolean damaged;
  private final Reversion fields;
  private final Map<ChangeRecord.Entry, String> served;
  private final List<Change> changes;

  private Undo(
      ObjectRef ref,
      JsonNode object,
      boolean recorded,
      boolean damaged,
      Reversion fields,
      Map<ChangeRecord.Entry, String> served,
      List<Change> changes) {
    this.ref = ref;
    this.object = object;
    this.recorded = recorded;
    this.damaged = damaged;
    this.fields = fields;
    this.served = served;
    this.changes = changes;
  }

  /** The undo of {@code object} as it is now. */
  public static Undo of(JsonNode object) {
    return of(object, null, null, Map.of());
  }

  /**
   * The same, keeping the port moves a Service that stays still sends traffic to ({@code served}:
   * the moved port, {@code "8080/TCP"}, and why the Service stays): those entries are left as they
   * are, with what moved with them, and {@link #why} gives that reason.
   */
  public static Undo of(JsonNode object, Map<String, String> served) {
    return of(object, null, null, served);
  }

  /**
   * The restore of what {@code policy} changed on {@code object} (spec.onDelete: Revert): its
   * entries' fields go back, and all its entries leave the record, those whose field someone
   * changed since too (that field is theirs now; {@link #kept} names them for the Event). When
   * {@code restoring} is given (the state of the rollout the restore starts, without its template
   * hash, which is computed here), it replaces the rollout annotation instead of removing it.
   */
  public static Undo ofPolicy(JsonNode object, String policy, RolloutState restoring) {
    return of(object, policy, restoring, Map.of());
  }

  /**
   * The same, keeping the port moves a Service that stays still sends traffic to ({@link
   * #of(JsonNode, Map)}): their entries leave the record like those of fields changed since.
   */
  public static Undo ofPolicy(
      JsonNode object, String policy, RolloutState restoring, Map<String, String> served) {
    return of(object, policy, restoring, served);
  }

  private static Undo of(
      JsonNode object, String policy, RolloutState restoring, Map<String, String> servedPorts) {
    JsonNode meta = object.path("metadata");
    ObjectRef ref =
        new ObjectRef(
            object.path("kind").asText(""),
            meta.path("namespace").asText(""),
            meta.path("name").asText(""));
    JsonNode annotation = Trees.valueAt(object, RecordedPatch.RECORD);
    String text = annotation != null && annotation.isTextual() ? annotation.asText() : null;
    boolean damaged = annotation != null && (!annotation.isTextual() || ChangeRecord.damaged(text));
    ChangeRecord whole = ChangeRecord.parse(damaged ? null : text);
    List<ChangeRecord.Entry> others = new ArrayList<>();
    if (policy != null) {
      for (ChangeRecord.Entry e : whole.entries()) {
        if (!policy.equals(e.policy())) others.add(e);
      }
    }
    ChangeRecord record = whole.without(others);
    Optional<Workload> workload = Workload.of(object);
    // The API server gives every pod a securityContext ({} when nothing is set): in an object
    // read from it (it has a uid) an undo that empties it leaves {}, as the object was read before
    // the operator's patch. A hand-written manifest loses it, as it was before.
    boolean fromServer = !meta.path("uid").asText("").isEmpty();
    Set<FieldPath> keep =
        workload
            .filter(w -> fromServer)
            .map(w -> Set.of(w.podSpecPath().key("securityContext")))
            .orElse(Set.of());
    Map<ChangeRecord.Entry, String> served =
        damaged ? Map.of() : ServedPorts.of(object, record, servedPorts);
    Reversion fields =
        damaged || record.isEmpty()
            ? new Reversion(List.of(), List.of(), List.of())
            : Reversion.undo(ref, object, record.without(List.copyOf(served.keySet())), keep);
    List<Change> changes = new ArrayList<>(fields.changes());
    if (!damaged && !record.isEmpty()) {
      // What stays in the record: the CLI's undo keeps the entries it could not put back; a
      // policy's restore keeps only the other policies' entries.
      List<ChangeRecord.Entry> gone = policy == null ? fields.restored() : record.entries();
      ChangeRecord rest = whole.without(gone);
      if (rest.isEmpty()) {
        changes.addAll(forget(ref, object, workload, restoring != null));
      } else if (rest.entries().size() < whole.entries().size()) {
        changes.add(
            new Change(
                ref,
                RecordedPatch.RECORD,
                null,
                annotation,
                TextNode.valueOf(rest.toJson()),
                Rule.Revert,
                policy == null
                    ? "the entries whose fields were changed since stay"
                    : "the other policies' entries stay"));
      }
      if (restoring != null && workload.isPresent()) {
        changes.add(restoringState(ref, object, workload.get(), changes, restoring));
      }
    }
    return new Undo(
        ref, object, annotation != null, damaged, fields, Map.copyOf(served), List.copyOf(changes));
  }

  /**
   * The Restoring state, with the hash of the template as the restore leaves it: while the workload
   * has that template, the restore's rollout is followed.
   */
  private static Change restoringState(
      ObjectRef ref, JsonNode object, Workload workload, List<Change> changes, RolloutState s) {
    ObjectNode after = (ObjectNode) object.deepCopy();
    PlanApplier.apply(after, changes);
    JsonNode template = Trees.valueAt(after, workload.templatePath());
    RolloutState state =
        new RolloutState(
            s.phase(),
            s.policy(),
            null,
            null,
            s.started(),
            TemplateHash.of(template == null ? after.objectNode() : template),
            s.attempt(),
            null,
            false,
            s.reason(),
            s.message(),
            null,
            Map.of(),
            s.time());
    FieldPath at = ANNOTATIONS.key(Annotations.ROLLOUT);
    return new Change(
        ref,
        at,
        null,
        Trees.valueAt(object, at),
        TextNode.valueOf(state.toJson()),
        Rule.Revert,
        "the rollout the restore starts, followed to its end");
  }

  /**
   * Everything was restored: the record, the rollout state and the pod label go, and a map they
   * leave empty with them (the API server stores no empty annotations).
   */
  private static List<Change> forget(
      ObjectRef ref, JsonNode object, Optional<Workload> workload, boolean stateStays) {
    List<Change> out = new ArrayList<>();
    JsonNode annotations = Trees.valueAt(object, ANNOTATIONS);
    boolean onlyOurs = !stateStays && annotations != null && annotations.isObject();
    if (onlyOurs) {
      for (String key : (Iterable<String>) annotations::fieldNames) onlyOurs &= OURS.contains(key);
    }
    if (onlyOurs) {
      out.add(removal(ref, ANNOTATIONS, annotations));
    } else {
      for (String key :
          stateStays
              ? List.of(Annotations.CHANGES)
              : List.of(Annotations.CHANGES, Annotations.ROLLOUT)) {
        FieldPath at = ANNOTATIONS.key(key);
        JsonNode value = Trees.valueAt(object, at);
        if (value != null) out.add(removal(ref, at, value));
      }
    }
    if (workload.isPresent()) {
      FieldPath labels = workload.get().templatePath().key("metadata").key("labels");
      FieldPath label = labels.key(Annotations.REMEDIATION_LABEL);
      JsonNode value = Trees.valueAt(object, label);
      if (value != null) {
        JsonNode all = Trees.valueAt(object, labels);
        out.add(all.size() == 1 ? removal(ref, labels, all) : removal(ref, label, value));
      }
    }
    return out;
  }

  private static Change removal(ObjectRef ref, FieldPath path, JsonNode value) {
    return new Change(
        ref, path, null, value, null, Rule.Revert, "the operator's record of what it changed");
  }

  public ObjectRef ref() {
    return ref;
  }

  /** Whether the object carries a nonroot.dev/changes annotation (readable or not). */
  public boolean recorded() {
    return recorded;
  }

  /** Whether that annotation cannot be read: nothing is undone, and the object stays as it is. */
  public boolean damaged() {
    return damaged;
  }

  /** Every write: the fields put back, then the record and the rollout state dealt with. */
  public List<Change> changes() {
    return changes;
  }

  /** How many fields the writes put back (a restore that puts none back starts no rollout). */
  public int restoredFields() {
    return fields.changes().size();
  }

  /** The recorded fields put back (or already back), in record order. */
  public List<ChangeRecord.Entry> restored() {
    return fields.restored();
  }

  /**
   * The recorded fields left as they are: changed since by someone else, or gone, then the port
   * moves a Service that stays still sends traffic to, with what moved with them.
   */
  public List<ChangeRecord.Entry> kept() {
    if (served.isEmpty()) return fields.kept();
    List<ChangeRecord.Entry> out = new ArrayList<>(fields.kept());
    out.addAll(servedEntries());
    return out;
  }

  /** The kept entries of port moves a Service that stays still sends traffic to. */
  public List<ChangeRecord.Entry> servedEntries() {
    List<ChangeRecord.Entry> out = new ArrayList<>();
    if (served.isEmpty()) return out;
    // In record order, as the other lists.
    for (ChangeRecord.Entry e : RecordedPatch.recordOf(object).entries()) {
      if (served.containsKey(e)) out.add(e);
    }
    return out;
  }

  /**
   * Why a kept entry stays: what its field holds now, against what the operator set; or the Service
   * that still sends traffic to its moved port.
   */
  public String why(ChangeRecord.Entry kept) {
    String service = served.get(kept);
    if (service != null) return "kept: " + service;
    Optional<FieldPath> at = kept.locate(object);
    if (at.isEmpty()) {
      return kept.container() == null
          ? "cannot be found any more"
          : "its container " + kept.container() + " (or its item) is gone";
    }
    if (kept.stillApplied(object).isPresent()) {
      return "cannot be put back there: the object's shape does not fit the record";
    }
    JsonNode now = Trees.valueAt(object, at.get());
    return "changed since: now "
        + (now == null ? "unset" : Change.render(now))
        + ", the operator set "
        + (kept.to() == null ? "unset" : Change.render(kept.to()))
        + " (originally "
        + (kept.original() == null ? "unset" : Change.render(kept.original()))
        + ")";
  }

  /** Applies the writes to {@code target}, the tree they were planned on. */
  public void applyTo(ObjectNode target) {
    PlanApplier.apply(target, changes);
  }

  /**
   * The writes as one JSON Patch on the object they were planned on, with the guard the front end
   * needs.
   */
  public ArrayNode patch(RecordedPatch.Guard guard) {
    return RecordedPatch.of(object, changes, null, guard);
  }
}
