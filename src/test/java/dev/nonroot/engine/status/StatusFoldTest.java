package dev.nonroot.engine.status;

import static dev.nonroot.engine.EngineInputs.policy;
import static dev.nonroot.engine.EngineInputs.tree;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.nonroot.api.NonRootPolicyStatus;
import dev.nonroot.api.RecordedChange;
import dev.nonroot.engine.Decision;
import dev.nonroot.engine.EngineInputs;
import dev.nonroot.engine.Governor;
import dev.nonroot.engine.PolicySet;
import dev.nonroot.engine.model.Inventory;
import dev.nonroot.engine.model.ObjectRef;
import dev.nonroot.engine.model.Workload;
import dev.nonroot.engine.plan.PlanApplier;
import dev.nonroot.engine.policy.ResolvedPolicy;
import dev.nonroot.engine.record.ChangeRecord;
import dev.nonroot.engine.rules.Outcome;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * StatusFold.fold: a policy's status from hand-built verdicts, with no server and no evaluation.
 */
class StatusFoldTest {
  private static final YAMLMapper YAML = new YAMLMapper();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String T0 = "2025-01-01T00:00:00Z";
  private static final String T1 = "2025-01-02T00:00:00Z";
  private static final String T2 = "2025-01-03T00:00:00Z";
  private static final String NOW = "2025-02-01T12:00:00Z";
  private static final long GENERATION = EngineInputs.GENERATION;

  // ---- builders ----

  private static final ResolvedPolicy ENFORCE = policy("p", "mode: Enforce");
  private static final ResolvedPolicy AUDIT = policy("p", "mode: Audit");

  private static ObjectRef ref(String name) {
    return new ObjectRef("Deployment", "app", name);
  }

  private static RecordedChange change(
      String name, String field, String to, String action, String time) {
    return new RecordedChange(
        "Deployment", "app", name, "web", field, null, to, action, "RunAsUser", time);
  }

  private static Verdict.Listed patched(String name, String field, String time) {
    return Verdict.Listed.of(change(name, field, "65532", Verdict.PATCHED, time));
  }

  private static Verdict.Listed wouldPatch(String name, String field, String to, String time) {
    return Verdict.Listed.of(change(name, field, to, Verdict.WOULD_PATCH, time));
  }

  /** A verdict on Deployment app/NAME: {@code matching} governing first. */
  private static Verdict verdict(String name, Outcome outcome, String... matching) {
    return new Verdict(ref(name), List.of(matching), outcome, Set.of(), List.of(), Map.of(), null);
  }

  private static Verdict withPatched(Verdict v, Map<String, List<Verdict.Listed>> patched) {
    return new Verdict(
        v.ref(),
        v.matching(),
        v.outcome(),
        v.needsRootReasons(),
        v.wouldPatch(),
        patched,
        v.failure());
  }

  private static Verdict withWouldPatch(Verdict v, Verdict.Listed... wouldPatch) {
    return new Verdict(
        v.ref(),
        v.matching(),
        v.outcome(),
        v.needsRootReasons(),
        List.of(wouldPatch),
        v.patched(),
        v.failure());
  }

  private static Verdict needsRoot(String name, String... reasons) {
    return new Verdict(
        ref(name), List.of("p"), Outcome.NeedsRoot, Set.of(reasons), List.of(), Map.of(), null);
  }

  private static NonRootPolicyStatus fold(ResolvedPolicy p, List<Verdict> verdicts) {
    return StatusFold.fold(p, verdicts, Map.of(), null, NOW);
  }

  private static Condition condition(NonRootPolicyStatus s, String type) {
    return s.getConditions().stream()
        .filter(c -> type.equals(c.getType()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no condition " + type + " in " + s.getConditions()));
  }

  private static Condition condition(String type, String status, String time) {
    return new ConditionBuilder()
        .withType(type)
        .withStatus(status)
        .withReason("Before")
        .withMessage("before")
        .withObservedGeneration(GENERATION - 1)
        .withLastTransitionTime(time)
        .build();
  }

  /** Counters as one list, in the order of the status's printer columns plus the rest. */
  private static List<Integer> counters(NonRootPolicyStatus s) {
    return List.of(
        s.getMatched(),
        s.getCompliant(),
        s.getRemediated(),
        s.getViolations(),
        s.getFailed(),
        s.getExempt(),
        s.getNeedsRoot(),
        s.getOverridden());
  }

  // ---- counters ----

  /** Every kind of verdict once; the comment says what it adds for policy p. */
  private static List<Verdict> mix() {
    return List.of(
        verdict("compliant", Outcome.Compliant, "p"), // matched, compliant
        withPatched(
            verdict("fixed", Outcome.Compliant, "p"),
            Map.of("p", List.of(patched("fixed", "f", T0)))), // matched, compliant, remediated
        verdict("pending", Outcome.NonCompliant, "p"), // matched, violation
        needsRoot("kernel-uids", "KernelChanges", "SeveralUIDs"), // matched, violation, needsRoot
        needsRoot("kernel", "KernelChanges"), // matched, violation, needsRoot
        verdict("exempt", Outcome.Exempt, "p", "q"), // matched, exempt
        verdict("unresolved", Outcome.Unresolved, "p"), // matched, violation
        withPatched(
            verdict("taken-over", Outcome.Compliant, "q", "p"),
            Map.of(
                "p", List.of(patched("taken-over", "f", T0)))), // matched, overridden, remediated
        verdict("overridden-bad", Outcome.NonCompliant, "q", "p"), // matched, overridden
        verdict("not-mine", Outcome.NonCompliant, "q"), // nothing
        Verdict.unmatched(ref("nobody"), ChangeRecord.empty()), // nothing
        verdict("failed", Outcome.NonCompliant, "p")
            .withFailure(new Verdict.Failure("p", "denied"))); // violation, failed
  }

  @Test
  void countersAreExactForAMixOfVerdicts() {
    NonRootPolicyStatus s = fold(ENFORCE, mix());

    // matched, compliant, remediated, violations, failed, exempt, needsRoot, overridden
    assertThat(counters(s)).containsExactly(10, 2, 2, 5, 1, 1, 2, 2);
    assertThat(s.getNeedsRootReasons())
        .containsExactly(Map.entry("KernelChanges", 2), Map.entry("SeveralUIDs", 1));
    assertThat(s.getObservedGeneration()).isEqualTo(GENERATION);
  }

  @Test
  void workloadGovernedByAnotherPolicyCountsOnlyAsMatchedAndOverridden() {
    List<Verdict> verdicts =
        List.of(
            verdict("a", Outcome.Compliant, "q", "p"),
            verdict("b", Outcome.NonCompliant, "q", "p"),
            verdict("c", Outcome.Exempt, "q", "p"),
            new Verdict(
                ref("d"),
                List.of("q", "p"),
                Outcome.NeedsRoot,
                Set.of("KernelChanges"),
                List.of(),
                Map.of(),
                new Verdict.Failure("p", "denied")));

    NonRootPolicyStatus s = fold(ENFORCE, verdicts);

    assertThat(counters(s)).containsExactly(4, 0, 0, 0, 0, 0, 0, 4);
    assertThat(s.getNeedsRootReasons()).isEmpty();
    assertThat(condition(s, Conditions.READY).getReason()).isEqualTo("Converged");
    assertThat(condition(s, Conditions.READY).getMessage())
        .isEqualTo("0 of 4 matched workloads comply");
  }

  @Test
  void noVerdictsMeansZeroCountersAndConverged() {
    NonRootPolicyStatus s = fold(ENFORCE, List.of());

    assertThat(counters(s)).containsOnly(0);
    assertThat(s.getWorkloadChanges()).isEmpty();
    assertThat(s.getTruncated()).isZero();
    assertThat(condition(s, Conditions.READY).getStatus()).isEqualTo("True");
    assertThat(condition(s, Conditions.READY).getMessage())
        .isEqualTo("0 of 0 matched workloads comply");
  }

  // ---- failures and Ready ----

  @Test
  void failureCountsOnlyForThisPolicyOnANonCompliantWorkloadItGoverns() {
    List<Verdict> verdicts =
        List.of(
            verdict("mine", Outcome.NonCompliant, "p")
                .withFailure(new Verdict.Failure("p", "denied")),
            verdict("other-policy", Outcome.NonCompliant, "p")
                .withFailure(new Verdict.Failure("q", "denied")),
            verdict("now-compliant", Outcome.Compliant, "p")
                .withFailure(new Verdict.Failure("p", "denied")),
            verdict("needs-root", Outcome.NeedsRoot, "p")
                .withFailure(new Verdict.Failure("p", "denied")),
            verdict("governed-by-q", Outcome.NonCompliant, "q", "p")
                .withFailure(new Verdict.Failure("p", "denied")));

    NonRootPolicyStatus s = fold(ENFORCE, verdicts);

    assertThat(s.getFailed()).isEqualTo(1);
    assertThat(s.getViolations()).isEqualTo(3);
    Condition ready = condition(s, Conditions.READY);
    assertThat(ready.getStatus()).isEqualTo("False");
    assertThat(ready.getReason()).isEqualTo("RemediationFailed");
    assertThat(ready.getMessage()).isEqualTo("1 workloads could not be patched; see their Events");
  }

  @Test
  void enforceWithPendingWorkloadsIsRemediating() {
    NonRootPolicyStatus s =
        fold(
            ENFORCE,
            List.of(
                verdict("a", Outcome.NonCompliant, "p"),
                verdict("b", Outcome.NonCompliant, "p"),
                verdict("c", Outcome.Unresolved, "p"),
                verdict("d", Outcome.Compliant, "p")));

    Condition ready = condition(s, Conditions.READY);
    assertThat(ready.getStatus()).isEqualTo("False");
    assertThat(ready.getReason()).isEqualTo("Remediating");
    assertThat(ready.getMessage()).isEqualTo("2 workloads still to patch");
  }

  @Test
  void enforceWithNothingPendingIsConvergedAndMentionsNeedsRoot() {
    NonRootPolicyStatus s =
        fold(
            ENFORCE,
            List.of(
                verdict("a", Outcome.Compliant, "p"),
                verdict("b", Outcome.Unresolved, "p"),
                needsRoot("c", "HostNetworkLowPort")));

    Condition ready = condition(s, Conditions.READY);
    assertThat(ready.getStatus()).isEqualTo("True");
    assertThat(ready.getReason()).isEqualTo("Converged");
    assertThat(ready.getMessage())
        .isEqualTo("1 of 3 matched workloads comply; 1 need root and are left unchanged");
  }

  /**
   * Under Enforce, a workload left to Argo CD or Flux is reported with its would-be changes and is
   * never pending: the policy converges without patching it.
   */
  @Test
  void workloadsLeftToAGitOpsToolAreListedNotPending() {
    Verdict reported =
        new Verdict(
            ref("web"),
            List.of("p"),
            Outcome.NonCompliant,
            Set.of(),
            List.of(wouldPatch("web", "spec.template.spec.securityContext.runAsUser", "65532", T1)),
            Map.of(),
            null,
            new Verdict.Violation("WouldPatch", "managed by Argo CD application shop: ..."),
            null,
            "Argo CD application shop");
    Verdict skipped =
        new Verdict(
            ref("api"),
            List.of("p"),
            Outcome.Exempt,
            Set.of(),
            List.of(),
            Map.of(),
            null,
            null,
            null,
            "Flux Kustomization flux-system/apps");

    NonRootPolicyStatus s =
        fold(ENFORCE, List.of(reported, skipped, verdict("c", Outcome.Compliant, "p")));

    assertThat(s.getGitops()).isEqualTo(2);
    assertThat(s.getPending()).isZero();
    assertThat(s.getViolations()).isEqualTo(1);
    assertThat(s.getExempt()).isEqualTo(1);
    assertThat(s.getWorkloadChanges())
        .extracting(RecordedChange::getName, RecordedChange::getAction)
        .containsExactly(tuple("web", Verdict.WOULD_PATCH));
    Condition ready = condition(s, Conditions.READY);
    assertThat(ready.getReason()).isEqualTo("Converged");
    assertThat(ready.getMessage())
        .isEqualTo(
            "1 of 3 matched workloads comply; 2 managed by Argo CD or Flux are left to them"
                + " (spec.gitops), their fixes belong in Git");
  }

  @Test
  void auditIsReadyAuditedEvenWithPendingAndFailures() {
    NonRootPolicyStatus s =
        fold(
            AUDIT,
            List.of(
                verdict("a", Outcome.NonCompliant, "p")
                    .withFailure(new Verdict.Failure("p", "denied")),
                verdict("b", Outcome.NonCompliant, "p"),
                verdict("c", Outcome.Compliant, "p"),
                needsRoot("d", "KernelChanges")));

    assertThat(s.getViolations()).isEqualTo(3);
    Condition ready = condition(s, Conditions.READY);
    assertThat(ready.getStatus()).isEqualTo("True");
    assertThat(ready.getReason()).isEqualTo("Audited");
    assertThat(ready.getMessage())
        .isEqualTo("2 of 4 matched workloads would be patched; 1 need root and are left unchanged");
  }

  // ---- Overlapping ----

  @Test
  void overlappingNamesTheOtherPoliciesAndCountsThem() {
    NonRootPolicyStatus s =
        fold(
            ENFORCE,
            List.of(
                verdict("a", Outcome.Compliant, "p", "q"),
                verdict("b", Outcome.Compliant, "p", "q", "r"),
                verdict("c", Outcome.Compliant, "r", "p"),
                verdict("d", Outcome.Compliant, "p"),
                verdict("e", Outcome.Compliant, "q")));

    Condition o = condition(s, Conditions.OVERLAPPING);
    assertThat(o.getStatus()).isEqualTo("True");
    assertThat(o.getReason()).isEqualTo("OverlappingPolicies");
    assertThat(o.getMessage())
        .isEqualTo(
            "2 workloads also matched by q; 2 workloads also matched by r"
                + " (highest spec.priority acts, then name order); 1 handled by another policy");
    assertThat(s.getOverridden()).isEqualTo(1);
  }

  @Test
  void noOverlapIsAFalseCondition() {
    NonRootPolicyStatus s =
        fold(
            ENFORCE,
            List.of(verdict("a", Outcome.Compliant, "p"), verdict("b", Outcome.Compliant, "q")));

    Condition o = condition(s, Conditions.OVERLAPPING);
    assertThat(o.getStatus()).isEqualTo("False");
    assertThat(o.getReason()).isEqualTo("NoOverlap");
    assertThat(o.getMessage()).isEqualTo("no other policy matches these workloads");
  }

  // ---- invalid policy ----

  @Test
  void invalidPolicyIsNotValidNotReadyAndCountsNothing() {
    ResolvedPolicy bad = policy("p", "mode: Sometimes");
    NonRootPolicyStatus previous =
        StatusFold.fold(ENFORCE, mix(), Map.of(), null, T0); // Valid=True, Ready=False

    NonRootPolicyStatus s =
        StatusFold.fold(bad, mix(), Map.of("p", List.of(patched("svc", "f", T0))), previous, NOW);

    assertThat(s.getConditions())
        .extracting(Condition::getType)
        .containsExactly(Conditions.VALID, Conditions.READY);
    Condition valid = condition(s, Conditions.VALID);
    assertThat(valid.getStatus()).isEqualTo("False");
    assertThat(valid.getReason()).isEqualTo("InvalidSpec");
    assertThat(valid.getMessage()).isEqualTo(bad.error().getMessage()).contains("spec.mode");
    assertThat(valid.getLastTransitionTime()).isEqualTo(NOW);
    Condition ready = condition(s, Conditions.READY);
    assertThat(ready.getStatus()).isEqualTo("False");
    assertThat(ready.getReason()).isEqualTo("InvalidSpec");
    assertThat(ready.getLastTransitionTime()).isEqualTo(T0);
    assertThat(counters(s)).containsOnly(0);
    assertThat(s.getNeedsRootReasons()).isEmpty();
    assertThat(s.getWorkloadChanges()).isEmpty();
    assertThat(s.getTruncated()).isZero();
    assertThat(s.getObservedGeneration()).isEqualTo(GENERATION);
  }

  // ---- generation and transition times ----

  @Test
  void conditionsCarryTheGenerationInTheOrderValidReadyOverlapping() {
    NonRootPolicyStatus s = fold(ENFORCE, List.of(verdict("a", Outcome.Compliant, "p")));

    assertThat(s.getObservedGeneration()).isEqualTo(GENERATION);
    assertThat(s.getConditions())
        .extracting(Condition::getType)
        .containsExactly(Conditions.VALID, Conditions.READY, Conditions.OVERLAPPING);
    assertThat(s.getConditions())
        .extracting(Condition::getObservedGeneration)
        .containsOnly(GENERATION);
    assertThat(s.getConditions()).extracting(Condition::getLastTransitionTime).containsOnly(NOW);
  }

  @Test
  void transitionTimeIsKeptUnlessTheStatusFlips() {
    NonRootPolicyStatus previous = new NonRootPolicyStatus();
    previous.setConditions(
        List.of(
            condition(Conditions.VALID, "True", T0),
            condition(Conditions.READY, "True", T1),
            condition(Conditions.OVERLAPPING, "False", T2)));

    // Ready stays True (Converged), Valid stays True, Overlapping flips to True.
    NonRootPolicyStatus s =
        StatusFold.fold(
            ENFORCE, List.of(verdict("a", Outcome.Compliant, "p", "q")), Map.of(), previous, NOW);

    assertThat(condition(s, Conditions.VALID).getLastTransitionTime()).isEqualTo(T0);
    assertThat(condition(s, Conditions.READY).getLastTransitionTime()).isEqualTo(T1);
    assertThat(condition(s, Conditions.READY).getReason()).isEqualTo("Converged");
    assertThat(condition(s, Conditions.READY).getObservedGeneration()).isEqualTo(GENERATION);
    assertThat(condition(s, Conditions.OVERLAPPING).getLastTransitionTime()).isEqualTo(NOW);
  }

  @Test
  void readyFlippingToFalseMovesItsTransitionTimeToNow() {
    NonRootPolicyStatus previous = new NonRootPolicyStatus();
    previous.setConditions(List.of(condition(Conditions.READY, "True", T1)));

    NonRootPolicyStatus s =
        StatusFold.fold(
            ENFORCE, List.of(verdict("a", Outcome.NonCompliant, "p")), Map.of(), previous, NOW);

    assertThat(condition(s, Conditions.READY).getStatus()).isEqualTo("False");
    assertThat(condition(s, Conditions.READY).getLastTransitionTime()).isEqualTo(NOW);
    assertThat(condition(s, Conditions.VALID).getLastTransitionTime()).isEqualTo(NOW);
  }

  // ---- changes listed ----

  @Test
  void patchedChangesOfThisPolicyComeFromVerdictsAndServices() {
    Verdict.Listed mine1 = patched("a", "f1", T1);
    Verdict.Listed mine2 = patched("b", "f2", T0);
    Verdict.Listed theirs = patched("a", "f3", T2);
    Verdict.Listed service =
        Verdict.Listed.of(
            new RecordedChange(
                "Service",
                "app",
                "web",
                null,
                "spec.ports[http].targetPort",
                "80",
                "8080",
                Verdict.PATCHED,
                "ServiceTargetPort",
                T2));
    Verdict.Listed otherService =
        Verdict.Listed.of(
            new RecordedChange(
                "Service",
                "app",
                "db",
                null,
                "spec.ports[sql].targetPort",
                "80",
                "8080",
                Verdict.PATCHED,
                "ServiceTargetPort",
                T2));
    List<Verdict> verdicts =
        List.of(
            withPatched(
                verdict("a", Outcome.Compliant, "p"),
                Map.of("p", List.of(mine1), "q", List.of(theirs))),
            withPatched(verdict("b", Outcome.Compliant, "q", "p"), Map.of("p", List.of(mine2))));

    NonRootPolicyStatus s =
        StatusFold.fold(
            ENFORCE,
            verdicts,
            Map.of("p", List.of(service), "q", List.of(otherService)),
            null,
            NOW);

    // Oldest first: T0, T1, T2.
    assertThat(s.getWorkloadChanges())
        .containsExactly(mine2.change(), mine1.change(), service.change());
    assertThat(s.getTruncated()).isZero();
    assertThat(s.getRemediated()).isEqualTo(2);
  }

  @Test
  void wouldPatchIsListedOnlyForTheGoverningAuditPolicy() {
    Verdict.Listed governed = wouldPatch("a", "f", "65532", T1);
    Verdict.Listed overlapped = wouldPatch("b", "f", "65532", T1);
    List<Verdict> verdicts =
        List.of(
            withWouldPatch(verdict("a", Outcome.NonCompliant, "p", "q"), governed),
            withWouldPatch(verdict("b", Outcome.NonCompliant, "q", "p"), overlapped));

    NonRootPolicyStatus audit = fold(AUDIT, verdicts);
    NonRootPolicyStatus enforce = fold(ENFORCE, verdicts);

    assertThat(audit.getWorkloadChanges()).containsExactly(governed.change());
    assertThat(enforce.getWorkloadChanges()).isEmpty();
  }

  @Test
  void wouldPatchKeepsTheOlderFirstSeenTimeFromThePreviousStatus() {
    NonRootPolicyStatus previous = new NonRootPolicyStatus();
    previous.setWorkloadChanges(
        List.of(
            change(
                "a",
                "f",
                "65532",
                Verdict.WOULD_PATCH,
                T0), // same change, seen earlier: its time wins
            change(
                "b",
                "f",
                "1000",
                Verdict.WOULD_PATCH,
                T0), // another target value: a different change
            change(
                "c",
                "f",
                "65532",
                Verdict.WOULD_PATCH,
                T2), // seen later than the verdict says: the verdict wins
            change(
                "d", "f", "65532", Verdict.PATCHED, T0))); // a Patched entry does not lend its time
    List<Verdict> verdicts =
        List.of(
            withWouldPatch(
                verdict("a", Outcome.NonCompliant, "p"), wouldPatch("a", "f", "65532", T1)),
            withWouldPatch(
                verdict("b", Outcome.NonCompliant, "p"), wouldPatch("b", "f", "65532", T1)),
            withWouldPatch(
                verdict("c", Outcome.NonCompliant, "p"), wouldPatch("c", "f", "65532", T1)),
            withWouldPatch(
                verdict("d", Outcome.NonCompliant, "p"), wouldPatch("d", "f", "65532", T1)));

    NonRootPolicyStatus s = StatusFold.fold(AUDIT, verdicts, Map.of(), previous, NOW);

    assertThat(s.getWorkloadChanges())
        .extracting(RecordedChange::getName, RecordedChange::getTime)
        .containsExactly(tuple("a", T0), tuple("b", T1), tuple("c", T1), tuple("d", T1));
    assertThat(s.getWorkloadChanges())
        .extracting(RecordedChange::getAction)
        .containsOnly(Verdict.WOULD_PATCH);
  }

  @Test
  void decisionsFoldIntoWouldPatchForAuditAndPatchedForEnforce() {
    String bare =
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: app}
        spec:
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec:
              containers:
              - {name: web, image: nginx}
        """;
    ResolvedPolicy audit = policy("audit", "mode: Audit");
    ResolvedPolicy enforce = policy("enforce", "mode: Enforce");

    // Audit: the plan shows as WouldPatch, first seen at T0 and still at T0 a pass later.
    Workload w = Workload.of(tree(bare)).orElseThrow();
    Decision d = Governor.decide(PolicySet.of(List.of(audit)), w, Inventory.EMPTY);
    Verdict first = Verdict.of(d, ChangeRecord.empty(), null, T0);
    Verdict later = Verdict.of(d, ChangeRecord.empty(), first, T1);
    NonRootPolicyStatus a = StatusFold.fold(audit, List.of(later), Map.of(), null, NOW);
    assertThat(a.getWorkloadChanges()).hasSize(5);
    assertThat(a.getWorkloadChanges())
        .extracting(RecordedChange::getAction)
        .containsOnly(Verdict.WOULD_PATCH);
    assertThat(a.getWorkloadChanges()).extracting(RecordedChange::getTime).containsOnly(T0);
    assertThat(a.getViolations()).isEqualTo(1);
    assertThat(condition(a, Conditions.READY).getMessage())
        .isEqualTo("1 of 1 matched workloads would be patched");

    // Enforce: after the patch the workload complies and its record lists the five fields as
    // Patched.
    ObjectNode t = tree(bare);
    Decision before =
        Governor.decide(
            PolicySet.of(List.of(enforce)), Workload.of(t).orElseThrow(), Inventory.EMPTY);
    ChangeRecord record =
        ChangeRecord.empty().with(t, before.evaluation().changes(), "enforce", T1);
    PlanApplier.apply(t, before.evaluation().changes());
    Decision after =
        Governor.decide(
            PolicySet.of(List.of(enforce)), Workload.of(t).orElseThrow(), Inventory.EMPTY);
    assertThat(after.action()).isEqualTo(Decision.Action.NONE);
    NonRootPolicyStatus e =
        StatusFold.fold(enforce, List.of(Verdict.of(after, record, null, T2)), Map.of(), null, NOW);
    assertThat(counters(e)).containsExactly(1, 1, 1, 0, 0, 0, 0, 0);
    assertThat(e.getWorkloadChanges()).hasSize(5);
    assertThat(e.getWorkloadChanges())
        .extracting(RecordedChange::getAction)
        .containsOnly(Verdict.PATCHED);
    assertThat(e.getWorkloadChanges()).extracting(RecordedChange::getTime).containsOnly(T1);
    assertThat(condition(e, Conditions.READY).getReason()).isEqualTo("Converged");
  }

  // ---- bounding ----

  private static final int WORKLOADS = 5_000;
  private static final int PER_WORKLOAD = 3;

  private static List<Verdict> manyChanges() {
    long base = Instant.parse(T0).getEpochSecond();
    List<Verdict> out = new ArrayList<>(WORKLOADS);
    for (int i = 0; i < WORKLOADS; i++) {
      String name = String.format("w%05d", i);
      List<Verdict.Listed> listed = new ArrayList<>();
      for (int j = 0; j < PER_WORKLOAD; j++) {
        listed.add(
            patched(
                name,
                "spec.template.spec.containers[web].securityContext.field" + j,
                Instant.ofEpochSecond(base + (long) i * PER_WORKLOAD + j).toString()));
      }
      out.add(withPatched(verdict(name, Outcome.Compliant, "p"), Map.of("p", List.copyOf(listed))));
    }
    return out;
  }

  @Test
  void manyChangesStayWithinTheBudgetKeepingTheNewestAndCountingTheRest() throws Exception {
    List<Verdict> verdicts = manyChanges();
    NonRootPolicyStatus s = fold(ENFORCE, verdicts);

    int total = WORKLOADS * PER_WORKLOAD;
    List<RecordedChange> all = new ArrayList<>();
    verdicts.forEach(v -> v.patched().get("p").forEach(l -> all.add(l.change())));
    all.sort(Comparator.comparing(RecordedChange::getTime));
    int kept = s.getWorkloadChanges().size();

    assertThat(
            JSON.writeValueAsString(s.getWorkloadChanges()).getBytes(StandardCharsets.UTF_8).length)
        .isLessThanOrEqualTo(StatusFold.CHANGES_BUDGET_BYTES);
    assertThat(kept).isBetween(1, total - 1);
    assertThat(s.getTruncated() + kept).isEqualTo(total);
    assertThat(s.getWorkloadChanges()).isEqualTo(all.subList(total - kept, total));
    // Greedy: one more (the next older) change would not have fit.
    String withOneMore = JSON.writeValueAsString(all.subList(total - kept - 1, total));
    assertThat(withOneMore.getBytes(StandardCharsets.UTF_8).length)
        .isGreaterThan(StatusFold.CHANGES_BUDGET_BYTES);
    assertThat(counters(s)).containsExactly(WORKLOADS, WORKLOADS, WORKLOADS, 0, 0, 0, 0, 0);
  }

  /**
   * A mass remediation records hundreds of changes in each whole second: the newest seconds are
   * kept whole, the second where the budget runs out is cut by the full order (name, then field),
   * and the result does not depend on the order the verdicts come in.
   */
  @Test
  void changesSharingTheirSecondAreCutAtTheBudgetByTheFullOrder() throws Exception {
    long base = Instant.parse(T0).getEpochSecond();
    List<Verdict> verdicts = new ArrayList<>();
    List<RecordedChange> all = new ArrayList<>();
    for (int i = 0; i < 3_000; i++) {
      String name = String.format("w%05d", (i * 7919) % 3_000);
      String time = Instant.ofEpochSecond(base + i / 100).toString();
      List<Verdict.Listed> listed =
          List.of(patched(name, "spec.f1", time), patched(name, "spec.f0", time));
      listed.forEach(l -> all.add(l.change()));
      verdicts.add(withPatched(verdict(name, Outcome.Compliant, "p"), Map.of("p", listed)));
    }
    NonRootPolicyStatus s = fold(ENFORCE, verdicts);
    List<Verdict> reversed = new ArrayList<>(verdicts);
    Collections.reverse(reversed);
    assertThat(fold(ENFORCE, reversed).getWorkloadChanges()).isEqualTo(s.getWorkloadChanges());

    List<RecordedChange> kept = s.getWorkloadChanges();
    assertThat(JSON.writeValueAsString(kept).getBytes(StandardCharsets.UTF_8).length)
        .isLessThanOrEqualTo(StatusFold.CHANGES_BUDGET_BYTES);
    assertThat(kept.size() + s.getTruncated()).isEqualTo(all.size());
    all.sort(
        Comparator.comparing(RecordedChange::getTime)
            .thenComparing(RecordedChange::getName)
            .thenComparing(RecordedChange::getField));
    assertThat(kept).isEqualTo(all.subList(all.size() - kept.size(), all.size()));
    // The cut falls inside a second (so the test covers it), and greedily: one more would not fit.
    String oldest = kept.get(0).getTime();
    assertThat(all.get(all.size() - kept.size() - 1).getTime()).isEqualTo(oldest);
    String withOneMore =
        JSON.writeValueAsString(all.subList(all.size() - kept.size() - 1, all.size()));
    assertThat(withOneMore.getBytes(StandardCharsets.UTF_8).length)
        .isGreaterThan(StatusFold.CHANGES_BUDGET_BYTES);
  }

  /**
   * Issue 11's bound on the whole object: 10,000 remediated workloads (five fields each), or 10,000
   * that an Audit policy would patch, keep the status under 512 KiB with exact counters.
   */
  @Test
  void tenThousandWorkloadsKeepTheWholeStatusUnder512KiB() throws Exception {
    int workloads = 10_000;
    int fields = 5;
    long base = Instant.parse(T0).getEpochSecond();
    List<Verdict> remediated = new ArrayList<>(workloads);
    List<Verdict> violating = new ArrayList<>(workloads);
    for (int i = 0; i < workloads; i++) {
      String name = String.format("ns%03d-workload-%05d", i % 100, i);
      List<Verdict.Listed> patched = new ArrayList<>();
      List<Verdict.Listed> would = new ArrayList<>();
      for (int j = 0; j < fields; j++) {
        String field = "spec.template.spec.containers[app].securityContext.field" + j;
        String time = Instant.ofEpochSecond(base + (long) i * fields + j).toString();
        patched.add(patched(name, field, time));
        would.add(wouldPatch(name, field, "65532", time));
      }
      remediated.add(withPatched(verdict(name, Outcome.Compliant, "p"), Map.of("p", patched)));
      violating.add(
          withWouldPatch(
              verdict(name, Outcome.NonCompliant, "p"), would.toArray(Verdict.Listed[]::new)));
    }

    NonRootPolicyStatus enforced = fold(ENFORCE, remediated);
    assertThat(JSON.writeValueAsString(enforced).getBytes(StandardCharsets.UTF_8).length)
        .isLessThanOrEqualTo(512 * 1024);
    assertThat(counters(enforced)).containsExactly(workloads, workloads, workloads, 0, 0, 0, 0, 0);
    assertThat(enforced.getWorkloadChanges().size() + enforced.getTruncated())
        .isEqualTo(workloads * fields);

    NonRootPolicyStatus audited = fold(AUDIT, violating);
    assertThat(JSON.writeValueAsString(audited).getBytes(StandardCharsets.UTF_8).length)
        .isLessThanOrEqualTo(512 * 1024);
    assertThat(audited.getMatched()).isEqualTo(workloads);
    assertThat(audited.getViolations()).isEqualTo(workloads);
    assertThat(audited.getWorkloadChanges().size() + audited.getTruncated())
        .isEqualTo(workloads * fields);
  }

  /**
   * Changes whose listed sizes add up to exactly the budget: all of them are kept, but the JSON
   * array is the sum of the sizes plus one ("[" and "]" against one separator fewer than entries).
   */
  @Test
  void changesWhoseSizesSumExactlyToTheBudgetStillFitAsJson() throws Exception {
    int size = 256;
    int count = StatusFold.CHANGES_BUDGET_BYTES / size;
    long base = Instant.parse(T0).getEpochSecond();
    List<Verdict> verdicts = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String name = String.format("x%05d", i);
      RecordedChange c =
          change(name, "", "1", Verdict.PATCHED, Instant.ofEpochSecond(base + i).toString());
      c.setField("f".repeat(size - Verdict.Listed.of(c).bytes()));
      assertThat(Verdict.Listed.of(c).bytes()).isEqualTo(size);
      verdicts.add(
          withPatched(
              verdict(name, Outcome.Compliant, "p"), Map.of("p", List.of(Verdict.Listed.of(c)))));
    }
    assertThat(count * size).isEqualTo(StatusFold.CHANGES_BUDGET_BYTES);

    NonRootPolicyStatus s = fold(ENFORCE, verdicts);

    assertThat(
            JSON.writeValueAsString(s.getWorkloadChanges()).getBytes(StandardCharsets.UTF_8).length)
        .isLessThanOrEqualTo(StatusFold.CHANGES_BUDGET_BYTES);
    assertThat(s.getTruncated() + s.getWorkloadChanges().size()).isEqualTo(count);
  }

  @Test
  void listedSizeIsTheChangesJsonPlusItsSeparator() throws Exception {
    RecordedChange c = change("a", "f", "65532", Verdict.PATCHED, T0);
    assertThat(Verdict.Listed.of(c).bytes())
        .isEqualTo(JSON.writeValueAsString(c).getBytes(StandardCharsets.UTF_8).length + 1);
  }

  // ---- purity ----

  private static NonRootPolicyStatus previousStatus() {
    NonRootPolicyStatus previous = new NonRootPolicyStatus();
    previous.setConditions(List.of(condition(Conditions.READY, "True", T0)));
    previous.setWorkloadChanges(
        new ArrayList<>(List.of(change("a", "f", "65532", Verdict.WOULD_PATCH, T0))));
    previous.setNeedsRootReasons(new TreeMap<>(Map.of("KernelChanges", 9)));
    previous.setMatched(42);
    return previous;
  }

  private static List<Verdict> auditVerdicts() {
    List<Verdict> out = new ArrayList<>(mix());
    out.add(
        withWouldPatch(verdict("a", Outcome.NonCompliant, "p"), wouldPatch("a", "f", "65532", T1)));
    out.add(
        withWouldPatch(
            verdict("b", Outcome.NonCompliant, "p"),
            wouldPatch("b", "f", "65532", T2),
            wouldPatch("b", "g", "true", T0)));
    return out;
  }

  @Test
  void foldingTwiceGivesEqualStatusesAndLeavesTheInputsAlone() {
    List<Verdict> verdicts = auditVerdicts();
    NonRootPolicyStatus previous = previousStatus();
    Map<String, List<Verdict.Listed>> services = Map.of("p", List.of(patched("svc", "f", T1)));

    NonRootPolicyStatus first = StatusFold.fold(AUDIT, verdicts, services, previous, NOW);
    NonRootPolicyStatus second = StatusFold.fold(AUDIT, verdicts, services, previous, NOW);

    assertThat(second).isEqualTo(first);
    // Oldest first (time, then namespace, kind, name, field); a's WouldPatch took T0 from the
    // previous status.
    assertThat(first.getWorkloadChanges())
        .extracting(RecordedChange::getName, RecordedChange::getField, RecordedChange::getTime)
        .containsExactly(
            tuple("a", "f", T0),
            tuple("b", "g", T0),
            tuple("fixed", "f", T0),
            tuple("taken-over", "f", T0),
            tuple("svc", "f", T1),
            tuple("b", "f", T2));
    assertThat(verdicts).isEqualTo(auditVerdicts());
    assertThat(verdicts.get(verdicts.size() - 2).wouldPatch().get(0).change().getTime())
        .isEqualTo(T1);
    assertThat(previous).isEqualTo(previousStatus());
    assertThat(services.get("p").get(0).change()).isEqualTo(patched("svc", "f", T1).change());
  }
}
