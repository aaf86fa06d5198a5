package dev.nonroot.operator;

import static dev.nonroot.operator.OperatorHarness.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.nonroot.api.NonRootPolicy;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Policies the typed model cannot read (a real API server stores an int64 priority; the mock stores
 * anything) never stop the operator: a bad policy is Valid=False naming the field, and the other
 * policies are served as usual.
 */
class UnreadablePolicyTest extends OperatorTestBase {

  private void rawPolicy(String name, String spec) {
    GenericKubernetesResource r =
        client
            .getKubernetesSerialization()
            .unmarshal(
                "{\"apiVersion\":\"nonroot.dev/v1alpha1\",\"kind\":\"NonRootPolicy\",\"metadata\":{\"name\":\""
                    + name
                    + "\"},\"spec\":"
                    + spec
                    + "}");
    client.genericKubernetesResources("nonroot.dev/v1alpha1", "NonRootPolicy").resource(r).create();
  }

  private Condition valid(String policy) {
    NonRootPolicy p =
        eventually(
            () -> harness.policy(policy),
            x -> x.getStatus() != null && !x.getStatus().getConditions().isEmpty());
    return p.getStatus().getConditions().stream()
        .filter(c -> c.getType().equals("Valid"))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void unreadablePoliciesAreInvalidAndTheOthersKeepWorking() throws Exception {
    harness.apply("/operator/shop.yaml");
    rawPolicy("huge-priority", "{\"mode\":\"Enforce\",\"priority\":3000000000}");
    rawPolicy("typo", "{\"mode\":\"Enforce\",\"priority\":5,\"match\":{\"namespaces\":\"t11\"}}");
    harness.apply("/operator/policy-enforce.yaml");
    harness.start(Duration.ofSeconds(30));

    eventually(
        () -> harness.policy("baseline"),
        p -> p.getStatus() != null && p.getStatus().getRemediated() == 3);
    Condition huge = valid("huge-priority");
    assertThat(huge.getStatus()).isEqualTo("False");
    assertThat(huge.getMessage()).contains("spec.priority").contains("3000000000");
    Condition typo = valid("typo");
    assertThat(typo.getStatus()).isEqualTo("False");
    assertThat(typo.getMessage()).contains("spec.match.namespaces");

    // One more arriving while the operator runs (a watch event, not the initial list).
    rawPolicy("late", "{\"securityContext\":{\"runAsUser\":\"root\"}}");
    assertThat(valid("late").getMessage()).contains("spec.securityContext.runAsUser");
    client
        .apps()
        .deployments()
        .inNamespace("shop")
        .resource(
            client
                .getKubernetesSerialization()
                .unmarshal(
                    """
                    {"apiVersion":"apps/v1","kind":"Deployment",
                     "metadata":{"name":"newcomer","namespace":"shop"},
                     "spec":{"selector":{"matchLabels":{"app":"newcomer"}},
                      "template":{"metadata":{"labels":{"app":"newcomer"}},
                       "spec":{"containers":[{"name":"app","image":"busybox"}]}}}}
                    """,
                    Deployment.class))
        .create();
    eventually(
        () -> client.apps().deployments().inNamespace("shop").withName("newcomer").get(),
        d ->
            Boolean.TRUE.equals(
                d.getSpec().getTemplate().getSpec().getSecurityContext() == null
                    ? null
                    : d.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsNonRoot()));
  }
}
