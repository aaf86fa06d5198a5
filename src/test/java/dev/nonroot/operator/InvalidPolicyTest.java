package dev.nonroot.operator;

import static dev.nonroot.operator.OperatorHarness.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.nonroot.api.NonRootPolicy;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InvalidPolicyTest extends OperatorTestBase {

  @Test
  void anInvalidPolicyIsReportedPatchesNothingAndLeavesOthersAlone() throws Exception {
    harness.apply("/operator/shop.yaml");
    // What a real API server's schema would refuse; the mock accepts it, so the operator must cope.
    GenericKubernetesResource bad = new GenericKubernetesResource();
    bad.setApiVersion("nonroot.dev/v1alpha1");
    bad.setKind("NonRootPolicy");
    bad.setMetadata(new ObjectMetaBuilder().withName("broken").build());
    bad.setAdditionalProperties(
        Map.of(
            "spec", Map.of("mode", "Enforcing", "priority", 100, "ports", Map.of("offset", -1))));
    client.resource(bad).create();
    harness.start(Duration.ofSeconds(30));

    NonRootPolicy broken =
        eventually(
            () -> harness.policy("broken"),
            p -> p.getStatus() != null && !p.getStatus().getConditions().isEmpty());
    assertThat(broken.getStatus().getConditions())
        .anySatisfy(
            c -> {
              assertThat(c.getType()).isEqualTo("Valid");
              assertThat(c.getStatus()).isEqualTo("False");
              assertThat(c.getReason()).isEqualTo("InvalidSpec");
              assertThat(c.getMessage())
                  .contains("spec.mode")
                  .contains("Enforcing")
                  .contains("spec.ports.offset");
              assertThat(c.getObservedGeneration()).isEqualTo(broken.getMetadata().getGeneration());
            });
    assertThat(harness.requests.writesUnder("/apis/apps")).isZero();

    harness.apply("/operator/policy-enforce.yaml");
    NonRootPolicy good =
        eventually(
            () -> harness.policy("baseline"),
            p -> p.getStatus() != null && p.getStatus().getRemediated() == 3);
    assertThat(good.getStatus().getConditions())
        .anySatisfy(
            c -> {
              assertThat(c.getType()).isEqualTo("Valid");
              assertThat(c.getStatus()).isEqualTo("True");
            });
  }
}
