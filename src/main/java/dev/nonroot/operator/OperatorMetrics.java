package dev.nonroot.operator;

import dev.nonroot.api.NonRootPolicyStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What the operator exposes on /metrics: its own counters, one gauge per status counter of each
 * policy, API errors by HTTP code, and the JVM's metrics, in one Micrometer registry that JOSDK's
 * reconcile metrics join (see {@link NonRootOperator}). Rendered in the Prometheus text format.
 */
public final class OperatorMetrics implements AutoCloseable {
  public static final String PATCHES = "nonroot_workload_patches_total";
  public static final String SERVICE_PATCHES = "nonroot_service_patches_total";
  public static final String FAILURES = "nonroot_patch_failures_total";
  public static final String CONFLICTS = "nonroot_patch_conflicts_total";
  public static final String STATUS_WRITES = "nonroot_policy_status_writes_total";
  public static final String EVALUATIONS = "nonroot_workload_evaluations_total";
  public static final String RECONCILES = "nonroot_workload_reconciles_total";

  /**
   * Decisions put off to be made again: a Service move or a budgeted rollout before every cache
   * synced, a turn in the rollout budget's line, a wait for the global patch rate.
   */
  public static final String DECISIONS_DEFERRED = "nonroot_decisions_deferred_total";

  /** Rollouts started by a patch that ended ready (Verified or Unverified). */
  public static final String ROLLOUTS_ENDED = "nonroot_rollouts_ended_total";

  /** Remediations put back because their rollout failed. */
  public static final String REVERTS = "nonroot_remediations_reverted_total";

  /** Workloads a policy with spec.onDelete: Revert gave its changes back. */
  public static final String RESTORES = "nonroot_restores_total";

  /** Pod lists of followed rollouts (the only pods the operator reads). */
  public static final String ROLLOUT_POD_LISTS = "nonroot_rollout_pod_lists_total";

  public static final String STATUS_PASSES = "nonroot_policy_status_passes_total";
  public static final String STATUS_PASS_NANOS = "nonroot_policy_status_pass_nanoseconds_total";

  /** Calls the API server refused, or that never reached it, tagged {@code code}. */
  public static final String API_ERRORS = "nonroot_api_errors_total";

  /** The {@code code} of a call that got no HTTP answer (connection refused, timeout). */
  public static final String NO_ANSWER = "none";

  /**
   * 1 while this instance holds the leader Lease (always without leader election), 0 on a standby:
   * only the leader reconciles and folds policy statuses, so dashboards sum over leaders.
   */
  public static final String LEADER = "nonroot_leader";

  /** Prefix of the per-policy gauges, tagged {@code policy}: {@code <prefix>matched}, ... */
  public static final String POLICY_WORKLOADS = "nonroot_policy_workloads_";

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
              DECISIONS_DEFERRED,
              "Decisions put off to be made again (caches syncing, rollout budget, patch rate)."),
          Map.entry(ROLLOUTS_ENDED, "Rollouts started by a patch that ended ready."),
          Map.entry(REVERTS, "Remediations put back because their rollout failed."),
          Map.entry(ROLLOUT_POD_LISTS, "Pod lists of followed rollouts."),
          Map.entry(RESTORES, "Workloads given back a policy's changes (spec.onDelete: Revert)."));

  /** One gauge per status counter, named after the status field. */
  private record PolicyGauge(
      String suffix, String help, Function<NonRootPolicyStatus, Integer> read) {}

  private static final List<PolicyGauge> POLICY_GAUGES =
      List.of(
          new PolicyGauge(
              "matched", "Workloads in scope of the policy.", NonRootPolicyStatus::getMatched),
          new PolicyGauge(
              "compliant",
              "Matched workloads with nothing left to fix.",
              NonRootPolicyStatus::getCompliant),
          new PolicyGauge(
              "remediated",
              "Workloads the policy has patched at least once.",
              NonRootPolicyStatus::getRemediated),
          new PolicyGauge(
              "violations",
              "Matched workloads that still violate the policy.",
              NonRootPolicyStatus::getViolations),
          new PolicyGauge(
              "failed", "Workloads whose last patch failed.", NonRootPolicyStatus::getFailed),
          new PolicyGauge("exempt", "Exempt workloads.", NonRootPolicyStatus::getExempt),
          new PolicyGauge(
              "needs_root",
              "Workloads left as they are because they need root.",
              NonRootPolicyStatus::getNeedsRoot),
          new PolicyGauge(
              "overridden",
              "Workloads a higher-precedence policy handles.",
              NonRootPolicyStatus::getOverridden),
          new PolicyGauge(
              "pending",
              "Workloads with a patch due that is not written yet.",
              NonRootPolicyStatus::getPending),
          new PolicyGauge(
              "rolling_out",
              "Workloads whose rollout, started by the policy's patch, is followed.",
              NonRootPolicyStatus::getRollingOut),
          new PolicyGauge(
              "verified",
              "Workloads whose last rollout ended ready with a non-zero uid.",
              NonRootPolicyStatus::getVerified),
          new PolicyGauge(
              "unverified",
              "Workloads whose last rollout ended ready, uid not reported.",
              NonRootPolicyStatus::getUnverified),
          new PolicyGauge(
              "reverted",
              "Workloads whose remediation was put back after its rollout failed.",
              NonRootPolicyStatus::getReverted),
          new PolicyGauge(
              "restoring",
              "Workloads whose changes are being given back (spec.onDelete: Revert).",
              NonRootPolicyStatus::getRestoring),
          new PolicyGauge(
              "conflicts",
              "Workloads whose fix another field manager keeps setting back.",
              NonRootPolicyStatus::getConflicts));

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<String, AtomicLong> counters = new ConcurrentHashMap<>();
  private final AtomicLong slowestStatusPass = new AtomicLong();
  private final JvmGcMetrics gc = new JvmGcMetrics();

  /** Policy name → its last folded status, and the gauges that read it. */
  private final Map<String, PolicyMeters> policies = new ConcurrentHashMap<>();

  private volatile Supplier<Set<String>> existing;

  private record PolicyMeters(AtomicReference<NonRootPolicyStatus> status, List<Meter> meters) {}

  public OperatorMetrics() {
    HELP.forEach(
        (name, help) -> {
          AtomicLong value = new AtomicLong();
          counters.put(name, value);
          // Exact longs, read when scraped; Micrometer adds the _total suffix back.
          FunctionCounter.builder(name, value, AtomicLong::doubleValue)
              .description(help)
              .register(registry);
        });
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
  }

  /** The registry JOSDK's metrics are recorded in. */
  MeterRegistry registry() {
    return registry;
  }

  void increment(String name) {
    counters.get(name).incrementAndGet();
  }

  void observeStatusPass(long nanos) {
    increment(STATUS_PASSES);
    counters.get(STATUS_PASS_NANOS).addAndGet(nanos);
    slowestStatusPass.accumulateAndGet(nanos, Math::max);
  }

  /** A call to the API server that failed with this HTTP code (0 or less: no answer). */
  void apiError(int code) {
    Counter.builder(API_ERRORS)
        .description("Calls to the API server that failed, by HTTP code (none: no answer).")
        .tag("code", code > 0 ? Integer.toString(code) : NO_ANSWER)
        .register(registry)
        .increment();
  }

  void leadership(BooleanSupplier leading) {
    Gauge.builder(LEADER, leading, l -> l.getAsBoolean() ? 1 : 0)
        .description("1 while this instance leads (holds the Lease), 0 on a standby.")
        .strongReference(true)
        .register(registry);
  }

  /** The policy's status as just folded: its gauges show it from now on. */
  synchronized void policyStatus(String policy, NonRootPolicyStatus status) {
    policies.computeIfAbsent(policy, this::registerPolicy).status().set(status);
  }

  /** Where the names of the policies that exist come from: the others' gauges are dropped. */
  void policiesFrom(Supplier<Set<String>> existing) {
    this.existing = existing;
  }

  // Synchronized with policyStatus: a policy made again under the same name gets new gauges.
  synchronized void forgetPolicy(String policy) {
    PolicyMeters gone = policies.remove(policy);
    if (gone != null) gone.meters().forEach(registry::remove);
  }

  private PolicyMeters registerPolicy(String policy) {
    AtomicReference<NonRootPolicyStatus> status = new AtomicReference<>();
    List<Meter> meters = new ArrayList<>();
    for (PolicyGauge g : POLICY_GAUGES) {
      meters.add(
          Gauge.builder(
                  POLICY_WORKLOADS + g.suffix(),
                  status,
                  s -> {
                    NonRootPolicyStatus current = s.get();
                    Integer value = current == null ? null : g.read().apply(current);
                    return value == null ? 0 : value;
                  })
              .description(g.help())
              .tag("policy", policy)
              .strongReference(true)
              .register(registry));
    }
    return new PolicyMeters(status, meters);
  }

  public long get(String name) {
    return counters.get(name).get();
  }

  /** The longest status fold so far, in nanoseconds. */
  public long slowestStatusPassNanos() {
    return slowestStatusPass.get();
  }

  /** Everything in the Prometheus text format (0.0.4), as /metrics serves it. */
  public String render() {
    Supplier<Set<String>> names = existing;
    if (names != null) {
      Set<String> live = names.get();
      for (String policy : List.copyOf(policies.keySet())) {
        if (!live.contains(policy)) forgetPolicy(policy);
      }
    }
    return registry.scrape();
  }

  @Override
  public void close() {
    gc.close();
    registry.close();
  }
}
