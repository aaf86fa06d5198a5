package dev.nonroot.engine;

import static dev.nonroot.engine.EngineInputs.policy;
import static dev.nonroot.engine.EngineInputs.tree;
import static dev.nonroot.engine.EngineInputs.workload;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nonroot.api.Annotations;
import dev.nonroot.engine.model.Inventory;
import dev.nonroot.engine.model.NamespaceInfo;
import dev.nonroot.engine.model.Workload;
import dev.nonroot.engine.plan.Change;
import dev.nonroot.engine.plan.PlanApplier;
import dev.nonroot.engine.policy.EffectivePolicy;
import dev.nonroot.engine.policy.ResolvedPolicy;
import dev.nonroot.engine.record.ChangeRecord;
import dev.nonroot.engine.record.RecordedPatch;
import dev.nonroot.engine.rollout.RolloutState;
import dev.nonroot.engine.rules.Outcome;
import dev.nonroot.engine.status.Verdict;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Governor.decide: which policy governs a workload, which overlap, and what the front end does. */
class GovernorTest {
  /** No securityContext anywhere: the default policy plans exactly these five fields. */
  private static final String BARE =
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

  private static final List<String> BARE_FIELDS =
      List.of(
          "spec.template.spec.securityContext.runAsNonRoot",
          "spec.template.spec.securityContext.runAsUser",
          "spec.template.spec.securityContext.seccompProfile",
          "spec.template.spec.containers[web].securityContext.allowPrivilegeEscalation",
          "spec.template.spec.containers[web].securityContext.capabilities.drop");

  private static final String COMPLIANT =
      """
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web, namespace: app}
      spec:
        selector: {matchLabels: {app: web}}
        template:
          metadata: {labels: {app: web}}
          spec:
            securityContext: {runAsNonRoot: true, runAsUser: 1000, seccompProfile: {type: RuntimeDefault}}
            containers:
            - name: web
              image: nginx
              securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
      """;

  private static Decision decide(Workload w, ResolvedPolicy... policies) {
    return Governor.decide(PolicySet.of(List.of(policies)), w, Inventory.EMPTY);
  }

  private static List<String> names(List<EffectivePolicy> policies) {
    return policies.stream().map(EffectivePolicy::name).toList();
  }

  private static String governing(Decision d) {
    return d.governing() == null ? null : d.governing().name();
  }

  /** The planned value of one field, as text (the value a record would show). */
  private static String plannedTo(Decision d, String field) {
    return d.evaluation().changes().stream()
        .filter(c -> c.field().equals(field))
        .map(c -> Change.render(c.newValue()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no change planned for " + field));
  }

  // ---- no policy matches ----

  static Stream<Arguments> unmatched() {
    return Stream.of(
        Arguments.of("other namespace", "match: {namespaces: [other]}", BARE),
        Arguments.of(
            "excluded by default (kube-system)",
            "{}",
            BARE.replace("namespace: app", "namespace: kube-system")),
        Arguments.of("kind not in match.kinds", "match: {kinds: [StatefulSet, DaemonSet]}", BARE),
        Arguments.of(
            "selector does not match", "match: {selector: {matchLabels: {tier: db}}}", BARE));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unmatched")
  void noMatchingPolicyMeansNoneWithoutGoverningOrEvaluation(
      String name, String spec, String workload) {
    Decision d = decide(workload(workload), policy("p", spec));

    assertThat(d.action()).isEqualTo(Decision.Action.NONE);
    assertThat(d.governing()).isNull();
    assertThat(d.governingPolicy()).isEmpty();
    assertThat(d.overlapping()).isEmpty();
    assertThat(d.evaluation()).isNull();
    assertThat(d.matched()).isFalse();
    assertThat(d.matching()).isEmpty();
  }

  @Test
  void emptyPolicySetDecidesNone() {
    Decision d = Governor.decide(PolicySet.of(List.of()), workload(BARE), Inventory.EMPTY);
    assertThat(d.action()).isEqualTo(Decision.Action.NONE);
    assertThat(d.governing()).isNull();
    assertThat(d.evaluation()).isNull();
  }

  // ---- one policy ----

  @Test
  void enforcePolicyPatchesANonCompliantDeployment() {
    Decision d = decide(workload(BARE), policy("enforce", "mode: Enforce"));

    assertThat(governing(d)).isEqualTo("enforce");
    assertThat(d.overlapping()).isEmpty();
    assertThat(d.action()).isEqualTo(Decision.Action.PATCH);
    assertThat(d.evaluation().outcome()).isEqualTo(Outcome.NonCompliant);
    assertThat(d.evaluation().policy()).isEqualTo("enforce");
    assertThat(d.evaluation().changes())
        .extracting(Change::field)
        .containsExactlyElementsOf(BARE_FIELDS);
    assertThat(d.evaluation().serviceChanges()).isEmpty();
    assertThat(plannedTo(d, "spec.template.spec.securityContext.runAsUser")).isEqualTo("65532");
  }

  @Test
  void auditPolicyWouldPatchExactlyWhatEnforceWouldPatch() {
    Decision enforce = decide(workload(BARE), policy("p", "mode: Enforce"));
    Decision audit = decide(workload(BARE), policy("p", "mode: Audit"));

    assertThat(governing(audit)).isEqualTo("p");
    assertThat(audit.overlapping()).isEmpty();
    assertThat(audit.action()).isEqualTo(Decision.Action.WOULD_PATCH);
    assertThat(audit.evaluation().outcome()).isEqualTo(Outcome.NonCompliant);
    assertThat(audit.evaluation().changes()).isNotEmpty().isEqualTo(enforce.evaluation().changes());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"Enforce", "Audit"})
  void compliantDeploymentIsNoneUnderEitherMode(String mode) {
    Decision d = decide(workload(COMPLIANT), policy("p", "mode: " + mode));

    assertThat(governing(d)).isEqualTo("p");
    assertThat(d.overlapping()).isEmpty();
    assertThat(d.action()).isEqualTo(Decision.Action.NONE);
    assertThat(d.evaluation().outcome()).isEqualTo(Outcome.Compliant);
    assertThat(d.evaluation().changes()).isEmpty();
    assertThat(d.evaluation().serviceChanges()).isEmpty();
  }

  @Test
  void workloadNeedingRootUnderReportIsNone() {
    String w =
        BARE.replace(
            "{name: web, image: nginx}",
            "{name: web, image: nginx, securityContext: {capabilities: {add: [SYS_ADMIN]}}}");
    Decision d = decide(workload(w), policy("p", "{}"));

    assertThat(governing(d)).isEqualTo("p");
    assertThat(d.action()).isEqualTo(Decision.Action.NONE);
    assertThat(d.evaluation().outcome()).isEqualTo(Outcome.NeedsRoot);
    assertThat(d.evaluation().changes()).isEmpty();
  }

  // ---- several policies ----

  @Test
  void higherPriorityGovernsWhateverTheListOrder() {
    ResolvedPolicy low = policy("a-low", "priority: 0\nsecurityContext: {runAsUser: 1111}");
    ResolvedPolicy high = policy("b-high", "priority: 5\nsecurityContext: {runAsUser: 2222}");

    for (List<ResolvedPolicy> order : List.of(List.of(low, high), List.of(high, low))) {
      Decision d = Governor.decide(PolicySet.of(order), workload(BARE), Inventory.EMPTY);
      assertThat(governing(d)).as("order %s", order).isEqualTo("b-high");
      assertThat(names(d.overlapping())).containsExactly("a-low");
      assertThat(names(d.matching())).containsExactly("b-high", "a-low");
      assertThat(d.action()).isEqualTo(Decision.Action.PATCH);
      assertThat(d.evaluation().policy()).isEqualTo("b-high");
      assertThat(plannedTo(d, "spec.template.spec.securityContext.runAsUser")).isEqualTo("2222");
    }
  }

  @Test
  void equalPriorityGoesToTheNameThatSortsFirst() {
    ResolvedPolicy beta = policy("beta", "securityContext: {runAsUser: 2222}");
    ResolvedPolicy alpha = policy("alpha", "securityContext: {runAsUser: 1111}");

    for (List<ResolvedPolicy> order : List.of(List.of(beta, alpha), List.of(alpha, beta))) {
      Decision d = Governor.decide(PolicySet.of(order), workload(BARE), Inventory.EMPTY);
      assertThat(governing(d)).isEqualTo("alpha");
      assertThat(names(d.overlapping())).containsExactly("beta");
      assertThat(plannedTo(d, "spec.template.spec.securityContext.runAsUser")).isEqualTo("1111");
    }
  }

  @Test
  void overlappingListsTheOthersInPrecedenceOrderAndSkipsNonMatching() {
    List<ResolvedPolicy> all =
        new ArrayList<>(
            List.of(
                policy("m", "priority: 1"),
                policy("z", "priority: 9"),
                policy("a", "priority: 1"),
                policy("neg", "priority: -4"),
                policy("elsewhere", "priority: 100\nmatch: {namespaces: [other]}")));
    Collections.reverse(all);

    Decision d = Governor.decide(PolicySet.of(all), workload(BARE), Inventory.EMPTY);

    assertThat(governing(d)).isEqualTo("z");
    assertThat(names(d.overlapping())).containsExactly("a", "m", "neg");
  }

  @Test
  void higherPriorityAuditPolicyHoldsBackAnEnforcePolicy() {
    ResolvedPolicy enforce = policy("aaa-enforce", "mode: Enforce\npriority: 1");
    ResolvedPolicy audit = policy("zzz-audit", "mode: Audit\npriority: 2");

    Decision d = decide(workload(BARE), enforce, audit);

    assertThat(governing(d)).isEqualTo("zzz-audit");
    assertThat(names(d.overlapping())).containsExactly("aaa-enforce");
    assertThat(d.action()).isEqualTo(Decision.Action.WOULD_PATCH);
    assertThat(d.evaluation().policy()).isEqualTo("zzz-audit");
  }

  @Test
  void invalidPolicyTakesNoPartButIsStillListed() {
    ResolvedPolicy bad = policy("aaa-bad", "mode: Sometimes\npriority: 100");
    ResolvedPolicy good = policy("zzz-good", "priority: 0");
    assertThat(bad.valid()).isFalse();
    assertThat(bad.error().getMessage()).contains("spec.mode").contains("Sometimes");
    assertThat(bad.generation()).isEqualTo(7);
    assertThat(bad.uid()).isEqualTo("uid-aaa-bad");

    PolicySet set = PolicySet.of(List.of(bad, good));
    Decision d = Governor.decide(set, workload(BARE), Inventory.EMPTY);

    assertThat(governing(d)).isEqualTo("zzz-good");
    assertThat(d.overlapping()).isEmpty();
    assertThat(d.action()).isEqualTo(Decision.Action.PATCH);
    assertThat(set.all()).extracting(ResolvedPolicy::name).containsExactly("aaa-bad", "zzz-good");
    assertThat(names(set.inPrecedenceOrder())).containsExactly("zzz-good");
    assertThat(set.named("aaa-bad")).contains(bad);
  }

  @Test
  void onlyInvalidPoliciesMeansNone() {
    Decision d = decide(workload(BARE), policy("bad", "ports: {offset: 80}"));
    assertThat(d.action()).isEqualTo(Decision.Action.NONE);
    assertThat(d.governing()).isNull();
    assertThat(d.evaluation()).isNull();
  }

  // ---- an invalid policy holds what it governed with its last valid spec ----

  @Test
  void anInvalidPolicyWithALastValidSpecKeepsGoverningUnderThatSpec() {
    ResolvedPolicy lastValid = policy("audit", "mode: Audit\npriority: 10");
    ResolvedPolicy broken =
        policy(
            "audit", "mode: Audit\npriority: 10\nsecurityContext: {dropCapabilities: [NET-RAW]}");
    ResolvedPolicy enforce = policy("enforce", "mode: Enforce\npriority: 0");
    assertThat(broken.valid()).isFalse();

    ResolvedPolicy held = broken.holding(lastValid);
    assertThat(held.valid()).isFalse();
    assertThat(held.held()).isSameAs(lastValid.effective());
    assertThat(held.heldGeneration()).isEqualTo(7);

    Decision d = decide(workload(BARE), held, enforce);
    assertThat(governing(d)).isEqualTo("audit");
    assertThat(names(d.overlapping())).containsExactly("enforce");
    assertThat(d.action()).isEqualTo(Decision.Action.WOULD_PATCH);
    assertThat(PolicySet.of(List.of(held, enforce)).named("audit")).contains(held);
  }

  @Test
  void aHeldEnforcePolicyActsWithItsLastValidSpecNotTheBrokenOne() {
    ResolvedPolicy lastValid = policy("p", "securityContext: {runAsUser: 4242}");
    ResolvedPolicy broken =
        policy(
            "p",
            "securityContext: {runAsUser: 1}\nmatch: {selector: {matchExpressions: [{key: a, operator: in, values: [b]}]}}");
    assertThat(broken.valid()).isFalse();

    Decision d = decide(workload(BARE), broken.holding(lastValid));
    assertThat(governing(d)).isEqualTo("p");
    assertThat(d.action()).isEqualTo(Decision.Action.PATCH);
    assertThat(plannedTo(d, "spec.template.spec.securityContext.runAsUser")).isEqualTo("4242");
  }

  @Test
  void aPolicyThatWasNeverValidHoldsNothing() {
    ResolvedPolicy broken = policy("audit", "mode: Audit\npriority: 10\nports: {offset: 1}");
    ResolvedPolicy enforce = policy("enforce", "mode: Enforce");
    assertThat(broken.held()).isNull();

    Decision d = decide(workload(BARE), broken, enforce);
    assertThat(governing(d)).isEqualTo("enforce");
    assertThat(d.action()).isEqualTo(Decision.Action.PATCH);
  }

  // ---- exemptions ----

  @Test
  void exemptWorkloadIsGovernedButLeftAlone() {
    String exempt =
        BARE.replace(
            "metadata: {name: web, namespace: app}",
            "metadata: {name: web, namespace: app, annotations: {nonroot.dev/exempt: \"true\"}}");
    Decision d = decide(workload(exempt), policy("p", "{}"), policy("q", "{}"));

    assertThat(governing(d)).isEqualTo("p");
    assertThat(names(d.overlapping())).containsExactly("q");
    assertThat(d.action()).isEqualTo(Decision.Action.NONE);
    assertThat(d.evaluation().outcome()).isEqualTo(Outcome.Exempt);
    assertThat(d.evaluation().changes()).isEmpty();
    assertThat(d.evaluation().exemption())
        .isEqualTo("annotation nonroot.dev/exempt on the workload");
  }

  @Test
  void workloadInAnExemptNamespaceIsGovernedButLeftAlone() {
    Inventory inventory =
        new Inventory() {
          @Override
          public List<ObjectNode> services(String namespace) {
            return List.of();
          }

          @Override
          public Optional<NamespaceInfo> namespace(String name) {
            return name.equals("app")
                ? Optional.of(
                    new NamespaceInfo("app", Map.of(), Map.of("nonroot.dev/exempt", "True")))
                : Optional.empty();
          }
        };
    Decision d =
        Governor.decide(PolicySet.of(List.of(policy("p", "{}"))), workload(BARE), inventory);

    assertThat(governing(d)).isEqualTo("p");
    assertThat(d.action()).isEqualTo(Decision.Action.NONE);
    assertThat(d.evaluation().outcome()).isEqualTo(Outcome.Exempt);
    assertThat(d.evaluation().exemption())
        .isEqualTo("annotation nonroot.dev/exempt on namespace app");
  }

  // ---- purity ----

  @Test
  void decidingTwiceGivesEqualPlansAndLeavesTheTreeUntouched() {
    ObjectNode tree = tree(BARE);
    JsonNode before = tree.deepCopy();
    Workload w = Workload.of(tree).orElseThrow();
    PolicySet set = PolicySet.of(List.of(policy("p", "priority: 1"), policy("q", "mode: Audit")));

    Decision first = Governor.decide(set, w, Inventory.EMPTY);
    Decision second = Governor.decide(set, w, Inventory.EMPTY);

    assertThat(second.action()).isEqualTo(first.action()).isEqualTo(Decision.Action.PATCH);
    assertThat(governing(second)).isEqualTo(governing(first)).isEqualTo("p");
    assertThat(names(second.overlapping()))
        .isEqualTo(names(first.overlapping()))
        .containsExactly("q");
    assertThat(second.evaluation().changes()).isEqualTo(first.evaluation().changes()).hasSize(5);
    assertThat(second.evaluation().findings()).isEqualTo(first.evaluation().findings());
    assertThat(tree).isEqualTo(before);
  }

  // ---- spec.onDelete: Revert and a governing policy that does not write ----

  /** BARE as policy {@code name} left it: its fix applied and recorded. */
  private static Workload remediatedBy(String name) {
    ObjectNode tree = tree(BARE);
    Decision d = decide(Workload.of(tree).orElseThrow(), policy(name, "onDelete: Revert"));
    ChangeRecord record =
        ChangeRecord.empty().with(tree, d.evaluation().changes(), name, "2026-12-02T08:00:00Z");
    PlanApplier.apply(tree, d.evaluation().changes());
    ((ObjectNode) tree.path("metadata"))
        .putObject("annotations")
        .put(Annotations.CHANGES, record.toJson());
    return Workload.of(tree).orElseThrow();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {"mode: Audit", "mode: Enforce\ngitops: Report", "mode: Enforce\ngitops: Skip"})
  void aDeletedRevertPoliciesChangesGoBackUnderAPolicyThatDoesNotWrite(String spec) {
    Workload w = remediatedBy("reverting");
    if (spec.contains("gitops")) {
      ((ObjectNode) w.root().path("metadata").path("annotations"))
          .put("argocd.argoproj.io/instance", "shop");
      w = Workload.of((ObjectNode) w.root()).orElseThrow();
    }
    PolicySet set =
        PolicySet.of(
            List.of(policy("reverting", "onDelete: Revert"), policy("other", spec)),
            Set.of("reverting"));

    Decision d = Governor.decide(set, w, Inventory.EMPTY);

    assertThat(d.action()).isEqualTo(Decision.Action.RESTORE);
    assertThat(d.restoring().name()).isEqualTo("reverting");
    assertThat(governing(d)).isEqualTo("other");
    assertThat(d.governingWrites()).isFalse();
  }

  @Test
  void aDeletedRevertPoliciesChangesStayUnderAPolicyThatWrites() {
    PolicySet set =
        PolicySet.of(
            List.of(policy("reverting", "onDelete: Revert"), policy("other", "mode: Enforce")),
            Set.of("reverting"));

    Decision d = Governor.decide(set, remediatedBy("reverting"), Inventory.EMPTY);

    assertThat(d.action()).isEqualTo(Decision.Action.NONE);
    assertThat(d.governingWrites()).isTrue();
  }

  @Test
  void aRevertPolicyTurnedToAuditKeepsItsOwnChanges() {
    Decision d =
        decide(remediatedBy("reverting"), policy("reverting", "onDelete: Revert\nmode: Audit"));

    assertThat(d.action()).isEqualTo(Decision.Action.NONE);
    assertThat(governing(d)).isEqualTo("reverting");
  }

  // ---- a Conflict and the rollout it catches ----

  /**
   * The fix applied twice (the second application still rolling out, its pod label on the
   * template), then set back again: a Conflict, which ends that rollout at once so that it is
   * neither counted as rolling out nor judged later.
   */
  @Test
  void aConflictEndsTheRolloutItCatchesUnderWay() {
    ObjectNode tree = tree(BARE);
    ResolvedPolicy p = policy("p", "{}");
    Decision first = decide(Workload.of(tree).orElseThrow(), p);
    List<Change> fix = first.evaluation().changes();
    ChangeRecord record = ChangeRecord.empty().with(tree, fix, "p", "2026-12-02T08:00:00Z");
    record = record.with(tree, fix, "p", "2026-12-02T08:10:00Z");
    RolloutState second = first.rolloutStart("2026-12-02T08:10:00Z");
    PlanApplier.apply(tree, fix);
    ObjectNode annotations = ((ObjectNode) tree.path("metadata")).putObject("annotations");
    annotations.put(Annotations.CHANGES, record.toJson());
    annotations.put(Annotations.ROLLOUT, second.toJson());
    ((ObjectNode) tree.at("/spec/template/metadata/labels"))
        .put(Annotations.REMEDIATION_LABEL, second.label());
    ((ObjectNode) tree.at("/spec/template/spec/securityContext")).put("runAsNonRoot", false);

    Decision d = decide(Workload.of(tree).orElseThrow(), p);

    assertThat(d.action()).isEqualTo(Decision.Action.CONFLICT);
    assertThat(d.rollout().phase()).isEqualTo(RolloutState.Phase.RollingOut);
    RolloutState ended = d.conflictEnded("2026-12-02T08:20:00Z");
    assertThat(ended.phase()).isEqualTo(RolloutState.Phase.Conflict);
    assertThat(ended.phase().ended()).isTrue();
    assertThat(ended.phase().held()).isFalse();
    assertThat(ended.label()).isEqualTo(second.label());
    Verdict v = Verdict.of(d, RecordedPatch.recordOf(tree), null, "2026-12-02T08:20:00Z");
    assertThat(v.rollout().phase()).isEqualTo(RolloutState.Phase.Conflict);
    assertThat(v.violation().state()).isEqualTo(Verdict.CONFLICT);
  }
}
