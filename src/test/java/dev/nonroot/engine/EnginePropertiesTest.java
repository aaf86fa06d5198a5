package dev.nonroot.engine;

import static dev.nonroot.api.Annotations.CHANGES;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nonroot.engine.model.ObjectRef;
import dev.nonroot.engine.model.Trees;
import dev.nonroot.engine.model.Workload;
import dev.nonroot.engine.plan.Change;
import dev.nonroot.engine.plan.Finding;
import dev.nonroot.engine.plan.JsonPatchWriter;
import dev.nonroot.engine.plan.Rule;
import dev.nonroot.engine.rules.Evaluation;
import dev.nonroot.engine.rules.Outcome;
import dev.nonroot.engine.rules.RemediationEngine;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Properties every evaluated fixture must have, whatever its expected plan. */
class EnginePropertiesTest {
  static Stream<Fixture> cases() {
    return Fixture.evaluated();
  }

  private record Run(FixtureObjects objects, Workload workload, Evaluation evaluation) {}

  private static Run run(Fixture f) {
    FixtureObjects objects = f.objects();
    Workload w = objects.workload().orElseThrow();
    return new Run(objects, w, RemediationEngine.evaluate(f.policy(), w, objects));
  }

  /** Everything an evaluation says, reasons included. */
  private static String fullText(Evaluation e) {
    StringBuilder b = new StringBuilder(e.outcome() + "\n");
    e.findings().forEach(x -> b.append(x).append('\n'));
    e.changes().forEach(x -> b.append(x).append('\n'));
    e.serviceChanges().forEach(x -> b.append(x).append('\n'));
    e.needsRoot().forEach(x -> b.append(x).append('\n'));
    return b.toString();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void deterministic(Fixture f) {
    assertThat(fullText(run(f).evaluation()))
        .as("%s: second evaluation", f)
        .isEqualTo(fullText(run(f).evaluation()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void evaluationDoesNotTouchItsInput(Fixture f) {
    Run r = run(f);
    assertThat(r.objects().docs()).as("%s: input after evaluate", f).isEqualTo(f.input());
  }

  /**
   * fix∘fix = fix: applying the plan as the operator writes it (Services too, each with its
   * nonroot.dev/changes record) and evaluating again plans nothing. The record is there on the
   * second pass, so the paths that read it (ports an earlier fix moved) are exercised too.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void fixingTwiceChangesNothing(Fixture f) {
    Run r = run(f);
    Workload fixed =
        r.objects().applyRecorded(r.workload(), r.evaluation(), "policy", "2026-01-01T00:00:00Z");
    if (!r.evaluation().changes().isEmpty()) {
      assertThat(fixed.annotations()).as("%s: record after the fix", f).containsKey(CHANGES);
    }
    Evaluation again = RemediationEngine.evaluate(f.policy(), fixed, r.objects());
    assertThat(again.changes()).as("%s: workload changes after the fix", f).isEmpty();
    assertThat(again.serviceChanges()).as("%s: service changes after the fix", f).isEmpty();
    assertThat(again.outcome())
        .as("%s: outcome after the fix", f)
        .isNotEqualTo(Outcome.NonCompliant);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void jsonPatchGivesTheSameObjectsAsPlanApplier(Fixture f) {
    Run r = run(f);
    ObjectNode original = r.workload().root().deepCopy();
    Map<ObjectRef, ObjectNode> originalServices = new LinkedHashMap<>();
    Map<ObjectRef, List<Change>> byService = new LinkedHashMap<>();
    for (Change c : r.evaluation().serviceChanges()) {
      originalServices.computeIfAbsent(c.target(), ref -> r.objects().service(ref).deepCopy());
      byService.computeIfAbsent(c.target(), ref -> new ArrayList<>()).add(c);
    }
    JsonNode patched =
        RfcJsonPatch.apply(
            original, new JsonPatchWriter(original).addAll(r.evaluation().changes()).ops());
    r.objects().apply(r.workload(), r.evaluation());
    assertThat(patched)
        .as("%s: workload after JSON Patch vs PlanApplier", f)
        .isEqualTo(r.workload().root());
    byService.forEach(
        (ref, changes) -> {
          ObjectNode svc = originalServices.get(ref);
          JsonNode viaPatch =
              RfcJsonPatch.apply(svc, new JsonPatchWriter(svc).addAll(changes).ops());
          assertThat(viaPatch)
              .as("%s: %s after JSON Patch vs PlanApplier", f, ref)
              .isEqualTo(r.objects().service(ref));
        });
  }

  /**
   * A change's old value is what the object holds at its path (null when absent): records and undo
   * rely on it.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void oldValuesAreWhatTheObjectHolds(Fixture f) {
    Run r = run(f);
    for (Change c : r.evaluation().changes()) {
      assertThat(Trees.valueAt(r.workload().root(), c.path()))
          .as("%s: old value of %s", f, c.field())
          .isEqualTo(c.oldValue());
      assertThat(c.target()).isEqualTo(r.workload().ref());
    }
    for (Change c : r.evaluation().serviceChanges()) {
      assertThat(Trees.valueAt(r.objects().service(c.target()), c.path()))
          .as("%s: old value of %s %s", f, c.target(), c.field())
          .isEqualTo(c.oldValue());
      assertThat(c.rule()).isEqualTo(Rule.ServiceTargetPort);
    }
  }

  /** Every planned change is the fix of one finding, and the outcome agrees with the plan. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void findingsAndOutcomeAgreeWithThePlan(Fixture f) {
    Evaluation e = run(f).evaluation();
    List<Change> all = new ArrayList<>(e.changes());
    all.addAll(e.serviceChanges());
    assertThat(e.findings().stream().filter(Finding::fixable).map(Finding::fix).toList())
        .as("%s: fixes of findings", f)
        .containsExactlyInAnyOrderElementsOf(all);
    assertThat(e.outcome() == Outcome.NonCompliant)
        .as("%s: NonCompliant iff a plan", f)
        .isEqualTo(e.hasPlan());
    if (e.outcome() == Outcome.Compliant)
      assertThat(e.findings()).as("%s: compliant has no findings", f).isEmpty();
  }
}
