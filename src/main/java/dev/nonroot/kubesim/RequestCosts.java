package dev.nonroot.kubesim;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * How many requests of each verb and resource the server has served, and the CPU time its thread
 * spent on them (watch events a write fans out included: they are sent while it is served). Served
 * at {@code /metrics} in Prometheus' text format, where kube-apiserver serves its request counters,
 * so {@code kubectl get --raw /metrics} and the benchmark read where the server's time goes. The
 * labels are not kube-apiserver's: verbs are RBAC's (create, not POST), and a subresource is part
 * of the resource ("deployments/status"). Reads of {@code /metrics} itself are not counted, so a
 * reading taken before a measured window does not land in it.
 */
final class RequestCosts {
  static final String PATH = "/metrics";
  static final String COUNT = "apiserver_request_total";

  /** Not a kube-apiserver metric: the embedded server's own. */
  static final String CPU = "kubesim_request_cpu_seconds_total";

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  record Key(String verb, String resource) {}

  private static final Set<String> NAMESPACE_SUBRESOURCES = Set.of("status", "finalize");

  private record Tally(LongAdder count, LongAdder cpuNanos) {}

  /** Every request is served on one event-loop thread; a set in case that changes. */
  static final String THREAD_CPU = "kubesim_serving_thread_cpu_seconds_total";

  private final Map<Key, Tally> tallies = new ConcurrentHashMap<>();
  private final Set<Long> servingThreads = ConcurrentHashMap.newKeySet();

  /** The current thread's CPU time, to pass to {@link #served}. */
  long start() {
    return THREADS.getCurrentThreadCpuTime();
  }

  void served(String method, String path, boolean watch, long startCpu) {
    Tally t =
        tallies.computeIfAbsent(
            key(method, path, watch), k -> new Tally(new LongAdder(), new LongAdder()));
    t.count().increment();
    servingThreads.add(Thread.currentThread().getId());
    t.cpuNanos().add(Math.max(0, THREADS.getCurrentThreadCpuTime() - startCpu));
  }

  /**
   * The RBAC verb (get, list, watch, create, update, patch, delete, deletecollection) and resource
   * ("deployments", "deployments/status") of a request; "nonresource" for discovery and the like.
   */
  static Key key(String method, String path, boolean watch) {
    String[] s = path.split("/");
    int first;
    if (s.length > 3 && s[1].equals("api")) first = 3;
    else if (s.length > 4 && s[1].equals("apis")) first = 4;
    else return new Key(method.toLowerCase(Locale.ROOT), "nonresource");
    int at = first;
    // namespaces/<ns>/<plural>...: a namespaced resource; namespaces[/<ns>[/status|/finalize]]:
    // namespaces and their subresources.
    if (s[at].equals("namespaces")
        && s.length > at + 2
        && !NAMESPACE_SUBRESOURCES.contains(s[at + 2])) {
      at += 2;
    }
    String resource = s[at];
    boolean named = s.length > at + 1;
    if (s.length > at + 2) resource += "/" + s[at + 2];
    String verb =
        switch (method) {
          case "GET" -> watch ? "watch" : named ? "get" : "list";
          case "POST" -> "create";
          case "PUT" -> "update";
          case "PATCH" -> "patch";
          case "DELETE" -> named ? "delete" : "deletecollection";
          default -> method.toLowerCase(Locale.ROOT);
        };
    return new Key(verb, resource);
  }

  String prometheus() {
    Map<String, Tally> sorted = new TreeMap<>();
    tallies.forEach((k, v) -> sorted.put(labels(k), v));
    StringBuilder out = new StringBuilder();
    out.append("# HELP ").append(COUNT).append(" Requests served, by verb and resource.\n");
    out.append("# TYPE ").append(COUNT).append(" counter\n");
    sorted.forEach(
        (l, t) -> out.append(COUNT).append(l).append(' ').append(t.count().sum()).append('\n'));
    out.append("# HELP ")
        .append(CPU)
        .append(" CPU time of the serving thread, watch events sent by a write included.\n");
    out.append("# TYPE ").append(CPU).append(" counter\n");
    sorted.forEach(
        (l, t) ->
            out.append(CPU)
                .append(l)
                .append(' ')
                .append(String.format(Locale.ROOT, "%.6f", t.cpuNanos().sum() / 1e9))
                .append('\n'));
    // All the serving threads do, reading and writing HTTP included, not only the requests.
    double threadCpu = 0;
    for (long id : servingThreads) threadCpu += Math.max(0, THREADS.getThreadCpuTime(id)) / 1e9;
    out.append("# HELP ")
        .append(THREAD_CPU)
        .append(" CPU time of the threads that serve requests, HTTP included.\n");
    out.append("# TYPE ").append(THREAD_CPU).append(" counter\n");
    out.append(THREAD_CPU).append(String.format(Locale.ROOT, " %.6f", threadCpu)).append('\n');
    return out.toString();
  }

  private static String labels(Key k) {
    return "{verb=\"" + k.verb() + "\",resource=\"" + k.resource() + "\"}";
  }
}
