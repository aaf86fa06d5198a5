package dev.nonroot.bench;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Event → patch latency under a steady stream of new non-compliant Deployments. The start of each
 * sample is the moment the benchmark first knows the Deployment exists: its ADDED event on a watch
 * the benchmark holds on the same server, or the create response, whichever comes first (the
 * operator's informer gets the same event from the same server). The end is the response to the
 * operator's accepted PATCH of that Deployment, seen by the interceptor on the operator's client.
 * Both are read from one clock in one JVM.
 */
final class LatencyProbe {
  static final String PREFIX = "lat-";

  /**
   * Marks the probe's Deployments, so its watch starts with none of the N already there: a watch
   * from no resourceVersion first lists every match as ADDED, and 10,000 Deployments decoded in
   * this JVM stalled the operator for the phase's first second (all of its slow samples).
   */
  private static final String LABEL = "nonroot.dev/bench-probe";

  private static final String PROBE = "latency";

  /**
   * @param latenciesMs each patched Deployment's latency, in the order they were created
   * @param seenAtMs when the benchmark first knew of each of them, from the phase's start
   */
  record Result(
      int created, double createsPerSecond, int patched, double[] latenciesMs, double[] seenAtMs) {
    /** One line per sample, to line spikes up with GC pauses and status writes. */
    String csv() {
      StringBuilder out = new StringBuilder("seen_at_ms,event_to_patch_ms\n");
      for (int i = 0; i < latenciesMs.length; i++) {
        out.append(String.format(Locale.ROOT, "%.1f,%.1f\n", seenAtMs[i], latenciesMs[i]));
      }
      return out.toString();
    }
  }

  private LatencyProbe() {}

  static Result run(
      KubernetesClient admin, RequestCounter counter, int perSecond, int seconds, long timeoutNanos)
      throws InterruptedException {
    Map<String, Long> known = new ConcurrentHashMap<>();
    Watch watch =
        admin
            .apps()
            .deployments()
            .inAnyNamespace()
            .withLabel(LABEL, PROBE)
            .watch(
                new Watcher<Deployment>() {
                  @Override
                  public void eventReceived(Action action, Deployment d) {
                    if (action == Action.ADDED) {
                      known.merge(key(d), System.nanoTime(), Math::min);
                    }
                  }

                  @Override
                  public void onClose(WatcherException cause) {
                    // the probe closes it
                  }
                });
    int total = perSecond * seconds;
    long period = TimeUnit.SECONDS.toNanos(1) / perSecond;
    List<String> names = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    long start = System.nanoTime();
    try {
      for (int i = 0; i < total; i++) {
        long due = start + i * period;
        long wait = due - System.nanoTime();
        if (wait > 0) LockSupport.parkNanos(wait);
        Deployment d = Fleet.nonCompliant(PREFIX + i, i);
        d.getMetadata().setLabels(Map.of(LABEL, PROBE));
        names.add(key(d));
        pool.submit(
            () -> {
              admin.resource(d).create();
              known.merge(key(d), System.nanoTime(), Math::min);
            });
      }
      pool.shutdown();
      pool.awaitTermination(5, TimeUnit.MINUTES);
      double rate = total / ((System.nanoTime() - start) / 1e9);
      long deadline = System.nanoTime() + timeoutNanos;
      while (System.nanoTime() < deadline
          && names.stream().anyMatch(n -> counter.patchAccepted(n) == null)) {
        Thread.sleep(100);
      }
      List<Double> ms = new ArrayList<>();
      List<Double> at = new ArrayList<>();
      for (String n : names) {
        Long accepted = counter.patchAccepted(n);
        Long seen = known.get(n);
        if (accepted != null && seen != null) {
          ms.add((accepted - seen) / 1e6);
          at.add((seen - start) / 1e6);
        }
      }
      return new Result(
          total,
          rate,
          ms.size(),
          ms.stream().mapToDouble(Double::doubleValue).toArray(),
          at.stream().mapToDouble(Double::doubleValue).toArray());
    } finally {
      pool.shutdownNow();
      watch.close();
    }
  }

  private static String key(Deployment d) {
    return d.getMetadata().getNamespace() + "/" + d.getMetadata().getName();
  }
}
