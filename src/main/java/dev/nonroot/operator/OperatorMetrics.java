package dev.nonroot.operator;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** Counters the operator exposes on /metrics, in the Prometheus text format. */
public final class OperatorMetrics {
  public static final String PATCHES = "nonroot_workload_patches_total";
  public static final String SERVICE_PATCHES = "nonroot_service_patches_total";
  public static final String FAILURES = "nonroot_patch_failures_total";
  public static final String CONFLICTS = "nonroot_patch_conflicts_total";
  public static final String STATUS_WRITES = "nonroot_policy_status_writes_total";
  public static final String EVALUATIONS = "nonroot_workload_evaluations_total";
  public static final String RECONCILES = "nonroot_workload_reconciles_total";

  /** Service moves put off because some workload cache had not synced yet (decided again). */
  public static final String SERVICE_MOVES_DEFERRED = "nonroot_service_moves_deferred_total";

  /** Rollouts started by a patch that ended ready (Verified or Unverified). */
  public static final String ROLLOUTS_ENDED = "nonroot_rollouts_ended_total";

  /** Remediations put back because their rollout failed. */
  public static final String REVERTS = "nonroot_remediations_reverted_total";

  /** Pod lists of followed rollouts (the only pods the operator reads). */
  public static final String ROLLOUT_POD_LISTS = "nonroot_rollout_pod_lists_total";

  public static final String STATUS_PASSES = "nonroot_policy_status_passes_total";
  public static final String STATUS_PASS_NANOS = "nonroot_policy_status_pass_nanoseconds_total";

  private static final Map<String, String> HELP =
      Map.ofEntries(
          Map.entry(PATCHES, "Workload patches applied (one per remediation)."),
          Map.entry(SERVICE_PATCHES, "Service targetPort patches applied."),
          Map.entry(
              FAILURES, "Patches refused by the API server for reasons other than a conflict."),
          Map.entry(
              CONFLICTS,
              "Patches refused because the object changed since it was cached (re-evaluated)."),
          Map.entry(STATUS_WRITES, "NonRootPolicy status writes."),
          Map.entry(
              EVALUATIONS, "Workload decisions made by the engine (one per workload change)."),
          Map.entry(
              RECONCILES,
              "Workload reconciles (a change of the workload or of what it depends on)."),
          Map.entry(STATUS_PASSES, "Policy status folds over the verdict index."),
          Map.entry(STATUS_PASS_NANOS, "Time spent folding policy statuses."),
          Map.entry(
              SERVICE_MOVES_DEFERRED,
              "Service moves put off until every workload cache had synced (decided again)."),
          Map.entry(ROLLOUTS_ENDED, "Rollouts started by a patch that ended ready."),
          Map.entry(REVERTS, "Remediations put back because their rollout failed."),
          Map.entry(ROLLOUT_POD_LISTS, "Pod lists of followed rollouts."));

  private final Map<String, AtomicLong> counters = new ConcurrentHashMap<>();
  private final AtomicLong slowestStatusPass = new AtomicLong();

  public OperatorMetrics() {
    HELP.keySet().forEach(k -> counters.put(k, new AtomicLong()));
  }

  void increment(String name) {
    counters.get(name).incrementAndGet();
  }

  void observeStatusPass(long nanos) {
    increment(STATUS_PASSES);
    counters.get(STATUS_PASS_NANOS).addAndGet(nanos);
    slowestStatusPass.accumulateAndGet(nanos, Math::max);
  }

  public long get(String name) {
    return counters.get(name).get();
  }

  /** The longest status fold so far, in nanoseconds. */
  public long slowestStatusPassNanos() {
    return slowestStatusPass.get();
  }

  public String render() {
    StringBuilder b = new StringBuilder();
    new TreeMap<>(counters)
        .forEach(
            (name, value) ->
                b.append("# HELP ")
                    .append(name)
                    .append(' ')
                    .append(HELP.get(name))
                    .append("\n# TYPE ")
                    .append(name)
                    .append(" counter\n")
                    .append(name)
                    .append(' ')
                    .append(value.get())
                    .append('\n'));
    return b.toString();
  }
}
