package dev.nonroot.operator;

import static dev.nonroot.operator.OperatorHarness.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.nonroot.HostileFixtures;
import dev.nonroot.HostileFixtures.Fixture;
import dev.nonroot.api.NonRootPolicy;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Duration;
import java.util.List;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/**
 * Every hostile policy of src/test/resources/hostile/policies, created as written (the mock server
 * has no schema, like a server whose CRD is older than the policy), gets Valid=False with reason
 * InvalidSpec and a message naming the field its fixture names; a valid policy beside all of them
 * still remediates, and none of them patches anything.
 */
class HostilePolicyTest extends OperatorTestBase {
  private static final YAMLMapper YAML = new YAMLMapper();

  @Test
  void everyHostilePolicyIsInvalidNamingItsFieldAndTheValidOneStillRemediates() throws Exception {
    List<Fixture> fixtures = HostileFixtures.policies();
    harness.apply("/operator/shop.yaml");
    for (Fixture f : fixtures) create(f);
    harness.apply("/operator/policy-enforce.yaml");
    harness.start(Duration.ofSeconds(30));

    eventually(
        () -> harness.policy("baseline"),
        p -> p.getStatus() != null && p.getStatus().getRemediated() == 3);
    SoftAssertions softly = new SoftAssertions();
    for (Fixture f : fixtures) {
      Condition valid = valid(f.name());
      softly.assertThat(valid.getStatus()).as(f.name()).isEqualTo("False");
      softly.assertThat(valid.getReason()).as(f.name()).isEqualTo("InvalidSpec");
      softly.assertThat(valid.getMessage()).as(f.name()).contains(f.says());
    }
    softly.assertAll();
    // Only the valid policy's three workloads were written, once each.
    assertThat(harness.requests.writesUnder("/apis/apps")).isEqualTo(3);
  }

  /** The fixture as written: wrong types and unknown fields reach the operator as they are. */
  private void create(Fixture f) throws Exception {
    ObjectNode policy = (ObjectNode) YAML.readTree(f.text());
    client.raw(
        client.getMasterUrl() + "apis/nonroot.dev/v1alpha1/nonrootpolicies",
        "POST",
        policy.toString());
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
}
