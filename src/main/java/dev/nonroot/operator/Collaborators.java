package dev.nonroot.operator;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** What the controllers of one operator instance share. */
record Collaborators(
    PolicyCatalog catalog,
    VerdictIndex index,
    WorkloadWriter writer,
    EventRecorder events,
    OperatorMetrics metrics,
    PatchBudget budget,
    StatusPacer statusPacer,
    WorkloadCaches workloads,
    SharedInformers informers,
    RolloutPods pods,
    RolloutBudget rollouts,
    Duration rolloutPoll,
    Clock clock,
    Instant started) {

  /** Now, as Kubernetes writes times: RFC 3339 in whole seconds. */
  String now() {
    return Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
  }
}
