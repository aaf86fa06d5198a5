package dev.nonroot.bench;

import com.sun.management.OperatingSystemMXBean;
import dev.nonroot.kubesim.EmbeddedApiServer;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

/**
 * Times the embedded API server's store: creating Deployments (over 100 namespaces) and Services
 * with a few concurrent fabric8 clients, then a get by name, a JSON patch, a list of one namespace
 * and the delivery of a watch event (patch sent to event received), first at 100 stored objects and
 * again with everything created. Prints a table of milliseconds per operation.
 *
 * <p>java -cp target/nonroot-operator.jar dev.nonroot.bench.EmbeddedServerBenchmark [deployments]
 * [services]
 */
public final class EmbeddedServerBenchmark {
  private static final int NAMESPACES = 100;
  private static final int SMALL = 100;
  private static final int THREADS = 4;
  private static final int SAMPLES = 200;

  private static final OperatingSystemMXBean PROCESS =
      ManagementFactory.getPlatformMXBean(OperatingSystemMXBean.class);

  private EmbeddedServerBenchmark() {}

  /** CPU time of the mock server's event-loop threads, where every request is handled. */
  private static long eventLoopCpuNanos() {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long total = 0;
    for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info != null && info.getThreadName().startsWith("vert.x-eventloop")) {
        total += Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
      }
    }
    return total;
  }

  public static void main(String[] args) throws Exception {
    int deployments = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int services = args.length > 1 ? Integer.parseInt(args[1]) : deployments / 4;
    try (EmbeddedApiServer server = EmbeddedApiServer.start(0)) {
      KubernetesClient client = server.client();
      long t0 = System.nanoTime();
      createInParallel(SMALL, i -> client.resource(deployment(i)).create());
      double firstCreates = millis(t0);
      measure(client); // warm-up: JIT and connections, so the two columns compare the store
      Map<String, double[]> small = measure(client);

      long t1 = System.nanoTime();
      long serverCpu = eventLoopCpuNanos();
      long processCpu = PROCESS.getProcessCpuTime();
      createInParallel(deployments - SMALL, i -> client.resource(deployment(i + SMALL)).create());
      createInParallel(services, i -> client.resource(service(i)).create());
      double restCreates = millis(t1);
      double serverCpuPerObject =
          (eventLoopCpuNanos() - serverCpu) / 1e6 / (deployments + services - SMALL);
      double processCpuPerObject =
          (PROCESS.getProcessCpuTime() - processCpu) / 1e6 / (deployments + services - SMALL);
      int stored = deployments + services;
      Map<String, double[]> large = measure(client);

      System.out.printf(
          "create: %,d Deployments over %d namespaces and %,d Services with %d client threads:"
              + " %.1f s (%.2f ms per object; the first %d: %.2f ms per object)%n",
          deployments,
          NAMESPACES,
          services,
          THREADS,
          (firstCreates + restCreates) / 1000,
          restCreates / (stored - SMALL),
          SMALL,
          firstCreates / SMALL);
      System.out.printf(
          "CPU per created object: %.2f ms in the server's event loop, %.2f ms in the whole process"
              + " (server and clients)%n",
          serverCpuPerObject, processCpuPerObject);
      System.out.printf(
          "%-34s %16s %16s%n",
          "ms per operation (median / p95)",
          String.format("%,d objects", SMALL),
          String.format("%,d objects", stored));
      for (String op : small.keySet()) {
        System.out.printf("%-34s %16s %16s%n", op, cell(small.get(op)), cell(large.get(op)));
      }
    }
  }

  /** Median and 95th percentile of each operation, in ms. */
  private static Map<String, double[]> measure(KubernetesClient client)
      throws InterruptedException {
    Map<String, double[]> results = new LinkedHashMap<>();
    // app-0 in ns-0 exists at both sizes; ns-0 holds 1 Deployment at 100 objects, 100 at 10,000.
    String ns = namespace(0);
    String name = "app-0";
    List<Double> gets = new ArrayList<>();
    List<Double> patches = new ArrayList<>();
    List<Double> lists = new ArrayList<>();
    for (int i = 0; i < SAMPLES; i++) {
      long t = System.nanoTime();
      client.apps().deployments().inNamespace(ns).withName(name).get();
      gets.add(millis(t));
      t = System.nanoTime();
      client
          .apps()
          .deployments()
          .inNamespace(ns)
          .withName(name)
          .patch(
              PatchContext.of(PatchType.JSON),
              "[{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":" + (i % 5 + 1) + "}]");
      patches.add(millis(t));
      t = System.nanoTime();
      client.apps().deployments().inNamespace(ns).list();
      lists.add(millis(t));
    }
    results.put("get Deployment by name", stats(gets));
    results.put("JSON patch a Deployment", stats(patches));
    results.put("list one namespace's Deployments", stats(lists));
    results.put("watch event (patch to delivery)", watchLatency(client, ns));
    return results;
  }

  private static double[] watchLatency(KubernetesClient client, String ns)
      throws InterruptedException {
    String name = "app-0";
    BlockingQueue<String> modified = new LinkedBlockingQueue<>();
    List<Double> latencies = new ArrayList<>();
    try (Watch watch =
        client
            .apps()
            .deployments()
            .inNamespace(ns)
            .watch(
                new Watcher<Deployment>() {
                  @Override
                  public void eventReceived(Action action, Deployment d) {
                    if (action == Action.MODIFIED) {
                      modified.add(d.getMetadata().getResourceVersion());
                    }
                  }

                  @Override
                  public void onClose(WatcherException cause) {}
                })) {
      for (int i = 0; i < SAMPLES / 4; i++) {
        long t = System.nanoTime();
        String rv =
            client
                .apps()
                .deployments()
                .inNamespace(ns)
                .withName(name)
                .patch(
                    PatchContext.of(PatchType.JSON),
                    "[{\"op\":\"add\",\"path\":\"/spec/minReadySeconds\",\"value\":" + i + "}]")
                .getMetadata()
                .getResourceVersion();
        while (true) {
          String seen = modified.poll(30, TimeUnit.SECONDS);
          if (seen == null) {
            throw new IllegalStateException("no watch event within 30 s");
          }
          if (seen.equals(rv)) {
            break;
          }
        }
        latencies.add(millis(t));
      }
    }
    return stats(latencies);
  }

  private static void createInParallel(int count, IntConsumer create) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int thread = 0; thread < THREADS; thread++) {
        int first = thread;
        futures.add(
            pool.submit(
                () -> {
                  for (int i = first; i < count; i += THREADS) {
                    create.accept(i);
                  }
                }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static Deployment deployment(int i) {
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName("app-" + i)
        .withNamespace(namespace(i))
        .addToLabels("app", "app-" + i)
        .endMetadata()
        .withNewSpec()
        .withReplicas(1)
        .withNewSelector()
        .addToMatchLabels("app", "app-" + i)
        .endSelector()
        .withNewTemplate()
        .withNewMetadata()
        .addToLabels("app", "app-" + i)
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("main")
        .withImage("nginx:1.27")
        .addNewPort()
        .withContainerPort(8080)
        .endPort()
        .endContainer()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  private static Service service(int i) {
    return new ServiceBuilder()
        .withNewMetadata()
        .withName("app-" + i)
        .withNamespace(namespace(i))
        .endMetadata()
        .withNewSpec()
        .addToSelector("app", "app-" + i)
        .addNewPort()
        .withPort(80)
        .withTargetPort(new IntOrString(8080))
        .endPort()
        .endSpec()
        .build();
  }

  private static String namespace(int i) {
    return "ns-" + (i % NAMESPACES);
  }

  private static double millis(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e6;
  }

  private static double[] stats(List<Double> samples) {
    double[] sorted = samples.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(sorted);
    return new double[] {
      sorted[sorted.length / 2], sorted[Math.min(sorted.length - 1, sorted.length * 95 / 100)]
    };
  }

  private static String cell(double[] stats) {
    return String.format("%.2f / %.2f", stats[0], stats[1]);
  }
}
