package dev.nonroot.engine.status;

import dev.nonroot.api.RecordedChange;
import dev.nonroot.engine.Decision;
import dev.nonroot.engine.model.ObjectRef;
import dev.nonroot.engine.plan.Change;
import dev.nonroot.engine.plan.Finding;
import dev.nonroot.engine.policy.EffectivePolicy;
import dev.nonroot.engine.record.ChangeRecord;
import dev.nonroot.engine.rollout.RolloutState;
import dev.nonroot.engine.rules.Evaluation;
import dev.nonroot.engine.rules.NeedsRootDetector;
import dev.nonroot.engine.rules.Outcome;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the policy statuses need to know about one workload, taken from its {@link Decision} and its
 * change record once per workload change. A status is a fold over verdicts, so no status pass ever
 * evaluates a workload again.
 *
 * @param matching the names of every matching policy, the governing one first
 * @param outcome the governing policy's outcome, or null when no policy matches
 * @param needsRootReasons distinct reasons the workload needs root, in name order
 * @param wouldPatch what an Audit policy would change, each with the time it was first seen
 * @param patched the workload's recorded changes, by the policy that made them
 * @param failure the last failed write for the governing policy, or null
 * @param violation why the workload still violates its governing policy, or null
 * @param rollout the rollout the operator's last patch started and where it stands, or null
 * @param gitops the Argo CD or Flux application the governing policy leaves the workload to
 *     (spec.gitops Skip or Report), or null
 * @param governingWrites whether the governing policy writes to the workload (Enforce, not left to
 *     Argo CD or Flux): while one does, a departed spec.onDelete: Revert policy's changes stay
 */
public record Verdict(
    ObjectRef ref,
    List<String> matching,
    Outcome outcome,
    Set<String> needsRootReasons,
    List<Listed> wouldPatch,
    Map<String, List<Listed>> patched,
    Failure failure,
    Violation violation,
    RolloutState rollout,
    String gitops,
    boolean governingWrites) {

  public Verdict(
      ObjectRef ref,
      List<String> matching,
      Outcome outcome,
      Set<String> needsRootReasons,
      List<Listed> wouldPatch,
      Map<String, List<Listed>> patched,
      Failure failure,
      Violation violation,
      RolloutState rollout,
      String gitops) {
    this(
        ref,
        matching,
        outcome,
        needsRootReasons,
        wouldPatch,
        patched,
        failure,
        violation,
        rollout,
        gitops,
        true);
  }

  public Verdict(
      ObjectRef ref,
      List<String> matching,
      Outcome outcome,
      Set<String> needsRootReasons,
      List<Listed> wouldPatch,
      Map<String, List<Listed>> patched,
      Failure failure,
      Violation violation,
      RolloutState rollout) {
    this(
        ref,
        matching,
        outcome,
        needsRootReasons,
        wouldPatch,
        patched,
        failure,
        violation,
        rollout,
        null);
  }

  public Verdict(
      ObjectRef ref,
      List<String> matching,
      Outcome outcome,
      Set<String> needsRootReasons,
      List<Listed> wouldPatch,
      Map<String, List<Listed>> patched,
      Failure failure,
      Violation violation) {
    this(ref, matching, outcome, needsRootReasons, wouldPatch, patched, failure, violation, null);
  }

  /** A verdict that names no violation (tests and unmatched workloads). */
  public Verdict(
      ObjectRef ref,
      List<String> matching,
      Outcome outcome,
      Set<String> needsRootReasons,
      List<Listed> wouldPatch,
      Map<String, List<Listed>> patched,
      Failure failure) {
    this(ref, matching, outcome, needsRootReasons, wouldPatch, patched, failure, null);
  }

  /**
   * Why a governed workload still violates: {@code state} is NeedsRoot (left unchanged), Unresolved
   * (a person must change it), WouldPatch (Audit), Pending (a patch is due), or Reverted / Failed
   * (the remediation broke its rollout and is held back for this template).
   */
  public record Violation(String state, String reason) {
    /** Whether an admin should hear of it on the workload (a pending patch speaks for itself). */
    public boolean worthAnEvent() {
      return !state.equals("Pending");
    }
  }

  /** Action of a recorded change the policy made. */
  public static final String PATCHED = ChangeRecord.PATCHED;

  /** The violation state of a workload whose fix someone keeps setting back. */
  public static final String CONFLICT = "Conflict";

  /** Action of a change an Audit policy would make. */
  public static final String WOULD_PATCH = "WouldPatch";

  /** A write for {@code policy} the API server refused (other than a conflict). */
  public record Failure(String policy, String message) {}

  /** A change as listed in a status, with its size in the status's JSON. */
  public record Listed(RecordedChange change, int bytes) {
    static Listed of(RecordedChange c) {
      return new Listed(c, ListedSize.of(c));
    }
  }

  /** A workload that no policy matches. */
  public static Verdict unmatched(ObjectRef ref, ChangeRecord record) {
    return unmatched(ref, record, null);
  }

  /** A workload that no policy matches, with the rollout state it carries (or null). */
  public static Verdict unmatched(ObjectRef ref, ChangeRecord record, RolloutState rollout) {
    return new Verdict(
        ref, List.of(), null, Set.of(), List.of(), patchedBy(ref, record), null, null, rollout);
  }

  /**
   * The verdict of a decision. {@code previous} (the same workload's last verdict, or null) keeps
   * the first-seen time of a WouldPatch change that is still due.
   */
  public static Verdict of(Decision d, ChangeRecord record, Verdict previous, String now) {
    ObjectRef ref = d.workload().ref();
    RolloutState rollout = d.rollout();
    if (rollout != null
        && rollout.phase() == RolloutState.Phase.RollingOut
        && !rollout.live(d.workload().template())) {
      // Its pod label was replaced (kubectl replace, an edit): nobody follows it, and it is not
      // rolling out for ever.
      rollout = null;
    }
    RolloutState ended = d.conflictEnded(now);
    // A Conflict ends the operator's rollout at once, before (or without) its one write saying so.
    if (ended != null && rollout != null) rollout = ended;
    if (!d.matched()) return unmatched(ref, record, rollout);
    List<String> matching = new ArrayList<>();
    for (EffectivePolicy p : d.matching()) matching.add(p.name());
    Set<String> reasons = new TreeSet<>();
    for (NeedsRootDetector.Evidence e : d.evaluation().needsRoot()) reasons.add(e.reason().name());
    List<Listed> wouldPatch = new ArrayList<>();
    if (reports(d)) {
      Map<String, String> seen = new HashMap<>();
      if (previous != null && d.governing().name().equals(previous.governing())) {
        for (Listed l : previous.wouldPatch) seen.put(key(l.change()), l.change().getTime());
      }
      List<Change> all = new ArrayList<>(d.evaluation().changes());
      all.addAll(d.evaluation().serviceChanges());
      for (Change c : all) {
        RecordedChange r =
            new RecordedChange(
                c.target().kind(),
                c.target().namespace(),
                c.target().name(),
                c.container(),
                c.field(),
                Change.render(c.oldValue()),
                Change.render(c.newValue()),
                WOULD_PATCH,
                c.rule().name(),
                now);
        r.setTime(seen.getOrDefault(key(r), now));
        wouldPatch.add(Listed.of(r));
      }
    }
    return new Verdict(
        ref,
        List.copyOf(matching),
        d.evaluation().outcome(),
        Set.copyOf(reasons),
        List.copyOf(wouldPatch),
        patchedBy(ref, record),
        null,
        violation(d),
        rollout,
        d.gitops() == null ? null : d.gitops().describe(),
        d.governingWrites());
  }

  /**
   * Whether the decision reports its plan as what would change: Audit or GitOps (WouldPatch), also
   * while such a policy follows a rollout under way or lets a departed policy's changes go back.
   */
  private static boolean reports(Decision d) {
    return d.action() == Decision.Action.WOULD_PATCH
        || (d.action() == Decision.Action.FOLLOW || d.action() == Decision.Action.RESTORE)
            && d.matched()
            && !d.governingWrites();
  }

  private static Violation violation(Decision d) {
    Evaluation e = d.evaluation();
    if (d.action() == Decision.Action.HELD) {
      RolloutState r = d.rollout();
      if (r.phase() == RolloutState.Phase.RollingOut) {
        return new Violation(
            RolloutState.Phase.Reverted.name(),
            "its rollout was rolled back by someone else to the template before the patch; not"
                + " applied again to this pod template");
      }
      return new Violation(
          r.phase().name(),
          "its rollout failed ("
              + r.reason()
              + (r.message() == null ? "" : ": " + r.message())
              + ")"
              + (r.phase() == RolloutState.Phase.Reverted
                  ? " and the change was reverted"
                  : " and could not be reverted")
              + "; not applied again to this pod template"
              + (r.hint() == null ? "" : "; hint: " + r.hint()));
    }
    if (d.action() == Decision.Action.CONFLICT) {
      return new Violation(CONFLICT, d.setBack().message());
    }
    switch (e.outcome()) {
      case NeedsRoot -> {
        NeedsRootDetector.Evidence first = e.needsRoot().get(0);
        return new Violation(
            "NeedsRoot",
            "needs root: "
                + first.reason()
                + (first.container() == null ? "" : " (container " + first.container() + ")")
                + ": "
                + first.detail()
                + (e.needsRoot().size() > 1 ? " and " + (e.needsRoot().size() - 1) + " more" : ""));
      }
      case Unresolved -> {
        for (Finding f : e.findings()) {
          if (!f.fixable()) return new Violation("Unresolved", f.message());
        }
        return new Violation("Unresolved", "left unresolved");
      }
      case NonCompliant -> {
        List<String> fields = new ArrayList<>();
        for (Change c : e.changes()) fields.add(c.field());
        for (Change c : e.serviceChanges()) fields.add(c.target() + " " + c.field());
        String list =
            String.join(", ", fields.subList(0, Math.min(3, fields.size())))
                + (fields.size() > 3 ? " and " + (fields.size() - 3) + " more" : "");
        if (!reports(d)) return new Violation("Pending", "to be patched: " + list);
        return d.gitops() != null
            ? new Violation("WouldPatch", d.gitopsAdvice() + "; would change " + list)
            : new Violation("WouldPatch", "would change " + list + " (Audit)");
      }
      default -> {
        return null;
      }
    }
  }

  /** The recorded changes of one object (a workload or a Service), by policy. */
  public static Map<String, List<Listed>> patchedBy(ObjectRef ref, ChangeRecord record) {
    if (record.isEmpty()) return Map.of();
    Map<String, List<Listed>> out = new TreeMap<>();
    for (ChangeRecord.Entry e : record.entries()) {
      RecordedChange r =
          new RecordedChange(
              ref.kind(),
              ref.namespace(),
              ref.name(),
              e.container(),
              e.field(),
              Change.render(e.from()),
              Change.render(e.to()),
              e.action(),
              e.rule(),
              e.time());
      out.computeIfAbsent(e.policy(), k -> new ArrayList<>()).add(Listed.of(r));
    }
    out.replaceAll((k, v) -> List.copyOf(v));
    return Map.copyOf(out);
  }

  /** This verdict, pending for {@code why} (a patch that waits its turn). */
  public Verdict waiting(String why) {
    if (violation == null || !violation.state().equals("Pending")) return this;
    return new Verdict(
        ref,
        matching,
        outcome,
        needsRootReasons,
        wouldPatch,
        patched,
        failure,
        new Violation("Pending", why + "; " + violation.reason()),
        rollout,
        gitops,
        governingWrites);
  }

  public Verdict withFailure(Failure f) {
    return new Verdict(
        ref,
        matching,
        outcome,
        needsRootReasons,
        wouldPatch,
        patched,
        f,
        violation,
        rollout,
        gitops,
        governingWrites);
  }

  /** The governing policy's name, or null. */
  public String governing() {
    return matching.isEmpty() ? null : matching.get(0);
  }

  /** Every policy whose status this verdict shows up in. */
  public Set<String> policies() {
    Set<String> out = new LinkedHashSet<>(matching);
    out.addAll(patched.keySet());
    if (failure != null) out.add(failure.policy());
    if (rollout != null && rollout.policy() != null) out.add(rollout.policy());
    return out;
  }

  /**
   * Identifies a listed change across passes: the same field of the same object, to the same value.
   */
  static String key(RecordedChange c) {
    return c.getAction()
        + "|"
        + c.getKind()
        + "|"
        + c.getNamespace()
        + "|"
        + c.getName()
        + "|"
        + c.getField()
        + "|"
        + c.getTo();
  }
}
