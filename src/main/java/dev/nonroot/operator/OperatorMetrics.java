package dev.nonroot.operator;

import dev.nonroot.engine.model.Workload;

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

  private static final Map<String, String> HELP = Map.of(
      PATCHES, "Workload patches applied (one per remediation).",
      SERVICE_PATCHES, "Service targetPort patches applied.",
      FAILURES, "Patches refused by the API server for reasons other than a conflict.",
      CONFLICTS, "Patches refused because the object changed since it was cached (re-evaluated).",
      STATUS_WRITES, "NonRootPolicy status writes.");

  private final Map<String, AtomicLong> counters = new ConcurrentHashMap<>();

  public OperatorMetrics() {
    HELP.keySet().forEach(k -> counters.put(k, new AtomicLong()));
  }

  void increment(String name) {
    counters.get(name).incrementAndGet();
  }

  public long get(String name) {
    return counters.get(name).get();
  }

  public String render() {
    StringBuilder b = new StringBuilder();
    new TreeMap<>(counters).forEach((name, value) -> b.append("# HELP ").append(name).append(' ')
        .append(HELP.get(name)).append("\n# TYPE ").append(name).append(" counter\n")
        .append(name).append(' ').append(value.get()).append('\n'));
    return b.toString();
  }
}
