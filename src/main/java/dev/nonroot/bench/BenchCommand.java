package dev.nonroot.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.management.OperatingSystemMXBean;
import dev.nonroot.api.NonRootPolicy;
import dev.nonroot.api.NonRootPolicyStatus;
import dev.nonroot.cli.BadInputException;
import dev.nonroot.cli.Console;
import dev.nonroot.cli.ExitCodes;
import dev.nonroot.cli.LogSetup;
import dev.nonroot.cli.Main;
import dev.nonroot.cli.Subcommand;
import dev.nonroot.operator.NonRootOperator;
import dev.nonroot.operator.OperatorMetrics;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * Issue 10's benchmark: the operator against the embedded API server running in a JVM of its own,
 * so this JVM's heap and CPU are the operator's. Phases, in order: the floor (a bare client sends
 * the engine's patches, on a server of its own), the operator's run to a converged status, heap
 * after a full GC, an idle minute, event → patch latency under a steady stream of creates, N
 * compliant Deployments, and a forced resync. Not part of the product: {@code Main} finds it
 * through {@code META-INF/services/dev.nonroot.cli.Subcommand}.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Measure the operator against an embedded API server in its own JVM.",
      "Prints a table (value, target, PASS/FAIL) and writes operator.json to --out.",
      "The rollout budget is off for the whole run."
    })
public final class BenchCommand implements Subcommand {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int CREATE_THREADS = 8;

  @ParentCommand private Main main;

  @Option(
      names = "--workloads",
      paramLabel = "N",
      defaultValue = "10000",
      description = "non-compliant Deployments to remediate (default: ${DEFAULT-VALUE})")
  private int workloads;

  @Option(
      names = "--policies",
      paramLabel = "P",
      defaultValue = "1",
      description =
          "Enforce policies splitting the 100 namespaces between them (default: ${DEFAULT-VALUE})")
  private int policies;

  @Option(
      names = "--rate",
      paramLabel = "PER_SECOND",
      defaultValue = "100",
      description = "creates per second in the latency phase (default: ${DEFAULT-VALUE})")
  private int rate;

  @Option(
      names = "--latency-seconds",
      paramLabel = "S",
      defaultValue = "30",
      description = "length of the latency phase (default: ${DEFAULT-VALUE})")
  private int latencySeconds;

  @Option(
      names = "--idle-seconds",
      paramLabel = "S",
      defaultValue = "60",
      description = "length of the idle phase (default: ${DEFAULT-VALUE})")
  private int idleSeconds;

  @Option(
      names = "--resync-seconds",
      paramLabel = "S",
      defaultValue = "20",
      description = "resync period of the forced resync phase (default: ${DEFAULT-VALUE})")
  private int resyncSeconds;

  @Option(
      names = "--timeout",
      paramLabel = "S",
      defaultValue = "1800",
      description =
          "give up when a phase has not finished after this long (default: ${DEFAULT-VALUE})")
  private int timeoutSeconds;

  @Option(
      names = "--server-heap",
      paramLabel = "SIZE",
      defaultValue = "3g",
      description = "-Xmx of the API server's JVM (default: ${DEFAULT-VALUE})")
  private String serverHeap;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      defaultValue = "target/bench",
      description =
          "where operator.json, latency.csv and the API server logs go (default:"
              + " ${DEFAULT-VALUE})")
  private Path out;

  private Console console;

  @Override
  public Integer call() throws Exception {
    console = main.console();
    if (workloads < 1) throw new BadInputException("--workloads must be at least 1");
    if (policies < 1 || policies > Fleet.NAMESPACES) {
      throw new BadInputException("--policies must be between 1 and " + Fleet.NAMESPACES);
    }
    if (rate < 1 || latencySeconds < 1 || idleSeconds < 1 || resyncSeconds < 1) {
      throw new BadInputException("--rate and the --*-seconds options must be at least 1");
    }
    LogSetup.quiet();
    Files.createDirectories(out);
    Clock clock = Clock.systemUTC();
    int threads = NonRootOperator.Settings.defaults().threads();
    long timeout = TimeUnit.SECONDS.toNanos(timeoutSeconds);
    int n = workloads;
    int web = Fleet.webCount(n);
    BenchReport report = new BenchReport();
    report.put("workloads", n).put("policies", policies).put("namespaces", Fleet.NAMESPACES);
    report.put("remappedServices", web).put("rolloutBudget", "off");
    // Other processes on the machine skew every time below: say how busy it was.
    report.put(
        "loadAverageAtStart", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    say(
        "bench: %d non-compliant Deployments (%d behind a port-80 Service) in %d namespaces,"
            + " %d Enforce polic%s; rollout budget OFF (patches are not paced)",
        n, web, Fleet.NAMESPACES, policies, policies == 1 ? "y" : "ies");
    OperatorJvm jvm = OperatorJvm.current();
    report.put("operatorJvmCollector", jvm.collector());
    report.put("operatorJvmMaxHeapMiB", jvm.maxHeapMiB());
    report.put("operatorJvmProcessors", jvm.processors());
    say("%s", jvm.line());

    List<ServerRequestCosts.Cost> floorRequests;
    double floorThread;
    // 1. Floor, on a server of its own so the operator later meets the same untouched objects.
    Floor.Result floor;
    try (ChildApiServer server =
            ChildApiServer.start(serverHeap, out.resolve("apiserver-floor.log"));
        KubernetesClient client = client(server.url(), null)) {
      Fleet.createNonCompliant(client, n, CREATE_THREADS);
      for (NonRootPolicy p : Fleet.policies(policies)) client.resource(p).create();
      Floor.Planned planned = Floor.planned(client, clock);
      double serverCpu = server.cpuSeconds();
      ServerRequestCosts before = ServerRequestCosts.read(client, server.url());
      long clientCpu = processCpuNanos();
      floor = Floor.send(client, threads, planned);
      report.put("floorClientCpuSeconds", (processCpuNanos() - clientCpu) / 1e9);
      report.put("floorServerCpuSeconds", server.cpuSeconds() - serverCpu);
      ServerRequestCosts after = ServerRequestCosts.read(client, server.url());
      floorRequests = after.since(before);
      floorThread = after.threadSecondsSince(before);
    }
    say(
        "floor: %d workload + %d Service patches planned by the engine in %.1f s, sent on %d"
            + " threads in %.2f s",
        floor.workloadPatches(),
        floor.servicePatches(),
        floor.planSeconds(),
        threads,
        floor.sendSeconds());
    report.put("floorSeconds", floor.sendSeconds());
    report.put("floorWorkloadPatches", floor.workloadPatches());
    report.put("floorServicePatches", floor.servicePatches());

    try (ChildApiServer server = ChildApiServer.start(serverHeap, out.resolve("apiserver.log"));
        KubernetesClient admin = client(server.url(), null)) {
      long t = System.nanoTime();
      Fleet.createNonCompliant(admin, n, CREATE_THREADS);
      for (NonRootPolicy p : Fleet.policies(policies)) admin.resource(p).create();
      double setup = seconds(t);
      report.put("setupSeconds", setup);
      say(
          "setup: %d Deployments, %d Services, %d namespaces created in %.1f s (API server pid %d)",
          n, web, Fleet.NAMESPACES, setup, server.pid());

      // How many workloads the cluster holds for the resync, and the heap they were measured at.
      int cached = n;
      double heapAtN = 0;

      // 2. The operator, from start until the status shows every workload remediated.
      RequestCounter counter = new RequestCounter(System::nanoTime);
      OperatingSystemMXBean os = ManagementFactory.getPlatformMXBean(OperatingSystemMXBean.class);
      try (KubernetesClient operatorClient = client(server.url(), counter)) {
        long cpu = os.getProcessCpuTime();
        double serverCpu = server.cpuSeconds();
        long startedBefore = ManagementFactory.getThreadMXBean().getTotalStartedThreadCount();
        ServerRequestCosts requestsBefore = ServerRequestCosts.read(admin, server.url());
        t = System.nanoTime();
        NonRootOperator operator =
            NonRootOperator.start(
                operatorClient, NonRootOperator.Settings.defaults().withPatchesPerSecond(0));
        report.put("informersSyncedSeconds", seconds(t));
        long operatorStart = t;
        try {
          await(
              "every workload remediated in the status",
              () -> {
                Totals s = totals(admin);
                return s.matched() == n && s.remediated() == n && s.compliant() == n;
              },
              timeout,
              admin);
          double operatorSeconds = seconds(t);
          double operatorCpu = (os.getProcessCpuTime() - cpu) / 1e9;
          report.put("operatorSeconds", operatorSeconds);
          report.put("ratio", operatorSeconds / floor.sendSeconds());
          report.put("operatorCpuSeconds", operatorCpu);
          report.put("operatorServerCpuSeconds", server.cpuSeconds() - serverCpu);
          ServerRequestCosts requestsAfter = ServerRequestCosts.read(admin, server.url());
          List<ServerRequestCosts.Cost> operatorRequests = requestsAfter.since(requestsBefore);
          double operatorThread = requestsAfter.threadSecondsSince(requestsBefore);
          // A thread per API response (CompletableFuture without a pool) shows here.
          report.put(
              "operatorThreadsStarted",
              ManagementFactory.getThreadMXBean().getTotalStartedThreadCount() - startedBefore);
          report.put("lastPatchSeconds", (counter.lastPatchAccepted() - operatorStart) / 1e9);
          say(
              "operator: informers synced at %.2f s, last patch accepted at %.2f s, status shows"
                  + " %d remediated at %.2f s (%.1f CPU s, %d threads started); %.2f x the floor",
              report.get("informersSyncedSeconds"),
              report.get("lastPatchSeconds"),
              n,
              operatorSeconds,
              operatorCpu,
              report.get("operatorThreadsStarted"),
              operatorSeconds / floor.sendSeconds());
          // Both phases keep this machine's cores busy: the ratio of the times follows the ratio
          // of the CPU seconds the two processes spent, client and server.
          double floorCpu =
              (double) report.get("floorClientCpuSeconds")
                  + (double) report.get("floorServerCpuSeconds");
          double operatorAll = operatorCpu + (double) report.get("operatorServerCpuSeconds");
          report.put("floorCpuSeconds", floorCpu);
          report.put("operatorAllCpuSeconds", operatorAll);
          say(
              "CPU: floor %.1f s (client %.1f + API server %.1f) in %.2f s on %d cores; operator"
                  + " %.1f s (operator %.1f + API server %.1f) in %.2f s; %.2f x the floor's CPU",
              floorCpu,
              report.get("floorClientCpuSeconds"),
              report.get("floorServerCpuSeconds"),
              floor.sendSeconds(),
              Runtime.getRuntime().availableProcessors(),
              operatorAll,
              operatorCpu,
              report.get("operatorServerCpuSeconds"),
              operatorSeconds,
              operatorAll / floorCpu);
          report.put("floorServerThreadSeconds", floorThread);
          report.put("operatorServerThreadSeconds", operatorThread);
          report.put("floorServerRequests", ServerRequestCosts.json(floorRequests));
          report.put("operatorServerRequests", ServerRequestCosts.json(operatorRequests));
          // The server serves every request on one thread: what the operator's requests cost it
          // is a floor under the operator's time. The rest of its CPU is its GC and JIT.
          say(
              "API server thread, floor: busy %.1f s, %.1f s of it in requests (%s)",
              floorThread,
              ServerRequestCosts.total(floorRequests),
              ServerRequestCosts.describe(floorRequests, 3));
          say(
              "API server thread, operator: busy %.1f s, %.1f s of it in requests (%s); that"
                  + " thread alone keeps the operator above %.2f x the floor",
              operatorThread,
              ServerRequestCosts.total(operatorRequests),
              ServerRequestCosts.describe(operatorRequests, 6),
              operatorThread / floor.sendSeconds());
          // Events go out on their own thread, behind the patches: count them once all are sent.
          double eventsSent = (eventsSent(counter, timeout) - operatorStart) / 1e9;
          report.put("eventsSentSeconds", eventsSent);
          say(
              "events: %d sent, all by %.2f s (they go out behind the patches)",
              counter.writes(RequestCounter.Target.EVENT), eventsSent);
          settle(admin, timeout);
          Map<RequestCounter.Target, Long> w = counter.writes();
          long deployments = w.get(RequestCounter.Target.DEPLOYMENT);
          long services = w.get(RequestCounter.Target.SERVICE);
          report.put("writesPerRemediated", deployments / (double) n);
          report.put("writesPerRemappedService", web == 0 ? 0.0 : services / (double) web);
          report.put("eventWritesPerRemediated", w.get(RequestCounter.Target.EVENT) / (double) n);
          report.put("writesByTarget", w);
          report.put(
              "operatorPatchCounters",
              Map.of(
                  "workloadPatches", operator.metrics().get(OperatorMetrics.PATCHES),
                  "servicePatches", operator.metrics().get(OperatorMetrics.SERVICE_PATCHES),
                  "conflicts", operator.metrics().get(OperatorMetrics.CONFLICTS),
                  "failures", operator.metrics().get(OperatorMetrics.FAILURES),
                  "reconciles", operator.metrics().get(OperatorMetrics.RECONCILES),
                  "evaluations", operator.metrics().get(OperatorMetrics.EVALUATIONS),
                  "statusPasses", operator.metrics().get(OperatorMetrics.STATUS_PASSES)));
          say(
              "writes so far: %s; %d workload reconciles for %d workloads",
              w, operator.metrics().get(OperatorMetrics.RECONCILES), n);
          Totals s = totals(admin);
          boolean exact =
              s.matched() == n
                  && s.remediated() == n
                  && s.compliant() == n
                  && s.violations() == 0
                  && s.failed() == 0;
          report.put("countersExact", exact);
          report.put("statusCounters", s);
          report.put("statusBytes", statusBytes(admin));

          // 3. Heap with N workloads cached: this JVM holds the operator and little else.
          System.gc();
          System.gc();
          double heap =
              ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1048576.0;
          report.put("heapAfterGcMiB", heap);
          heapAtN = heap;
          say("heap after full GC: %.1f MiB with %d Deployments cached", heap, n);

          // 4. Idle: nothing to do, nothing should happen.
          report.put("idleWarmDownSeconds", quietJit());
          long idleWrites = counter.totalWrites();
          ThreadCpu threadsBefore = ThreadCpu.now();
          long gcBefore = gcMillis();
          long jitBefore = ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
          cpu = os.getProcessCpuTime();
          t = System.nanoTime();
          Thread.sleep(TimeUnit.SECONDS.toMillis(idleSeconds));
          double idleMinutes = seconds(t) / 60;
          double idleCpu = (os.getProcessCpuTime() - cpu) / 1e9 / idleMinutes;
          report.put("idleCpuSecondsPerMinute", idleCpu);
          report.put("idleWrites", counter.totalWrites() - idleWrites);
          Map<String, Double> byThread = ThreadCpu.now().since(threadsBefore, 5);
          byThread.replaceAll((k, v) -> v / idleMinutes);
          report.put("idleCpuByThreadPerMinute", byThread);
          report.put("idleGcMillis", gcMillis() - gcBefore);
          report.put(
              "idleJitMillis",
              ManagementFactory.getCompilationMXBean().getTotalCompilationTime() - jitBefore);
          say(
              "idle %d s: %.3f CPU s per minute, %d writes; GC %d ms, JIT %d ms; busiest Java"
                  + " threads (CPU s per minute): %s",
              idleSeconds,
              idleCpu,
              counter.totalWrites() - idleWrites,
              report.get("idleGcMillis"),
              report.get("idleJitMillis"),
              rounded(byThread));

          // 5. Latency: a steady stream of new non-compliant Deployments.
          long passesBefore = operator.metrics().get(OperatorMetrics.STATUS_PASSES);
          long passNanosBefore = operator.metrics().get(OperatorMetrics.STATUS_PASS_NANOS);
          LatencyProbe.Result lat = LatencyProbe.run(admin, counter, rate, latencySeconds, timeout);
          long passes = operator.metrics().get(OperatorMetrics.STATUS_PASSES) - passesBefore;
          double passMs =
              passes == 0
                  ? 0
                  : (operator.metrics().get(OperatorMetrics.STATUS_PASS_NANOS) - passNanosBefore)
                      / 1e6
                      / passes;
          report.put("latencyStatusPasses", passes);
          report.put("latencyStatusFoldMeanMs", passMs);
          Percentiles p = new Percentiles(lat.latenciesMs());
          Files.writeString(out.resolve("latency.csv"), lat.csv(), StandardCharsets.UTF_8);
          report.put("latencyCreates", lat.created());
          report.put("latencyCreatesPerSecond", lat.createsPerSecond());
          report.put("latencySamples", p.count());
          report.put("p50EventToPatchMs", p.at(50));
          report.put("p99EventToPatchMs", p.at(99));
          report.put("maxEventToPatchMs", p.max());
          say(
              "latency: %d creates at %.1f/s; %d patched; event -> patch p50 %.1f ms, p99 %.1f ms,"
                  + " max %.1f ms",
              lat.created(), lat.createsPerSecond(), p.count(), p.at(50), p.at(99), p.max());
          say(
              "status passes meanwhile: %d, each rendering the status in %.1f ms on average",
              passes, passMs);
          int afterLatency = n + lat.created();
          await(
              "the latency Deployments in the status",
              () -> {
                Totals x = totals(admin);
                return x.matched() == afterLatency && x.remediated() == afterLatency;
              },
              timeout,
              admin);
          settle(admin, timeout);

          // 6. N compliant Deployments: nothing to write on them.
          int all = afterLatency + n;
          cached = afterLatency;
          if (!jvm.holds(heap, n, all)) {
            say("%s", jvm.skipped("compliant phase", heap, n, all));
            report.put("writesPerCompliant", null);
            report.put("compliantSkipped", true);
          } else {
            long before = workloadWrites(counter);
            t = System.nanoTime();
            Fleet.createCompliant(admin, n, CREATE_THREADS);
            cached = all;
            await(
                "the compliant Deployments in the status",
                () -> {
                  Totals x = totals(admin);
                  return x.matched() == all && x.compliant() == all;
                },
                timeout,
                admin);
            settle(admin, timeout);
            long compliantWrites = workloadWrites(counter) - before;
            report.put("writesPerCompliant", compliantWrites / (double) n);
            say(
                "compliant: %d more Deployments seen in %.1f s; %d writes to workloads, Services or"
                    + " events for them",
                n, seconds(t), compliantWrites);
          }
        } finally {
          operator.close();
        }
        report.put("statusWritesPerSecondMax", maxStatusWritesPerSecond(counter));
        report.put("statusWriteMinGapMs", minStatusWriteGapMs(counter));
        report.put("refusedWrites", counter.refused());
        report.put("statusWrites", counter.writes(RequestCounter.Target.POLICY_STATUS));
        report.put("getsOutsideListWatch", counter.singleGets());
      }

      // 7. Forced resync: a fresh operator instance (every informer lists again and every
      // workload is decided again), run until JOSDK's periodic resync has decided each once more.
      if (!jvm.holds(heapAtN, n, cached)) {
        say("%s", jvm.skipped("forced resync", heapAtN, n, cached));
        report.put("resyncWrites", null);
        report.put("resyncSkipped", true);
      } else {
        RequestCounter resyncCounter = new RequestCounter(System::nanoTime);
        try (KubernetesClient operatorClient = client(server.url(), resyncCounter)) {
          int all = cached;
          t = System.nanoTime();
          try (NonRootOperator operator =
              NonRootOperator.start(
                  operatorClient,
                  NonRootOperator.Settings.defaults()
                      .withPatchesPerSecond(0)
                      .withResyncPeriod(Duration.ofSeconds(resyncSeconds)))) {
            await(
                "the restart's pass",
                () -> operator.metrics().get(OperatorMetrics.RECONCILES) >= all,
                timeout,
                admin);
            long firstPass = System.nanoTime();
            long afterFirst = operator.metrics().get(OperatorMetrics.RECONCILES);
            await(
                "the periodic resync",
                () ->
                    System.nanoTime() - firstPass > TimeUnit.SECONDS.toNanos(resyncSeconds)
                        && operator.metrics().get(OperatorMetrics.RECONCILES) >= afterFirst + all,
                timeout,
                admin);
            settle(admin, timeout);
            long reconciles = operator.metrics().get(OperatorMetrics.RECONCILES);
            report.put("resyncWrites", resyncCounter.totalWrites());
            report.put("resyncReconciles", reconciles);
            say(
                "forced resync: restart plus a %d s resync period, %d reconciles of %d workloads in"
                    + " %.1f s, %d writes",
                resyncSeconds, reconciles, all, seconds(t), resyncCounter.totalWrites());
          }
          report.put(
              "getsOutsideListWatch",
              (Long) report.get("getsOutsideListWatch") + resyncCounter.singleGets());
          report.put(
              "statusWritesPerSecondMax",
              Math.max(
                  (Integer) report.get("statusWritesPerSecondMax"),
                  maxStatusWritesPerSecond(resyncCounter)));
        }
      }
    }
    report.put(
        "loadAverageAtEnd", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    report.put("method", methods());
    Path json = out.resolve("operator.json");
    Files.writeString(json, report.json(), StandardCharsets.UTF_8);
    console.println("");
    console.print(report.table());
    console.println("");
    methods().forEach((k, v) -> console.println(k + ": " + v));
    say(
        "load average of the machine: %.1f at start, %.1f at the end (other processes skew every"
            + " time)",
        report.get("loadAverageAtStart"), report.get("loadAverageAtEnd"));
    console.println("wrote " + json);
    return ExitCodes.OK;
  }

  private static Map<String, String> methods() {
    return Map.of(
        "latency",
        "from the moment the benchmark first knows a Deployment exists (its ADDED event on the"
            + " benchmark's own watch, or its create response, whichever is earlier) to the"
            + " response to the operator's accepted PATCH of it (an interceptor on the operator's"
            + " client); one clock, one JVM",
        "resync",
        "a fresh operator instance with a short resync period: every informer lists again, every"
            + " workload is decided again, then JOSDK's periodic resync decides each once more;"
            + " every write in that time counts",
        "writes",
        "counted by an interceptor on the operator's client, retries included; per remediated"
            + " = Deployment PATCHes / N, per compliant = Deployment, Service and Event writes"
            + " / N while N compliant Deployments are added",
        "heap",
        "heap in use in this JVM (the operator; the API server runs in its own) after"
            + " System.gc() with N Deployments cached",
        "idleCpu",
        "CPU time of this JVM over the idle phase, per minute; the phase starts once the JIT has"
            + " compiled nothing for 5 s (at most 60 s after the busy phase)");
  }

  private static long workloadWrites(RequestCounter c) {
    return c.writes(RequestCounter.Target.DEPLOYMENT)
        + c.writes(RequestCounter.Target.SERVICE)
        + c.writes(RequestCounter.Target.EVENT);
  }

  private static int maxStatusWritesPerSecond(RequestCounter c) {
    int max = 0;
    for (long[] times : c.statusWriteTimes().values()) {
      max = Math.max(max, WindowRate.maxInWindow(times, TimeUnit.SECONDS.toNanos(1)));
    }
    return max;
  }

  /**
   * Waits until the JIT has compiled nothing for 5 s (at most 60 s), so that the idle window
   * measures an idle operator rather than the compilation tail of the busy phase before it.
   */
  private static double quietJit() throws InterruptedException {
    long start = System.nanoTime();
    long quietSince = start;
    long jit = ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
    while (System.nanoTime() - quietSince < TimeUnit.SECONDS.toNanos(5)
        && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(60)) {
      Thread.sleep(500);
      long now = ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
      if (now != jit) {
        jit = now;
        quietSince = System.nanoTime();
      }
    }
    return seconds(start);
  }

  private static long gcMillis() {
    long total = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      total += Math.max(0, gc.getCollectionTime());
    }
    return total;
  }

  private static Map<String, String> rounded(Map<String, Double> values) {
    Map<String, String> out = new LinkedHashMap<>();
    values.forEach((k, v) -> out.put(k, String.format(Locale.ROOT, "%.3f", v)));
    return out;
  }

  private static double minStatusWriteGapMs(RequestCounter c) {
    double min = Double.NaN;
    for (long[] times : c.statusWriteTimes().values()) {
      long gap = WindowRate.minGap(times);
      if (gap >= 0 && !(min <= gap / 1e6)) min = gap / 1e6;
    }
    return min;
  }

  /** The sums of the policies' status counters. */
  record Totals(int matched, int compliant, int remediated, int violations, int failed) {}

  private static Totals totals(KubernetesClient admin) {
    int matched = 0;
    int compliant = 0;
    int remediated = 0;
    int violations = 0;
    int failed = 0;
    for (NonRootPolicy p : admin.resources(NonRootPolicy.class).list().getItems()) {
      NonRootPolicyStatus s = p.getStatus();
      if (s == null) continue;
      matched += orZero(s.getMatched());
      compliant += orZero(s.getCompliant());
      remediated += orZero(s.getRemediated());
      violations += orZero(s.getViolations());
      failed += orZero(s.getFailed());
    }
    return new Totals(matched, compliant, remediated, violations, failed);
  }

  private static int orZero(Integer i) {
    return i == null ? 0 : i;
  }

  /** The largest status among the policies, as JSON bytes. */
  private static int statusBytes(KubernetesClient admin) throws Exception {
    int max = 0;
    for (NonRootPolicy p : admin.resources(NonRootPolicy.class).list().getItems()) {
      max = Math.max(max, JSON.writeValueAsBytes(p.getStatus()).length);
    }
    return max;
  }

  /**
   * When the operator's last Event write went out (none for 3 s after it); when every Event was
   * already out as this starts watching, the moment it started: an upper bound.
   */
  private static long eventsSent(RequestCounter counter, long timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout;
    long seen = counter.writes(RequestCounter.Target.EVENT);
    long changed = System.nanoTime();
    while (System.nanoTime() - changed < TimeUnit.SECONDS.toNanos(3)
        && System.nanoTime() < deadline) {
      Thread.sleep(100);
      long now = counter.writes(RequestCounter.Target.EVENT);
      if (now != seen) {
        seen = now;
        changed = System.nanoTime();
      }
    }
    return changed;
  }

  /** Waits until the statuses stop changing (two identical readings a second apart). */
  private static void settle(KubernetesClient admin, long timeout) throws Exception {
    String last = null;
    long deadline = System.nanoTime() + timeout;
    while (System.nanoTime() < deadline) {
      List<Object> now = new ArrayList<>();
      for (NonRootPolicy p : admin.resources(NonRootPolicy.class).list().getItems()) {
        now.add(p.getStatus());
      }
      String s = JSON.writeValueAsString(now);
      if (s.equals(last)) return;
      last = s;
      Thread.sleep(1000);
    }
  }

  private void await(String what, BooleanSupplier done, long timeout, KubernetesClient admin)
      throws Exception {
    long deadline = System.nanoTime() + timeout;
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "gave up waiting for "
                + what
                + " after "
                + timeoutSeconds
                + " s; status totals: "
                + totals(admin));
      }
      Thread.sleep(200);
    }
  }

  private void say(String format, Object... args) {
    console.println(String.format(Locale.ROOT, format, args));
  }

  private static long processCpuNanos() {
    return ManagementFactory.getPlatformMXBean(OperatingSystemMXBean.class).getProcessCpuTime();
  }

  private static double seconds(long since) {
    return (System.nanoTime() - since) / 1e9;
  }

  /** A client like the operator's (JDK HTTP client, HTTP/1.1 on loopback), counted if asked. */
  private static KubernetesClient client(String url, Interceptor counter) {
    Config config =
        new ConfigBuilder(Config.empty())
            .withMasterUrl(url)
            .withNamespace("default")
            .withHttp2Disable(true)
            // The embedded server answers a LIST in one response, built on its one event-loop
            // thread (it ignores limit): at 100,000 objects that outlasts the default 10 s.
            .withRequestTimeout((int) TimeUnit.MINUTES.toMillis(10))
            .build();
    KubernetesClientBuilder b = new KubernetesClientBuilder().withConfig(config);
    if (counter != null) {
      b.withHttpClientBuilderConsumer(c -> c.addOrReplaceInterceptor("count", counter));
    }
    return b.build();
  }
}
