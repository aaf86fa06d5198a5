package dev.nonroot.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nonroot.engine.model.Workload;
import dev.nonroot.engine.policy.EffectivePolicy;
import dev.nonroot.engine.policy.PolicyMatcher;
import dev.nonroot.engine.rules.Evaluation;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every case in src/test/resources/engine/cases: the engine's verdict must be exactly the expected
 * one.
 */
class EngineFixtureTest {
  static Stream<Fixture> cases() {
    return Fixture.all();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void engineDoesWhatTheFixtureExpects(Fixture f) {
    FixtureObjects objects = f.objects();
    Optional<Workload> workload = objects.workload();
    if (f.expectsNoWorkload()) {
      assertThat(workload).as("%s: no input document is a workload", f).isEmpty();
      return;
    }
    assertThat(workload).as("%s: the input has a workload", f).isPresent();
    EffectivePolicy policy = f.policy();
    Workload w = workload.get();
    assertThat(PolicyMatcher.matches(policy, w, objects))
        .as("%s: policy matches %s", f, w.ref())
        .isEqualTo(f.expectsMatch());
    if (!f.expectsMatch()) return;

    ObjectNode expected = EvaluationView.expected(f.expect());
    // The one decision the operator and the CLI ask for (the operator's, on the live object).
    Decision decision = Governor.decide(PolicySet.ofValid(List.of(policy)), w, objects);
    Evaluation evaluation = decision.evaluation();
    ObjectNode actual = EvaluationView.alignedTo(EvaluationView.of(decision, f.expect()), expected);
    assertThat(actual)
        .as(
            "%s%n--- expected%n%s--- actual%n%s",
            f, EvaluationView.yaml(expected), EvaluationView.yaml(actual))
        .isEqualTo(expected);
    // Asking may cost the operator a pod LIST: only to choose a runAsUser the plan then sets.
    assertThat(objects.imageUsersAsked()).as("%s: times running pods were asked", f).isLessThan(2);
    if (objects.imageUsersAsked() == 1) {
      assertThat(evaluation.changes())
          .as("%s: running pods were asked, so the plan sets the pod's runAsUser", f)
          .anySatisfy(
              c -> {
                assertThat(c.path().pointer()).endsWith("/spec/securityContext/runAsUser");
                assertThat(c.oldValue()).isNull();
              });
    }
  }
}
