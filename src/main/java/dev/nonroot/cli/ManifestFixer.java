package dev.nonroot.cli;

import dev.nonroot.engine.Decision;
import dev.nonroot.engine.plan.Change;
import dev.nonroot.engine.plan.Finding;
import dev.nonroot.engine.plan.PlanApplier;
import dev.nonroot.engine.plan.Rule;
import dev.nonroot.engine.policy.EffectivePolicy;
import dev.nonroot.engine.rules.Evaluation;
import dev.nonroot.engine.rules.Outcome;
import dev.nonroot.manifest.ManifestFile;
import dev.nonroot.manifest.ManifestObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * fix without the I/O: evaluates every workload first, then applies the plans to the documents'
 * trees (marking those documents changed). Service changes land on the Service documents, whichever
 * file they came from. Workloads under an Audit policy are recorded but not changed.
 */
public final class ManifestFixer {
  /**
   * One planned change and the object it lands on; old values are copied before anything is
   * applied.
   */
  private record Planned(ManifestObject target, Change change, boolean applied) {
    Planned {
      if (change.oldValue() != null && change.oldValue().isContainerNode()) {
        change =
            new Change(
                change.target(),
                change.path(),
                change.container(),
                change.oldValue().deepCopy(),
                change.newValue(),
                change.rule(),
                change.reason());
      }
    }
  }

  /** What fix did, for the summary and the report. */
  public static final class Result {
    private final List<WorkloadResult> results;
    private final List<Planned> planned;
    private final int workloadsChanged;
    private final int servicesChanged;
    private final int filesChanged;
    private final int needsRoot;
    private final int manualFindings;
    private final int auditChanges;
    private final int unmatched;

    private Result(
        List<WorkloadResult> results,
        List<Planned> planned,
        int workloadsChanged,
        int servicesChanged,
        int filesChanged,
        int needsRoot,
        int manualFindings,
        int auditChanges,
        int unmatched) {
      this.results = results;
      this.planned = planned;
      this.workloadsChanged = workloadsChanged;
      this.servicesChanged = servicesChanged;
      this.filesChanged = filesChanged;
      this.needsRoot = needsRoot;
      this.manualFindings = manualFindings;
      this.auditChanges = auditChanges;
      this.unmatched = unmatched;
    }

    /** Every change, as --report lists it (made on demand: only the report needs them). */
    public List<ReportEntry> changes() {
      return planned.stream()
          .map(p -> ReportEntry.of(p.target(), p.change(), p.applied()))
          .toList();
    }

    public long appliedChanges() {
      return planned.stream().filter(Planned::applied).count();
    }

    public List<WorkloadResult> results() {
      return results;
    }

    public int workloadsChanged() {
      return workloadsChanged;
    }

    public int servicesChanged() {
      return servicesChanged;
    }

    public int filesChanged() {
      return filesChanged;
    }

    public int needsRoot() {
      return needsRoot;
    }

    public int manualFindings() {
      return manualFindings;
    }

    public int auditChanges() {
      return auditChanges;
    }

    public int unmatched() {
      return unmatched;
    }
  }

  private ManifestFixer() {}

  /**
   * Tells the document where it changed, so writing it compares only those fields with the text.
   */
  private static void markChanged(ManifestObject o, List<Change> changes) {
    for (Change c : changes) o.document().markChanged(o.pointerPrefix() + c.path().pointer());
  }

  public static Result fix(List<ManifestFile> files, List<EffectivePolicy> policies) {
    ManifestInventory inventory = ManifestInventory.of(files);
    List<WorkloadResult> results = ManifestEvaluator.evaluate(files, policies, inventory);
    List<Planned> records = new ArrayList<>();
    List<WorkloadResult> toChange = new ArrayList<>();
    Map<ManifestObject, List<Change>> serviceChanges = new IdentityHashMap<>();
    Set<String> seenServiceChanges = new HashSet<>();
    int needsRoot = 0;
    int manual = 0;
    int audit = 0;
    int unmatched = 0;
    for (WorkloadResult r : results) {
      if (!r.matched()) {
        unmatched++;
        continue;
      }
      Evaluation ev = r.evaluation();
      if (ev.outcome() == Outcome.NeedsRoot) needsRoot++;
      for (Finding f : ev.findings()) {
        if (!f.fixable() && f.rule() != Rule.NeedsRoot) manual++;
      }
      boolean enforce = r.decision().action() == Decision.Action.PATCH;
      // Records are taken before anything is applied: they show the values as read.
      for (Change c : ev.changes()) records.add(new Planned(r.object(), c, enforce));
      if (!ev.changes().isEmpty()) {
        if (enforce) toChange.add(r);
        else audit += ev.changes().size();
      }
      for (Change c : ev.serviceChanges()) {
        // Two workloads behind one Service plan the same move; it is made (and listed) once.
        if (!seenServiceChanges.add(c.target() + " " + c.path().pointer() + " " + c.newValue()))
          continue;
        for (ManifestObject svc : inventory.serviceObjects(c.target())) {
          records.add(new Planned(svc, c, enforce));
          if (enforce) serviceChanges.computeIfAbsent(svc, k -> new ArrayList<>()).add(c);
          else audit++;
        }
      }
    }
    for (WorkloadResult r : toChange) {
      PlanApplier.apply(r.object().node(), r.evaluation().changes());
      markChanged(r.object(), r.evaluation().changes());
    }
    serviceChanges.forEach(
        (svc, changes) -> {
          PlanApplier.apply(svc.node(), changes);
          markChanged(svc, changes);
        });
    int filesChanged = (int) files.stream().filter(ManifestFile::changed).count();
    return new Result(
        results,
        records,
        toChange.size(),
        serviceChanges.size(),
        filesChanged,
        needsRoot,
        manual,
        audit,
        unmatched);
  }
}
