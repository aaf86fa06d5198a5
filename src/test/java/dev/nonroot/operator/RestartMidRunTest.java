package dev.nonroot.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.nonroot.api.Annotations;
import dev.nonroot.api.NonRootPolicyStatus;
import dev.nonroot.bench.Fleet;
import dev.nonroot.engine.rollout.RolloutState;
import dev.nonroot.engine.rollout.RolloutState.Phase;
import dev.nonroot.kubesim.RolloutSimulator;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/**
 * Issue 11, "restart safety": an operator stopped in the middle of its work, and a fresh instance
 * started against the same server, finish it as one uninterrupted instance would: every workload
 * patched exactly once across both, and the status rebuilt from the records.
 */
class RestartMidRunTest extends FaultyServerTestBase {
  private static final int WORKLOADS = 1000;

  private static NonRootOperator.Settings settings() {
    return NonRootOperator.Settings.defaults()
        .withResyncPeriod(Duration.ofMinutes(10))
        .withPatchesPerSecond(0)
        .withRolloutPoll(Duration.ofMillis(500));
  }

  @Test
  void aFreshInstanceFinishesTheRunWithoutPatchingAnythingTwice() throws Exception {
    createFleet(0, WORKLOADS);
    harness.apply("/operator/policy-enforce-unbudgeted.yaml");
    harness.start(settings());
    await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> patchedWorkloads() >= 300);
    harness.stop();
    // A stop lets the writes under way finish: one still in flight could land after the next
    // instance has read the cluster, which would then plan on what is no longer there.
    assertThat(faults.counts().writes())
        .as("writes of the stopped instance that reached the server")
        .isEqualTo(harness.requests.count(RequestLog.Request::isWrite));
    long byTheFirst = patchedWorkloads();
    assertThat(byTheFirst).as("stopped in the middle").isBetween(300L, WORKLOADS - 100L);

    harness.start(settings());
    NonRootPolicyStatus status = converged(WORKLOADS, Duration.ofMinutes(3));

    // Client side, both instances: one PATCH request per workload and per moved Service.
    Map<String, Long> patches =
        harness.requests.matching(RequestLog.Request::isWrite).stream()
            .collect(Collectors.groupingBy(RequestLog.Request::path, Collectors.counting()));
    SoftAssertions soft = new SoftAssertions();
    for (int i = 0; i < WORKLOADS; i++) {
      soft.assertThat(patches.get(deploymentPath(i)))
          .as("PATCH requests to app-%d", i)
          .isEqualTo(1);
      if (Fleet.web(i)) {
        soft.assertThat(patches.get(servicePath(i)))
            .as("PATCH requests to Service app-%d", i)
            .isEqualTo(1);
      }
    }
    soft.assertAll();
    // What an uninterrupted run ends with: every rollout started and still followed (no
    // controller acts in this test), nothing failed, waiting or violating.
    assertThat(status.getRollingOut()).isEqualTo(WORKLOADS);
    assertThat(status.getViolations()).isZero();
    assertThat(status.getVerified() + status.getReverted() + status.getUnverified()).isZero();
    assertEveryChangeRecordedOnce();
  }

  /** One in ten fails its rollout (a crash of the changed pods) and must be put back. */
  private static boolean crashes(int i) {
    return i % 10 == 0;
  }

  @Test
  void aRestartedOperatorEndsEveryRolloutItStartedExactlyOnce() throws Exception {
    int n = 60;
    createFleet(
        0,
        n,
        d -> {
          int i = Integer.parseInt(d.getMetadata().getName().substring("app-".length()));
          if (crashes(i)) {
            d.getMetadata()
                .setAnnotations(
                    Map.of(
                        RolloutSimulator.FAIL_ANNOTATION,
                        "CrashLoopBackOff: mkdir /var/cache/app: permission denied"));
          }
          return d;
        });
    harness.apply("/operator/policy-enforce-unbudgeted.yaml");
    harness.start(settings());
    // No controller yet: every rollout the first instance starts is still RollingOut when it stops.
    await()
        .atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> patchedWorkloads() >= n / 2);
    harness.stop();
    Set<Integer> followedByTheFirst =
        IntStream.range(0, n)
            .filter(i -> phase(deployment(i)).filter(p -> p == Phase.RollingOut).isPresent())
            .boxed()
            .collect(Collectors.toSet());
    assertThat(followedByTheFirst).hasSizeGreaterThanOrEqualTo(n / 2);

    try (RolloutSimulator cluster =
        new RolloutSimulator(client, Clock.systemUTC(), Duration.ofMillis(200)).start()) {
      harness.start(settings());
      Map<Integer, Phase> expected = new TreeMap<>();
      for (int i = 0; i < n; i++) expected.put(i, crashes(i) ? Phase.Reverted : Phase.Verified);
      await()
          .atMost(Duration.ofMinutes(2))
          .pollInterval(Duration.ofMillis(250))
          .until(() -> phases(n), expected::equals);
      long reverted = IntStream.range(0, n).filter(RestartMidRunTest::crashes).count();
      NonRootPolicyStatus status =
          harness.settledStatus(
              POLICY, s -> s.getVerified() == n - reverted && s.getReverted() == reverted);
      assertThat(status.getRollingOut()).isZero();
      assertThat(status.getFailed()).isZero();
      assertThat(status.getMatched()).isEqualTo(n);

      // Per workload, across both instances: the remediation, then the one write that ends its
      // rollout (Verified recorded, or the change put back); a reverted change is not tried again.
      Map<String, Long> writes = new HashMap<>();
      for (int i = 0; i < n; i++)
        writes.put("app-" + i, faults.acceptedWritesTo(deploymentPath(i)));
      assertThat(writes).allSatisfy((name, count) -> assertThat(count).as(name).isEqualTo(2));
      assertThat(followedByTheFirst)
          .allSatisfy(
              i ->
                  assertThat(harness.requests.writesTo(deploymentPath(i)))
                      .as("PATCH requests to app-%d", i)
                      .isEqualTo(2));
    }
  }

  /** Each workload's rollout phase (absent: none). */
  private Map<Integer, Phase> phases(int n) {
    Map<Integer, Phase> out = new TreeMap<>();
    for (int i = 0; i < n; i++) {
      int k = i;
      phase(deployment(i)).ifPresent(p -> out.put(k, p));
    }
    return out;
  }

  private static Optional<Phase> phase(HasMetadata d) {
    Map<String, String> a = d.getMetadata().getAnnotations();
    return RolloutState.parse(a == null ? null : a.get(Annotations.ROLLOUT))
        .map(RolloutState::phase);
  }
}
