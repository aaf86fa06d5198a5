package dev.nonroot.operator;

import dev.nonroot.engine.record.ChangeRecord;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nonroot.api.NonRootPolicy;
import dev.nonroot.api.NonRootPolicyStatus;
import dev.nonroot.api.PolicyMode;
import dev.nonroot.api.RecordedChange;
import dev.nonroot.engine.plan.Change;
import dev.nonroot.engine.policy.EffectivePolicy;
import dev.nonroot.engine.rules.Evaluation;
import dev.nonroot.engine.model.Inventory;
import dev.nonroot.engine.rules.NeedsRootDetector;
import dev.nonroot.engine.model.ObjectRef;
import dev.nonroot.engine.rules.Outcome;
import dev.nonroot.engine.policy.PolicyMatcher;
import dev.nonroot.engine.rules.RemediationEngine;
import dev.nonroot.engine.model.Workload;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Rebuilds a policy's status from what the caches hold: workload evaluations, the change records on
 * workloads and Services, and the in-memory failures. Because the record lives on the objects, a
 * restarted operator computes the same status without touching anything.
 */
final class StatusCalculator {
  static final String PATCHED = "Patched";
  static final String WOULD_PATCH = "WouldPatch";
  /** The changes list stays under this many bytes of JSON; etcd and every watcher pay for it. */
  static final int CHANGES_BUDGET_BYTES = 200 * 1024;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final PolicyCatalog catalog;
  private final RemediationLedger ledger;
  private final TreeCache trees = new TreeCache();
  /**
   * When each WouldPatch change was first seen, per policy. Kept here, not read back from the
   * bounded status: a change truncated out of the status must not come back as new on the next pass.
   */
  private final Map<String, String> firstSeen = new java.util.concurrent.ConcurrentHashMap<>();

  StatusCalculator(PolicyCatalog catalog, RemediationLedger ledger) {
    this.catalog = catalog;
    this.ledger = ledger;
  }

  NonRootPolicyStatus calculate(NonRootPolicy policy, Collection<NonRootPolicy> allPolicies,
      Collection<? extends HasMetadata> workloads, Collection<? extends HasMetadata> services,
      Inventory inventory, String now) {
    NonRootPolicyStatus previous = policy.getStatus() == null ? new NonRootPolicyStatus() : policy.getStatus();
    long generation = policy.getMetadata().getGeneration() == null ? 0 : policy.getMetadata().getGeneration();
    NonRootPolicyStatus status = new NonRootPolicyStatus();
    status.setObservedGeneration(generation);
    Conditions conditions = new Conditions(previous.getConditions(), generation, now);

    PolicyCatalog.Resolved resolved = catalog.resolve(policy);
    if (!resolved.valid()) {
      String message = resolved.error().getMessage();
      status.setConditions(conditions
          .set(Conditions.VALID, false, "InvalidSpec", message)
          .set(Conditions.READY, false, "InvalidSpec", "the policy is not applied until its spec is fixed")
          .build());
      return status;
    }
    EffectivePolicy self = resolved.effective();
    String name = self.name();
    // Keyed by uid: a policy deleted and re-created under the same name starts afresh.
    String uid = String.valueOf(policy.getMetadata().getUid());
    Map<String, String> previousTimes = new HashMap<>();
    for (RecordedChange c : previous.getChanges()) previousTimes.put(key(c), c.getTime());

    int matched = 0, compliant = 0, remediated = 0, violations = 0, failed = 0, exempt = 0, needsRoot = 0;
    int overridden = 0, pending = 0;
    Map<String, Integer> reasons = new TreeMap<>();
    Map<String, Integer> overlaps = new TreeMap<>();
    List<RecordedChange> changes = new ArrayList<>();
    List<HasMetadata> sorted = new ArrayList<>(workloads);
    sorted.sort(Comparator.comparing((HasMetadata h) -> h.getMetadata().getNamespace())
        .thenComparing(HasMetadata::getKind).thenComparing(h -> h.getMetadata().getName()));
    Set<String> seen = new java.util.HashSet<>();
    Set<String> seenNow = new java.util.HashSet<>();
    for (HasMetadata resource : sorted) {
      seen.add(resource.getMetadata().getUid());
      Optional<Workload> maybe = Workload.of(trees.tree(resource));
      if (maybe.isEmpty() || !PolicyMatcher.matches(self, maybe.get(), inventory)) continue;
      Workload w = maybe.get();
      matched++;
      List<EffectivePolicy> matching = catalog.matching(allPolicies, w, inventory);
      for (EffectivePolicy other : matching) {
        if (!other.name().equals(name)) overlaps.merge(other.name(), 1, Integer::sum);
      }
      ChangeRecord record = ChangeRecord.parse(WorkloadPatcher.annotation(resource));
      List<ChangeRecord.Entry> mine = record.entriesOf(name);
      if (!mine.isEmpty()) remediated++;
      for (ChangeRecord.Entry e : mine) changes.add(recorded(w.ref(), e));
      if (!matching.isEmpty() && !matching.get(0).name().equals(name)) {
        overridden++;
        continue;
      }
      Evaluation eval = RemediationEngine.evaluate(self, w, inventory);
      switch (eval.outcome()) {
        case Exempt -> exempt++;
        case Compliant -> compliant++;
        case NeedsRoot -> {
          needsRoot++;
          violations++;
          Set<String> distinct = new LinkedHashSet<>();
          for (NeedsRootDetector.Evidence e : eval.needsRoot()) distinct.add(e.reason().name());
          distinct.forEach(r -> reasons.merge(r, 1, Integer::sum));
        }
        case NonCompliant, Unresolved -> {
          violations++;
          if (eval.outcome() == Outcome.NonCompliant) pending++;
        }
      }
      if (eval.outcome() == Outcome.NonCompliant
          && ledger.failure(w.ref()).filter(f -> f.policy().equals(name)).isPresent()) {
        failed++;
      }
      if (self.mode() == PolicyMode.Audit) {
        for (Change c : eval.changes()) changes.add(wouldPatch(uid, c, previousTimes, seenNow, now));
        for (Change c : eval.serviceChanges()) changes.add(wouldPatch(uid, c, previousTimes, seenNow, now));
      }
    }
    trees.retainOnly(seen);
    firstSeen.keySet().removeIf(k -> k.startsWith(uid + "|") && !seenNow.contains(k));
    for (HasMetadata svc : services) {
      ObjectRef ref = new ObjectRef("Service", svc.getMetadata().getNamespace(), svc.getMetadata().getName());
      for (ChangeRecord.Entry e : ChangeRecord.parse(WorkloadPatcher.annotation(svc)).entriesOf(name)) {
        changes.add(recorded(ref, e));
      }
    }
    status.setMatched(matched);
    status.setCompliant(compliant);
    status.setRemediated(remediated);
    status.setViolations(violations);
    status.setFailed(failed);
    status.setExempt(exempt);
    status.setNeedsRoot(needsRoot);
    status.setOverridden(overridden);
    status.setNeedsRootReasons(reasons);
    bound(changes, status);

    conditions.set(Conditions.VALID, true, "Valid", "the spec is valid");
    String needsRootNote = needsRoot == 0 ? "" : "; " + needsRoot + " need root and are left unchanged";
    if (self.mode() == PolicyMode.Audit) {
      conditions.set(Conditions.READY, true, "Audited",
          pending + " of " + matched + " matched workloads would be patched" + needsRootNote);
    } else if (failed > 0) {
      conditions.set(Conditions.READY, false, "RemediationFailed", failed + " workloads could not be patched; see their Events");
    } else if (pending > 0) {
      conditions.set(Conditions.READY, false, "Remediating", pending + " workloads still to patch");
    } else {
      conditions.set(Conditions.READY, true, "Converged",
          compliant + " of " + matched + " matched workloads comply" + needsRootNote);
    }
    if (overlaps.isEmpty()) {
      conditions.set(Conditions.OVERLAPPING, false, "NoOverlap", "no other policy matches these workloads");
    } else {
      StringBuilder m = new StringBuilder();
      overlaps.forEach((other, n) -> {
        if (m.length() > 0) m.append("; ");
        m.append(n).append(" workloads also matched by ").append(other);
      });
      m.append(" (highest spec.priority acts, then name order); ").append(overridden)
          .append(" handled by another policy");
      conditions.set(Conditions.OVERLAPPING, true, "OverlappingPolicies", m.toString());
    }
    status.setConditions(conditions.build());
    return status;
  }

  /** Forgets first-seen times of deleted policies. */
  void retainPolicies(Collection<NonRootPolicy> existing) {
    Set<String> uids = new java.util.HashSet<>();
    for (NonRootPolicy p : existing) uids.add(String.valueOf(p.getMetadata().getUid()));
    firstSeen.keySet().removeIf(k -> !uids.contains(k.substring(0, k.indexOf('|'))));
  }

  /** Keeps the newest changes within the byte budget; the rest is counted in truncated. */
  private static void bound(List<RecordedChange> changes, NonRootPolicyStatus status) {
    changes.sort(Comparator.comparing(RecordedChange::getTime)
        .thenComparing(RecordedChange::getNamespace).thenComparing(RecordedChange::getKind)
        .thenComparing(RecordedChange::getName).thenComparing(RecordedChange::getField));
    int bytes = 0;
    int keepFrom = changes.size();
    while (keepFrom > 0) {
      int size = size(changes.get(keepFrom - 1));
      if (bytes + size > CHANGES_BUDGET_BYTES) break;
      bytes += size;
      keepFrom--;
    }
    status.setChanges(new ArrayList<>(changes.subList(keepFrom, changes.size())));
    status.setTruncated(keepFrom);
  }

  private static int size(RecordedChange c) {
    try {
      return JSON.writeValueAsString(c).getBytes(StandardCharsets.UTF_8).length + 1;
    } catch (Exception e) {
      return 512;
    }
  }

  private static RecordedChange recorded(ObjectRef ref, ChangeRecord.Entry e) {
    return new RecordedChange(ref.kind(), ref.namespace(), ref.name(), e.container(), e.field(),
        Change.render(e.from()), Change.render(e.to()), PATCHED, e.rule(), e.time());
  }

  private RecordedChange wouldPatch(String policy, Change c, Map<String, String> previousTimes, Set<String> seenNow,
      String now) {
    RecordedChange r = new RecordedChange(c.target().kind(), c.target().namespace(), c.target().name(),
        c.container(), c.field(), Change.render(c.oldValue()), Change.render(c.newValue()), WOULD_PATCH,
        c.rule().name(), now);
    String key = policy + "|" + key(r);
    seenNow.add(key);
    r.setTime(firstSeen.computeIfAbsent(key, k -> previousTimes.getOrDefault(key(r), now)));
    return r;
  }

  private static String key(RecordedChange c) {
    return c.getAction() + "|" + c.getKind() + "|" + c.getNamespace() + "|" + c.getName() + "|" + c.getField()
        + "|" + c.getTo();
  }
}
