package dev.nonroot.operator;

import static dev.nonroot.operator.OperatorHarness.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.nonroot.api.NonRootPolicy;
import dev.nonroot.api.SecurityContextSpec;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * An edit that makes a higher-priority Audit policy invalid must not hand its workloads to a
 * lower-priority Enforce policy: the invalid policy holds them with its last valid spec.
 */
class HeldPolicyTest extends OperatorTestBase {

  private static Optional<Condition> condition(NonRootPolicy p, String type) {
    if (p.getStatus() == null) return Optional.empty();
    return p.getStatus().getConditions().stream().filter(c -> c.getType().equals(type)).findFirst();
  }

  /** The shop's three workloads, an Enforce policy, and above it the Audit policy "hold". */
  private void startWithAnAuditPolicyHoldingTheShop() throws Exception {
    harness.apply("/operator/shop.yaml");
    harness.apply("/operator/policy-enforce.yaml");
    NonRootPolicy audit = new NonRootPolicy();
    audit.getMetadata().setName("hold");
    audit.getSpec().setMode("Audit");
    audit.getSpec().setPriority(10);
    client.resource(audit).create();
    harness.start(Duration.ofSeconds(1));
  }

  /** A capability name with a dash: the CRD schema now refuses it; the mock lets it through. */
  private void makeTheAuditPolicyInvalid() {
    harness.editPolicy(
        "hold",
        p -> {
          p.getSpec().setSecurityContext(new SecurityContextSpec());
          p.getSpec().getSecurityContext().setDropCapabilities(List.of("NET-RAW"));
          return p;
        });
  }

  /** Waits until no status write for the policy has been sent for three seconds. */
  private void statusWritesStop(String name) {
    var seen = new AtomicLong(-1);
    await()
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(15))
        .until(
            () -> {
              long writes =
                  harness.requests.count(
                      r ->
                          r.isWrite() && r.path().endsWith("/nonrootpolicies/" + name + "/status"));
              return seen.getAndSet(writes) == writes;
            });
  }

  @Test
  void anAuditPolicyMadeInvalidByAnEditKeepsHoldingItsWorkloads() throws Exception {
    startWithAnAuditPolicyHoldingTheShop();

    eventually(
        () -> harness.policy("hold"),
        p -> p.getStatus() != null && p.getStatus().getViolations() == 3);
    eventually(
        () -> harness.policy("baseline"),
        p -> p.getStatus() != null && p.getStatus().getOverridden() == 3);
    assertThat(harness.requests.writesUnder("/apis/apps")).isZero();

    makeTheAuditPolicyInvalid();

    NonRootPolicy held =
        eventually(
            () -> harness.policy("hold"),
            p -> condition(p, "Valid").map(c -> c.getStatus().equals("False")).orElse(false));
    assertThat(condition(held, "Valid").orElseThrow().getMessage())
        .contains("dropCapabilities")
        .contains("holds 3 workloads with its last valid spec");
    await()
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(5))
        .until(() -> harness.requests.writesUnder("/apis/apps") == 0);
    assertThat(harness.policy("baseline").getStatus().getRemediated()).isZero();
    // Resyncs every second fold the same held status: it is written once, not on every pass.
    statusWritesStop("hold");
  }

  @Test
  void aRestartedOperatorKeepsHoldingWithTheSpecKeptInTheStatus() throws Exception {
    startWithAnAuditPolicyHoldingTheShop();
    eventually(
        () -> harness.policy("baseline"),
        p -> p.getStatus() != null && p.getStatus().getOverridden() == 3);
    makeTheAuditPolicyInvalid();
    NonRootPolicy held =
        eventually(
            () -> harness.policy("hold"),
            p -> p.getStatus() != null && p.getStatus().getHeldSpec() != null);
    assertThat(held.getStatus().getHeldSpec().getMode()).isEqualTo("Audit");
    assertThat(held.getStatus().getHeldGeneration()).isEqualTo(1L);

    harness.stop();
    harness.start(Duration.ofSeconds(1));

    // The fresh instance never saw the valid spec: it takes it from the status, and the Enforce
    // policy still patches nothing.
    eventually(
        () -> harness.policy("hold"),
        p ->
            condition(p, "Valid")
                .map(c -> c.getMessage().contains("holds 3 workloads with its last valid spec"))
                .orElse(false));
    await()
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(5))
        .until(() -> harness.requests.writesUnder("/apis/apps") == 0);
    assertThat(harness.policy("baseline").getStatus().getRemediated()).isZero();
    statusWritesStop("hold");

    // Fixed: the held spec leaves the status.
    harness.editPolicy(
        "hold",
        p -> {
          p.getSpec().getSecurityContext().setDropCapabilities(List.of("ALL"));
          return p;
        });
    eventually(
        () -> harness.policy("hold"),
        p ->
            condition(p, "Valid").map(c -> c.getStatus().equals("True")).orElse(false)
                && p.getStatus().getHeldSpec() == null);
  }
}
