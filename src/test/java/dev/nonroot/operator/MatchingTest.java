package dev.nonroot.operator;

import static dev.nonroot.operator.OperatorHarness.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.nonroot.api.Annotations;
import dev.nonroot.api.MatchSpec;
import dev.nonroot.api.NonRootPolicy;
import dev.nonroot.api.NonRootPolicySpec;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MatchingTest extends OperatorTestBase {

  @BeforeEach
  void setUp() throws Exception {
    harness.apply("/operator/matching.yaml");
  }

  private NonRootPolicy create(String name, Consumer<MatchSpec> match) {
    NonRootPolicy p = new NonRootPolicy();
    p.getMetadata().setName(name);
    NonRootPolicySpec spec = new NonRootPolicySpec();
    MatchSpec m = new MatchSpec();
    match.accept(m);
    spec.setMatch(m);
    p.setSpec(spec);
    return client.resource(p).create();
  }

  private boolean patched(String ns, String name) {
    Deployment d = client.apps().deployments().inNamespace(ns).withName(name).get();
    return d.getMetadata().getAnnotations() != null
        && d.getMetadata().getAnnotations().containsKey(Annotations.CHANGES);
  }

  private NonRootPolicy settled(String name, int matched) {
    return eventually(
        () -> harness.policy(name),
        p ->
            p.getStatus() != null
                && p.getStatus().getMatched() == matched
                && p.getStatus().getViolations() == 0);
  }

  @Test
  void defaultsSkipSystemNamespacesAndHonourExemptions() {
    create("all", m -> {});
    harness.start(Duration.ofSeconds(30));
    // a1, a2, a3 (exempt), s1, b1, q1 (namespace exempt); kube-system is excluded by default.
    NonRootPolicy p = settled("all", 6);
    assertThat(p.getStatus().getExempt()).isEqualTo(2);
    assertThat(p.getStatus().getRemediated()).isEqualTo(4);
    assertThat(patched("team-a", "a1")).isTrue();
    assertThat(patched("team-a", "a3")).isFalse();
    assertThat(patched("quiet", "q1")).isFalse();
    assertThat(patched("kube-system", "sys1")).isFalse();
  }

  @Test
  void namespaceSelectorLabelSelectorAndKindsNarrowTheScope() {
    create(
        "narrow",
        m -> {
          m.setKinds(List.of("Deployment"));
          m.setNamespaceSelector(new LabelSelectorBuilder().addToMatchLabels("team", "a").build());
          m.setSelector(
              new LabelSelectorBuilder()
                  .addNewMatchExpression()
                  .withKey("tier")
                  .withOperator("In")
                  .withValues("web")
                  .endMatchExpression()
                  .build());
        });
    harness.start(Duration.ofSeconds(30));
    // a1 and a3 (exempt): team-a Deployments with tier=web. Not a2 (batch), s1 (kind), b1
    // (namespace).
    NonRootPolicy p = settled("narrow", 2);
    assertThat(p.getStatus().getExempt()).isEqualTo(1);
    assertThat(patched("team-a", "a1")).isTrue();
    assertThat(patched("team-a", "a2")).isFalse();
    assertThat(patched("team-b", "b1")).isFalse();
    StatefulSet s1 = client.apps().statefulSets().inNamespace("team-a").withName("s1").get();
    assertThat(s1.getMetadata().getAnnotations()).isNullOrEmpty();
  }

  @Test
  void higherPriorityActsAndBothStatusesShowTheOverlap() {
    NonRootPolicy low = create("a-low", m -> m.setNamespaces(List.of("team-a")));
    NonRootPolicy high = new NonRootPolicy();
    high.getMetadata().setName("z-high");
    high.setSpec(new NonRootPolicySpec());
    high.getSpec().setPriority(10);
    high.getSpec().setMode("Audit");
    MatchSpec m = new MatchSpec();
    m.setNamespaces(List.of("team-a"));
    high.getSpec().setMatch(m);
    client.resource(high).create();
    harness.start(Duration.ofSeconds(30));

    NonRootPolicy h =
        eventually(
            () -> harness.policy("z-high"),
            p -> p.getStatus() != null && p.getStatus().getMatched() == 4);
    NonRootPolicy l =
        eventually(
            () -> harness.policy("a-low"),
            p -> p.getStatus() != null && p.getStatus().getMatched() == 4);
    assertThat(l.getStatus().getOverridden()).isEqualTo(4);
    assertThat(h.getStatus().getOverridden()).isZero();
    assertThat(h.getStatus().getViolations()).isEqualTo(3);
    for (NonRootPolicy p : List.of(h, l)) {
      assertThat(p.getStatus().getConditions())
          .anySatisfy(
              c -> {
                assertThat(c.getType()).isEqualTo("Overlapping");
                assertThat(c.getStatus()).isEqualTo("True");
              });
    }
    // The Audit policy wins, so nothing in team-a is written.
    assertThat(patched("team-a", "a1")).isFalse();
    assertThat(low.getMetadata().getName()).isEqualTo("a-low");
  }

  @Test
  void liftingAnExemptionRemediatesWithoutWaitingForAResync() {
    create("all", m -> {});
    harness.start(Duration.ofMinutes(10));
    settled("all", 6);
    assertThat(patched("team-a", "a3")).isFalse();
    // An annotation change bumps no generation; the operator must still react to it.
    client
        .apps()
        .deployments()
        .inNamespace("team-a")
        .withName("a3")
        .edit(
            d -> {
              d.getMetadata().getAnnotations().remove(Annotations.EXEMPT);
              return d;
            });
    eventually(() -> patched("team-a", "a3"), p -> p);
    NonRootPolicy p =
        eventually(
            () -> harness.policy("all"),
            x -> x.getStatus().getExempt() == 1 && x.getStatus().getRemediated() == 5);
    assertThat(p.getStatus().getViolations()).isZero();
  }
}
