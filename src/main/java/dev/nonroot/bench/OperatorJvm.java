package dev.nonroot.bench;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The JVM the benchmark measures the operator in. Its collector and heap move the latency and heap
 * numbers more than most code changes do (Serial against G1 on the pod's heap: p99 149–182 ms
 * against 25–38 ms), and on a large machine the JVM picks neither like the pod's: the output says
 * which one ran, next to how to run the pod's.
 */
record OperatorJvm(String collector, double maxHeapMiB, int processors) {

  /** What the manifest's JAVA_TOOL_OPTIONS give the operator under its 512 MiB limit. */
  static final String AS_DEPLOYED = "-XX:+UseG1GC -Xmx307m";

  /** The collector named by the beans each one registers: first bean name, collector. */
  private static final Map<String, String> COLLECTORS =
      Map.of(
          "G1 Young Generation", "G1",
          "Copy", "Serial",
          "PS Scavenge", "Parallel",
          "ZGC", "Z",
          "ZGC Cycles", "Z",
          "ZGC Minor Cycles", "Z",
          "Shenandoah Cycles", "Shenandoah",
          "Epsilon", "Epsilon");

  static OperatorJvm current() {
    List<String> beans =
        ManagementFactory.getGarbageCollectorMXBeans().stream()
            .map(GarbageCollectorMXBean::getName)
            .toList();
    return new OperatorJvm(
        collector(beans),
        Runtime.getRuntime().maxMemory() / 1048576.0,
        Runtime.getRuntime().availableProcessors());
  }

  /** The collector's common name, or the beans' names when the table does not know them. */
  static String collector(List<String> beanNames) {
    for (String name : beanNames) {
      String known = COLLECTORS.get(name);
      if (known != null) return known;
    }
    return beanNames.isEmpty() ? "unknown" : String.join(" + ", beanNames);
  }

  /**
   * Whether this JVM's heap holds {@code cached} workloads, from the heap measured after a full GC
   * with {@code measured} of them: the projection must leave a fifth of the heap for the collector
   * to work in. A phase that would not fit is skipped and says why, rather than running out of heap
   * halfway and hanging the benchmark.
   */
  boolean holds(double heapMiB, int measured, int cached) {
    return projectedMiB(heapMiB, measured, cached) <= maxHeapMiB * 0.8;
  }

  static double projectedMiB(double heapMiB, int measured, int cached) {
    return heapMiB / measured * cached;
  }

  /** Why a phase caching {@code cached} workloads is skipped, and how to run it. */
  String skipped(String phase, double heapMiB, int measured, int cached) {
    return String.format(
        Locale.ROOT,
        "%s skipped: it would cache %,d workloads, about %.0f MiB at the %.1f KiB each measured"
            + " above, past 80%% of this JVM's %.0f MiB heap (the manifest's 512 MiB limit is"
            + " sized for 12,000 workloads; give the JVM a larger -Xmx to measure it)",
        phase,
        cached,
        projectedMiB(heapMiB, measured, cached),
        heapMiB * 1024 / measured,
        maxHeapMiB);
  }

  String line() {
    return String.format(
        Locale.ROOT,
        "operator JVM: %s collector, heap up to %.0f MiB, %d CPUs (to measure the one the"
            + " manifest's pod runs: java %s -jar target/nonroot-operator.jar bench ...)",
        collector,
        maxHeapMiB,
        processors,
        AS_DEPLOYED);
  }
}
