package dev.nonroot.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nonroot.api.NonRootPolicyStatus;
import dev.nonroot.bench.Fleet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The operator's own writes are in its caches before their watch events arrive: a slow watch does
 * not make it plan a fix again on the version before.
 */
class LaggingWatchTest extends FaultyServerTestBase {
  private static final int WORKLOADS = 40;

  @Test
  void eachMovedServiceIsPatchedOnceWhileTheWatchLags() throws Exception {
    createFleet(0, WORKLOADS);
    harness.apply("/operator/policy-enforce-unbudgeted.yaml");
    faults.delayWatchEvents(Duration.ofSeconds(2));
    harness.start(Duration.ofMinutes(10));
    converged(WORKLOADS, Duration.ofMinutes(2));
    assertEveryChangeRecordedOnce();

    // Answers to the operator's PATCH requests, per Service: one, accepted.
    Map<String, List<Integer>> answers = new TreeMap<>();
    for (int i = 0; i < WORKLOADS; i++) {
      if (Fleet.web(i)) answers.put("app-" + i, faults.answersTo(servicePath(i)));
    }
    assertThat(answers)
        .hasSize(Fleet.webCount(WORKLOADS))
        .allSatisfy((svc, codes) -> assertThat(codes).as(svc).containsExactly(200));
    assertThat(harness.metrics().get(OperatorMetrics.CONFLICTS)).isZero();
  }

  /**
   * A remediation is decided again from the patch's response: the status shows it once the API
   * server accepts it, not once its watch event has come back (here: long after the test).
   */
  @Test
  void theStatusShowsARemediationWithoutWaitingForItsWatchEvent() throws Exception {
    createFleet(0, 8);
    harness.apply("/operator/policy-enforce-unbudgeted.yaml");
    faults.delayWatchEvents(Duration.ofMinutes(5));
    // Nor from a later look: the fallback look after a patch comes after the test.
    harness.start(
        NonRootOperator.Settings.defaults()
            .withPatchesPerSecond(0)
            .withRolloutPoll(Duration.ofMinutes(5)));
    NonRootPolicyStatus status = converged(8, Duration.ofSeconds(60));
    assertThat(status.getRollingOut()).isEqualTo(8);
    assertThat(status.getWorkloadChanges()).isNotEmpty();
    assertThat(patchedWorkloads()).isEqualTo(8);
  }
}
