package dev.nonroot.engine;

import static dev.nonroot.engine.EngineInputs.policy;
import static dev.nonroot.engine.EngineInputs.tree;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nonroot.api.Annotations;
import dev.nonroot.api.PortStrategy;
import dev.nonroot.engine.model.Inventory;
import dev.nonroot.engine.model.NamespaceInfo;
import dev.nonroot.engine.model.Workload;
import dev.nonroot.engine.plan.Change;
import dev.nonroot.engine.plan.Rule;
import dev.nonroot.engine.policy.ResolvedPolicy;
import dev.nonroot.engine.record.ChangeRecord;
import dev.nonroot.engine.record.RecordedPatch;
import dev.nonroot.engine.rollout.Reversion;
import dev.nonroot.engine.rollout.RolloutState;
import dev.nonroot.engine.rollout.TemplateHash;
import dev.nonroot.engine.status.Verdict;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A remediation's whole life on one workload, through the engine's own writes applied as a real API
 * server applies JSON Patch: patch → followed → failed → reverted to exactly the template it broke
 * → not applied again → rescued once with the ports kept → held; and what re-arms it.
 */
class RolloutLifecycleTest {
  /** httpbin-like: its listen setting PORT lets Auto move port 80. */
  private static final String MOVABLE =
      """
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web, namespace: shop, resourceVersion: "10", generation: 3}
      spec:
        selector: {matchLabels: {app: web}}
        template:
          metadata: {labels: {app: web}}
          spec:
            containers:
            - name: web
              image: kennethreitz/httpbin
              env: [{name: PORT, value: "80"}]
              ports: [{containerPort: 80}]
      """;

  /** nginx reads its port from nginx.conf: Auto keeps 80 with the sysctl. */
  private static final String NGINX =
      """
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: intranet, namespace: legacy, resourceVersion: "5", generation: 1}
      spec:
        selector: {matchLabels: {app: intranet}}
        template:
          metadata: {labels: {app: intranet}}
          spec:
            containers:
            - {name: nginx, image: "nginx:1.27", ports: [{containerPort: 80}]}
      """;

  /** MOVABLE with a readiness probe on its port. */
  private static final String MOVABLE_WITH_PROBE =
      MOVABLE.replace(
          "ports: [{containerPort: 80}]",
          "ports: [{containerPort: 80}]\n        readinessProbe: {httpGet: {path: /, port: 80}}");

  private static final ResolvedPolicy BASELINE = policy("baseline", "");
  private static final String T1 = "2026-12-02T10:00:00Z";
  private static final String T2 = "2026-12-02T10:05:00Z";
  private static final String T3 = "2026-12-02T10:06:00Z";
  private static final String T4 = "2026-12-02T10:11:00Z";
  private static final String T5 = "2026-12-02T10:12:00Z";
  private static final String T6 = "2026-12-02T10:17:00Z";

  private static Decision decide(JsonNode object) {
    return OperatorWrites.decide(BASELINE, object);
  }

  /** What the operator writes for a PATCH decision, applied. */
  private static ObjectNode remediate(JsonNode object, String now) {
    return OperatorWrites.remediate(BASELINE, object, now);
  }

  /** What the operator writes when the rollout under way failed, applied. */
  private static ObjectNode revert(JsonNode object, String now) {
    return OperatorWrites.revert(object, "pod web-1 container web: back-off", now);
  }

  private static JsonNode template(JsonNode object) {
    return object.path("spec").path("template");
  }

  @Test
  void theRemediationStartsAFollowedRolloutAndTheRevertRestoresTheTemplateExactly() {
    ObjectNode original = tree(MOVABLE);
    ObjectNode patched = remediate(original, T1);

    RolloutState started = RolloutState.of(patched).orElseThrow();
    assertThat(started.phase()).isEqualTo(RolloutState.Phase.RollingOut);
    assertThat(started.movedPorts()).isTrue();
    assertThat(started.template()).isEqualTo(TemplateHash.of(template(original)));
    assertThat(
            template(patched).path("metadata").path("labels").path(Annotations.REMEDIATION_LABEL))
        .hasToString('"' + started.label() + '"');
    assertThat(patched.at("/spec/template/spec/containers/0/ports/0/containerPort").asInt())
        .isEqualTo(8080);
    // While it rolls out, the workload is followed, not patched again.
    assertThat(decide(patched).action()).isEqualTo(Decision.Action.FOLLOW);

    ObjectNode reverted = revert(patched, T2);

    assertThat(template(reverted)).isEqualTo(template(original));
    RolloutState state = RolloutState.of(reverted).orElseThrow();
    assertThat(state.phase()).isEqualTo(RolloutState.Phase.Reverted);
    assertThat(state.reason()).isEqualTo("CrashLoopBackOff");
    ChangeRecord record = RecordedPatch.recordOf(reverted);
    assertThat(record.entries()).isNotEmpty().allMatch(ChangeRecord.Entry::reverted);
    // The status lists each field as put back, from the value the remediation wrote.
    assertThat(Verdict.patchedBy(decide(reverted).workload().ref(), record).get("baseline"))
        .anySatisfy(
            l -> {
              assertThat(l.change().getAction()).isEqualTo("Reverted");
              assertThat(l.change().getField()).endsWith("ports[0].containerPort");
              assertThat(l.change().getFrom()).isEqualTo("8080");
              assertThat(l.change().getTo()).isEqualTo("80");
            });
  }

  @Test
  void aRemediationThatMovedPortsIsRescuedOnceWithTheSysctlThenHeld() {
    ObjectNode reverted = revert(remediate(tree(MOVABLE), T1), T2);

    Decision rescue = decide(reverted);
    assertThat(rescue.action()).isEqualTo(Decision.Action.PATCH);
    assertThat(rescue.attempt()).isEqualTo(2);
    assertThat(rescue.governing().portStrategy()).isEqualTo(PortStrategy.Sysctl);
    assertThat(rescue.evaluation().changes())
        .extracting(Change::rule)
        .contains(Rule.PortSysctl)
        .doesNotContain(Rule.PortRemap, Rule.ListenSetting);

    ObjectNode rescued = remediate(reverted, T3);
    assertThat(RolloutState.of(rescued).orElseThrow().attempt()).isEqualTo(2);
    ObjectNode again = revert(rescued, T4);

    assertThat(template(again)).isEqualTo(template(tree(MOVABLE)));
    Decision held = decide(again);
    assertThat(held.action()).isEqualTo(Decision.Action.HELD);
    Verdict v = Verdict.of(held, RecordedPatch.recordOf(again), null, T4);
    assertThat(v.violation().state()).isEqualTo("Reverted");
    assertThat(v.violation().reason()).contains("CrashLoopBackOff", "not applied again");
  }

  @Test
  void aRemediationThatKeptItsPortsIsHeldAtOnce() {
    ObjectNode reverted = revert(remediate(tree(NGINX), T1), T2);

    assertThat(RolloutState.of(reverted).orElseThrow().movedPorts()).isFalse();
    assertThat(decide(reverted).action()).isEqualTo(Decision.Action.HELD);
  }

  @Test
  void aNewTemplateFromTheUserReArmsIt() {
    ObjectNode reverted = revert(remediate(tree(NGINX), T1), T2);
    ((ObjectNode) reverted.at("/spec/template/spec/containers/0")).put("image", "nginx:1.28");

    Decision d = decide(reverted);
    assertThat(d.action()).isEqualTo(Decision.Action.PATCH);
    assertThat(d.attempt()).isEqualTo(1);
  }

  /**
   * {@code kubectl rollout restart} (and tools that restart on a ConfigMap change) only stamps the
   * template with a restart time: the template is otherwise the one the change broke. Re-arming on
   * it re-applies the broken change on every restart: a failing rollout and a revert each time.
   */
  @Test
  void aRestartOfTheSameTemplateDoesNotReArmIt() {
    ObjectNode reverted = revert(remediate(tree(NGINX), T1), T2);
    ((ObjectNode) reverted.at("/spec/template/metadata"))
        .putObject("annotations")
        .put("kubectl.kubernetes.io/restartedAt", "2026-12-03T04:00:00Z");

    assertThat(decide(reverted).action()).isEqualTo(Decision.Action.HELD);
  }

  /**
   * An admin's emergency brake while the operator follows its rollout: {@code kubectl rollout undo}
   * puts the old ReplicaSet's template back, which is exactly the template before the patch (the
   * state's hash). Taken as drift, the change is applied again at once, and the rollout the admin
   * just stopped starts over.
   */
  @Test
  void aRolloutUndoneByAnAdminIsNotAppliedAgain() {
    ObjectNode original = tree(NGINX);
    ObjectNode patched = remediate(original, T1);
    ObjectNode undone = patched.deepCopy();
    ((ObjectNode) undone.path("spec")).set("template", template(original).deepCopy());

    assertThat(decide(undone).action()).isNotEqualTo(Decision.Action.PATCH);
  }

  @Test
  void removingTheRolloutAnnotationReArmsIt() {
    ObjectNode reverted = revert(remediate(tree(NGINX), T1), T2);
    ((ObjectNode) reverted.path("metadata").path("annotations")).remove(Annotations.ROLLOUT);

    assertThat(decide(reverted).action()).isEqualTo(Decision.Action.PATCH);
  }

  @Test
  void aFieldSomeoneChangedSinceIsLeftAndNamed() {
    ObjectNode patched = remediate(tree(NGINX), T1);
    ((ObjectNode) patched.at("/spec/template/spec/securityContext")).put("runAsUser", 1234);
    RolloutState state = RolloutState.of(patched).orElseThrow();

    Reversion back =
        Reversion.of(
            Workload.of(patched).orElseThrow().ref(),
            patched,
            RecordedPatch.recordOf(patched),
            state.policy(),
            state.started());
    ObjectNode reverted = revert(patched, T2);

    assertThat(back.kept())
        .extracting(ChangeRecord.Entry::field)
        .containsExactly("spec.template.spec.securityContext.runAsUser");
    assertThat(reverted.at("/spec/template/spec/securityContext/runAsUser").asInt())
        .isEqualTo(1234);
    assertThat(reverted.at("/spec/template/spec/securityContext/runAsNonRoot").isMissingNode())
        .isTrue();
  }

  @Test
  void aRolloutSomeoneReplacedIsNotFollowed() {
    ObjectNode patched = remediate(tree(NGINX), T1);
    ((ObjectNode) patched.at("/spec/template/metadata/labels"))
        .remove(Annotations.REMEDIATION_LABEL);

    assertThat(decide(patched).action()).isNotEqualTo(Decision.Action.FOLLOW);
  }

  /**
   * A Helm chart's {@code securityContext: {}} (the default of {@code helm create}) is part of the
   * template the user wrote, and the API server keeps it on a container. A revert that prunes it
   * gives a template the Deployment controller does not recognise as the old ReplicaSet's (a nil
   * and an empty securityContext differ to it), so the revert rolls the whole workload once more.
   */
  @Test
  void aRevertKeepsTheEmptySecurityContextTheUserWrote() {
    ObjectNode original =
        tree(
            NGINX.replace(
                "ports: [{containerPort: 80}]}",
                "ports:" + " [{containerPort: 80}], securityContext: {}}"));
    assertThat(original.at("/spec/template/spec/containers/0/securityContext").isObject()).isTrue();

    ObjectNode reverted = revert(remediate(original, T1), T2);

    assertThat(template(reverted)).isEqualTo(template(original));
  }

  /**
   * A user puts back the original manifest (kubectl apply merges ports by number: 80 comes back
   * beside 8080, the probe and PORT back on 80); the operator's re-fix removes the duplicate 80 and
   * moves the probe and PORT again. If that rollout fails, the revert must give the template it
   * patched back, the duplicate item included where it stood: otherwise it is not the template the
   * state names, and the same re-fix is applied (and rolled out) once more instead of the rescue.
   */
  @Test
  void aRevertPutsBackARemovedDuplicatePortItem() {
    ObjectNode remediated = remediate(tree(MOVABLE_WITH_PROBE), T1);
    ObjectNode reapplied = remediated.deepCopy();
    ObjectNode web = (ObjectNode) reapplied.at("/spec/template/spec/containers/0");
    ((ObjectNode) web.at("/env/0")).put("value", "80");
    ((ArrayNode) web.get("ports")).addObject().put("containerPort", 80);
    ((ObjectNode) web.at("/readinessProbe/httpGet")).put("port", 80);
    ObjectNode before = reapplied.deepCopy();

    ObjectNode refixed = remediate(reapplied, T3);
    assertThat(refixed.at("/spec/template/spec/containers/0/ports").size()).isEqualTo(1);
    ObjectNode reverted = revert(refixed, T4);

    assertThat(template(reverted)).isEqualTo(template(before));
    // The state knows this template: the same re-fix is not applied again. It moved the port's
    // references, so it gets its one rescue with the ports kept, and is held after that.
    Decision rescue = decide(reverted);
    assertThat(rescue.action()).isEqualTo(Decision.Action.PATCH);
    assertThat(rescue.attempt()).isEqualTo(2);
    assertThat(rescue.governing().portStrategy()).isEqualTo(PortStrategy.Sysctl);
    ObjectNode again = revert(remediate(reverted, T5), T6);
    assertThat(template(again)).isEqualTo(template(before));
    assertThat(decide(again).action()).isEqualTo(Decision.Action.HELD);
  }

  /**
   * The annotation is on the object for anyone to edit: a state whose start is unreadable cannot be
   * timed, so it is damaged and followed by nobody (following it threw on every look, kept the
   * workload RollingOut for ever and held a slot of the rollout budget).
   */
  @Test
  void aRolloutStateWithAnUnreadableStartIsDamaged() {
    ObjectNode patched = remediate(tree(NGINX), T1);
    RolloutState state = RolloutState.of(patched).orElseThrow();
    String damaged = state.toJson().replace(T1, "yesterday");
    ((ObjectNode) patched.path("metadata").path("annotations")).put(Annotations.ROLLOUT, damaged);

    assertThat(RolloutState.of(patched)).isEmpty();
    assertThat(decide(patched).action()).isEqualTo(Decision.Action.NONE);
  }

  @Test
  void aDamagedRolloutAnnotationHoldsNothingBack() {
    ObjectNode original = tree(NGINX);
    ((ObjectNode) original.get("metadata"))
        .putObject("annotations")
        .put(Annotations.ROLLOUT, "{not json");

    assertThat(decide(original).action()).isEqualTo(Decision.Action.PATCH);
  }

  @Test
  void aDecisionThatWritesNothingNeverListsRunningPods() {
    Inventory failing =
        new Inventory() {
          @Override
          public List<ObjectNode> services(String namespace) {
            return List.of();
          }

          @Override
          public Optional<NamespaceInfo> namespace(String n) {
            return Optional.empty();
          }

          @Override
          public Map<String, Long> imageUsers(Workload workload) {
            throw new AssertionError("listed running pods for a decision that writes nothing");
          }
        };
    Decision audit =
        Governor.decide(
            PolicySet.of(List.of(policy("audit", "mode: Audit"))),
            Workload.of(tree(NGINX)).orElseThrow(),
            failing);

    assertThat(audit.action()).isEqualTo(Decision.Action.WOULD_PATCH);
  }
}
