package dev.nonroot.operator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.nonroot.HostileFixtures;
import dev.nonroot.HostileFixtures.Fixture;
import dev.nonroot.api.NonRootPolicyStatus;
import dev.nonroot.api.ViolatingWorkload;
import dev.nonroot.cli.Main;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/**
 * Every odd workload of src/test/resources/hostile/workloads, created as written (the mock server
 * has no schema), beside ordinary ones under one Enforce policy. The operator keeps serving: the
 * ordinary workloads are remediated; an odd one is written at most once, and then exactly as {@code
 * fix} writes it (the whole plan in one patch, never part of it); what cannot be fixed is listed in
 * the policy's status naming the field; a workload without a pod spec is never written.
 */
class HostileWorkloadTest extends OperatorTestBase {
  private static final YAMLMapper YAML = new YAMLMapper();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String DEPLOYMENTS = "/apis/apps/v1/namespaces/odd/deployments";

  @Test
  void oddWorkloadsAreNamedNeverHalfPatchedAndTheOthersAreRemediated() throws Exception {
    List<Fixture> fixtures = HostileFixtures.workloads();
    harness.apply("/operator/shop.yaml");
    client.raw(
        client.getMasterUrl() + "api/v1/namespaces",
        "POST",
        "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"odd\"}}");
    Map<String, JsonNode> created = new HashMap<>();
    for (Fixture f : fixtures) {
      JsonNode workload = YAML.readTree(f.text());
      client.raw(client.getMasterUrl() + DEPLOYMENTS.substring(1), "POST", workload.toString());
      created.put(f.name(), get(f.name()));
    }
    // No rollout budget: no controller finishes the rollouts here, and the budget would hold all
    // but five back.
    harness.apply("/operator/policy-enforce-unbudgeted.yaml");
    harness.start(Duration.ofSeconds(30));

    long judged = fixtures.stream().filter(f -> !f.refused()).count();
    NonRootPolicyStatus status =
        harness.settledStatus(
            "baseline",
            s ->
                s.getMatched() == 3 + judged
                    && s.getPending() == 0
                    && s.getViolating().stream().noneMatch(v -> v.getState().equals("Pending")));
    // The ordinary workloads were remediated beside them.
    assertThat(
            client
                .apps()
                .deployments()
                .inNamespace("shop")
                .withName("web")
                .get()
                .getSpec()
                .getTemplate()
                .getSpec()
                .getSecurityContext()
                .getRunAsNonRoot())
        .isTrue();

    SoftAssertions softly = new SoftAssertions();
    for (Fixture f : fixtures) {
      String path = DEPLOYMENTS + "/" + f.name();
      JsonNode now = get(f.name());
      long writes = harness.requests.writesTo(path);
      if (f.refused()) {
        softly.assertThat(writes).as(f.name() + ": writes").isZero();
        softly
            .assertThat(now.path("spec"))
            .as(f.name())
            .isEqualTo(created.get(f.name()).path("spec"));
        continue;
      }
      softly.assertThat(writes).as(f.name() + ": writes").isLessThanOrEqualTo(1);
      softly
          .assertThat(now.at("/spec/template/spec"))
          .as(f.name() + ": the pod spec is the one fix writes")
          .isEqualTo(fixed(f).at("/spec/template/spec"));
      if (f.fixed()) {
        softly.assertThat(writes).as(f.name() + ": writes").isEqualTo(1);
        softly
            .assertThat(status.getViolating())
            .as(f.name() + ": not listed")
            .noneMatch(v -> v.getName().equals(f.name()));
        continue;
      }
      Optional<ViolatingWorkload> listed =
          status.getViolating().stream().filter(v -> v.getName().equals(f.name())).findFirst();
      softly.assertThat(listed).as(f.name() + ": listed").isPresent();
      listed.ifPresent(
          v -> {
            softly.assertThat(v.getState()).as(f.name() + ": state").isEqualTo("Unresolved");
            softly.assertThat(v.getReason()).as(f.name() + ": reason").contains(f.says());
          });
    }
    softly.assertAll();
    assertThat(status.getViolating()).extracting(ViolatingWorkload::getNamespace).contains("odd");
  }

  private JsonNode get(String name) throws Exception {
    return JSON.readTree(client.raw(client.getMasterUrl() + DEPLOYMENTS.substring(1) + "/" + name));
  }

  /** The workload as {@code fix} writes it, as JSON numbers and strings read back. */
  private static JsonNode fixed(Fixture f) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int exit =
        Main.execute(
            new String[] {"fix", f.path().toString()},
            new ByteArrayInputStream(new byte[0]),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    assertThat(exit).as(f.name() + ": fix").isZero();
    return JSON.readTree(YAML.readTree(out.toString(StandardCharsets.UTF_8)).toString());
  }
}
