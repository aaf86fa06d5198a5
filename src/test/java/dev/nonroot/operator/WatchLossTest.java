package dev.nonroot.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Issue 11, "watch loss": every watch connection drops in the middle of a run and, when the server
 * is back, a resume from the old resourceVersion is answered 410 Gone. The operator lists again and
 * converges: what was created or deleted while it could not watch is neither missed nor counted.
 */
class WatchLossTest extends FaultyServerTestBase {
  private static final int BEFORE = 400;
  private static final int MEANWHILE = 100;
  private static final int DELETED = 20;

  @Test
  void afterLosingEveryWatchTheOperatorListsAgainAndMissesNothing() throws Exception {
    createFleet(0, BEFORE);
    harness.apply("/operator/policy-enforce-unbudgeted.yaml");
    harness.start(Duration.ofMinutes(10));
    await()
        .atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> patchedWorkloads() >= BEFORE / 4);

    int lost = faults.loseWatches();
    // While no watch can be opened: new workloads, and some remediated ones deleted.
    createFleet(BEFORE, BEFORE + MEANWHILE);
    for (int i = 0; i < DELETED; i++) delete(i);
    harness.requests.clear();
    faults.restoreWatches();

    int live = BEFORE + MEANWHILE - DELETED;
    converged(live, Duration.ofMinutes(2));
    var counts = faults.counts();
    // Every lost watch resumed from its old version, was told 410, and its informer listed again.
    assertThat(lost).isPositive();
    assertThat(counts.watchesGone()).isGreaterThanOrEqualTo(lost);
    assertThat(
            harness.requests.count(
                r -> r.method().equals("GET") && !r.isWatch() && r.path().endsWith("/deployments")))
        .as("Deployment lists after the loss")
        .isPositive();
    assertEveryChangeRecordedOnce();
  }
}
