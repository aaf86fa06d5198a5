package dev.nonroot.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.management.OperatingSystemMXBean;
import dev.nonroot.api.MatchSpec;
import dev.nonroot.api.NonRootPolicy;
import dev.nonroot.api.NonRootPolicySpec;
import dev.nonroot.api.NonRootPolicyStatus;
import dev.nonroot.operator.NonRootOperator;
import dev.nonroot.operator.OperatorMetrics;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs the real operator against an in-process CRUD API server holding N Deployments (3 in 4 need
 * fixing, 1 in 4 with a port-80 Service) under one Enforce policy and one higher-priority Audit
 * policy over a fifth of the namespaces, and prints how long it takes to converge, how many
 * decisions, status passes and writes it makes, what an idle minute costs, and how big the status
 * gets.
 *
 * <p>java -cp target/nonroot-operator.jar dev.nonroot.bench.OperatorBenchmark [workloads]
 */
public final class OperatorBenchmark {
  private static final int NAMESPACES = 50;
  private static final int AUDITED_NAMESPACES = 10;
  private static final Duration IDLE = Duration.ofSeconds(60);

  private OperatorBenchmark() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
    Logger.getLogger("io.fabric8.mockwebserver").setLevel(Level.WARNING);
    Logger.getLogger("okhttp3.mockwebserver").setLevel(Level.WARNING);
    KubernetesMockServer server =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            new HashMap<>(),
            new KubernetesCrudDispatcher(List.of()),
            false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    KubernetesClient admin = server.createClient();
    try (InputStream in =
        OperatorBenchmark.class.getResourceAsStream("/crds/nonrootpolicies.nonroot.dev-v1.yml")) {
      CustomResourceDefinition crd =
          admin.apiextensions().v1().customResourceDefinitions().load(in).item();
      admin.resource(crd).create();
    }
    long t = System.nanoTime();
    int fixable = 0;
    for (int i = 0; i < n; i++) {
      boolean compliant = i % 4 == 0;
      boolean web = i % 4 == 1;
      if (!compliant) fixable++;
      String ns = "ns-" + (i % NAMESPACES);
      var b =
          new DeploymentBuilder()
              .withNewMetadata()
              .withName("app-" + i)
              .withNamespace(ns)
              .endMetadata()
              .withNewSpec()
              .withNewSelector()
              .addToMatchLabels("app", "app-" + i)
              .endSelector()
              .withNewTemplate()
              .withNewMetadata()
              .addToLabels("app", "app-" + i)
              .endMetadata()
              .withNewSpec()
              .withNewSecurityContext()
              .withRunAsNonRoot(compliant ? true : null)
              .withRunAsUser(compliant ? 1000L : null)
              .withNewSeccompProfile()
              .withType("RuntimeDefault")
              .endSeccompProfile()
              .endSecurityContext()
              .addNewContainer()
              .withName("main")
              .withImage("nginx:1.27")
              // A listen setting the default strategy (Auto) moves with the port, so the
              // Services still follow, as in the numbers the README quotes.
              .addNewEnv()
              .withName("PORT")
              .withValue(web ? "80" : "8080")
              .endEnv()
              .addNewPort()
              .withContainerPort(web ? 80 : 8080)
              .endPort()
              .withNewSecurityContext()
              .withAllowPrivilegeEscalation(compliant ? false : null)
              .withNewCapabilities()
              .withDrop(compliant ? List.of("ALL") : List.of())
              .endCapabilities()
              .endSecurityContext()
              .endContainer()
              .endSpec()
              .endTemplate()
              .endSpec();
      admin.resource(b.build()).create();
      if (web) {
        admin
            .resource(
                new ServiceBuilder()
                    .withNewMetadata()
                    .withName("app-" + i)
                    .withNamespace(ns)
                    .endMetadata()
                    .withNewSpec()
                    .addToSelector("app", "app-" + i)
                    .addNewPort()
                    .withPort(80)
                    .withTargetPort(new IntOrString(80))
                    .endPort()
                    .endSpec()
                    .build())
            .create();
      }
    }
    NonRootPolicy policy = new NonRootPolicy();
    policy.getMetadata().setName("baseline");
    admin.resource(policy).create();
    // An Audit policy holds back the first AUDITED_NAMESPACES namespaces (higher priority), so both
    // modes are measured in one run.
    NonRootPolicy audit = new NonRootPolicy();
    audit.getMetadata().setName("audit-all");
    audit.setSpec(new NonRootPolicySpec());
    audit.getSpec().setMode("Audit");
    audit.getSpec().setPriority(10);
    audit.getSpec().setMatch(new MatchSpec());
    List<String> audited = new ArrayList<>();
    for (int i = 0; i < AUDITED_NAMESPACES; i++) audited.add("ns-" + i);
    audit.getSpec().getMatch().setNamespaces(audited);
    admin.resource(audit).create();
    int inAudit = 0;
    int fixableInAudit = 0;
    for (int i = 0; i < n; i++) {
      if (i % NAMESPACES < AUDITED_NAMESPACES) {
        inAudit++;
        if (i % 4 != 0) fixableInAudit++;
      }
    }
    final int toPatch = fixable - fixableInAudit;
    final int audits = inAudit;
    System.out.printf(
        "setup: %d Deployments (%d to fix, %d with a Service) in %.1f s; policies: baseline"
            + " (Enforce), audit-all (Audit, priority 10, %d namespaces: %d workloads)%n",
        n, fixable, n / 4, (System.nanoTime() - t) / 1e9, AUDITED_NAMESPACES, inAudit);

    AtomicLong writes = new AtomicLong();
    AtomicLong singleGets = new AtomicLong();
    Interceptor counter =
        new Interceptor() {
          @Override
          public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
            String q = request.uri().getQuery();
            if (!request.method().equals("GET")) {
              if (!request.uri().getPath().contains("/events")) writes.incrementAndGet();
            } else if ((q == null || !q.contains("watch"))
                && isObjectPath(request.uri().getPath())) {
              singleGets.incrementAndGet();
            }
          }
        };
    KubernetesClient operatorClient =
        new KubernetesClientBuilder()
            .withConfig(new ConfigBuilder(admin.getConfiguration()).build())
            .withHttpClientBuilderConsumer(c -> c.addOrReplaceInterceptor("count", counter))
            .build();
    OperatingSystemMXBean os = ManagementFactory.getPlatformMXBean(OperatingSystemMXBean.class);
    long cpuStart = os.getProcessCpuTime();
    long start = System.nanoTime();
    // Unlimited patch budget: this measures the operator, not the rollout pacing (5/s by default).
    NonRootOperator operator =
        NonRootOperator.start(
            operatorClient, NonRootOperator.Settings.defaults().withPatchesPerSecond(0));
    OperatorMetrics m = operator.metrics();
    while (true) {
      NonRootPolicyStatus b = status(admin, "baseline");
      NonRootPolicyStatus a = status(admin, "audit-all");
      if (b != null
          && a != null
          && b.getMatched() == n
          && b.getRemediated() == toPatch
          && b.getCompliant() == n - audits
          && a.getMatched() == audits) break;
      if (System.nanoTime() - start > Duration.ofMinutes(5).toNanos()) {
        System.out.println(
            "did not converge within 5 minutes; status: "
                + new ObjectMapper().writeValueAsString(b));
        System.exit(1);
      }
      Thread.sleep(100);
    }
    double converge = (System.nanoTime() - start) / 1e9;
    // Late Service patches may still move the record; measure idleness once the statuses stop
    // changing.
    String last = null;
    while (true) {
      Thread.sleep(1500);
      String now =
          new ObjectMapper()
              .writeValueAsString(List.of(status(admin, "baseline"), status(admin, "audit-all")));
      if (now.equals(last)) break;
      last = now;
    }
    double settled = (System.nanoTime() - start) / 1e9;
    double convergeCpu = (os.getProcessCpuTime() - cpuStart) / 1e9;
    long evaluations = m.get(OperatorMetrics.EVALUATIONS);
    long reconciles = m.get(OperatorMetrics.RECONCILES);
    long passes = m.get(OperatorMetrics.STATUS_PASSES);
    double passMeanMs = passes == 0 ? 0 : m.get(OperatorMetrics.STATUS_PASS_NANOS) / 1e6 / passes;
    double passMaxMs = m.slowestStatusPassNanos() / 1e6;
    long writesAtConvergence = writes.get();
    long patches = m.get(OperatorMetrics.PATCHES);
    long servicePatches = m.get(OperatorMetrics.SERVICE_PATCHES);
    long statusWrites = m.get(OperatorMetrics.STATUS_WRITES);

    // Idle: a minute with nothing to do. Process CPU includes the in-process API server and the
    // JVM's own housekeeping (GC, JIT); operator threads are the JOSDK and client threads.
    Map<Long, Long> threadCpuBefore = operatorThreadCpu();
    long idleCpuStart = os.getProcessCpuTime();
    long idleStart = System.nanoTime();
    Thread.sleep(IDLE.toMillis());
    double idleMinutes = (System.nanoTime() - idleStart) / 60e9;
    double idleCpu = (os.getProcessCpuTime() - idleCpuStart) / 1e9 / idleMinutes;
    double idleOperatorCpu = cpuSince(threadCpuBefore) / 1e9 / idleMinutes;
    long idleWrites = writes.get() - writesAtConvergence;
    long idleEvaluations = m.get(OperatorMetrics.EVALUATIONS) - evaluations;
    long idlePasses = m.get(OperatorMetrics.STATUS_PASSES) - passes;
    int statusBytes = bytes(status(admin, "baseline"));
    int auditBytes = bytes(status(admin, "audit-all"));
    NonRootPolicyStatus status = status(admin, "baseline");
    System.gc();
    long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();

    System.out.printf(
        "converged: baseline %d compliant (%d overridden by audit-all), audit-all %d matched, %.1f s"
            + " after operator start; statuses settled at %.1f s; %.1f CPU s until settled%n",
        status.getCompliant(), status.getOverridden(), audits, converge, settled, convergeCpu);
    System.out.printf(
        "engine evaluations: %d for %d workload reconciles (%.2f per reconcile); status passes"
            + " evaluate nothing%n",
        evaluations, reconciles, (double) evaluations / reconciles);
    System.out.printf(
        "status passes: %d, mean %.1f ms, max %.1f ms (a fold over %d verdicts)%n",
        passes, passMeanMs, passMaxMs, n);
    System.out.printf(
        "workload patches: %d for %d workloads to patch (%.2f per workload)%n",
        patches, toPatch, (double) patches / toPatch);
    System.out.printf(
        "service patches: %d; status writes: %d (%.2f per second of convergence)%n",
        servicePatches, statusWrites, statusWrites / converge);
    System.out.printf("single-object GETs by the operator: %d%n", singleGets.get());
    System.out.printf(
        "idle %.0f s: %d writes, %d evaluations, %d status passes; CPU %.2f s/min for the whole"
            + " process, %.3f s/min in operator threads%n",
        idleMinutes * 60, idleWrites, idleEvaluations, idlePasses, idleCpu, idleOperatorCpu);
    System.out.printf(
        "status: baseline %d bytes (%d changes listed, %d truncated), audit-all %d bytes%n",
        statusBytes, status.getWorkloadChanges().size(), status.getTruncated(), auditBytes);
    System.out.printf(
        "heap in use after GC: %d MiB (whole process: operator, caches and the API server)%n",
        heap >> 20);
    operator.close();
    operatorClient.close();
    admin.close();
    server.destroy();
    System.exit(0);
  }

  private static NonRootPolicyStatus status(KubernetesClient admin, String name) {
    NonRootPolicy p = admin.resources(NonRootPolicy.class).withName(name).get();
    return p == null ? null : p.getStatus();
  }

  private static int bytes(Object o) throws IOException {
    return new ObjectMapper().writeValueAsString(o).getBytes(StandardCharsets.UTF_8).length;
  }

  /**
   * CPU time of the operator's threads: JOSDK's reconcilers, executors and informers, and the HTTP
   * client's (not the mock server's Vert.x/Netty threads, nor the JVM's own).
   */
  private static Map<Long, Long> operatorThreadCpu() {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    Map<Long, Long> out = new HashMap<>();
    for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info == null) continue;
      String name = info.getThreadName();
      if (name.startsWith("vert.x") || name.contains("netty") || name.equals("main")) continue;
      long cpu = threads.getThreadCpuTime(info.getThreadId());
      if (cpu >= 0) out.put(info.getThreadId(), cpu);
    }
    return out;
  }

  private static long cpuSince(Map<Long, Long> before) {
    Map<Long, Long> after = operatorThreadCpu();
    long total = 0;
    for (Map.Entry<Long, Long> e : after.entrySet()) {
      total += e.getValue() - before.getOrDefault(e.getKey(), 0L);
    }
    return total;
  }

  private static boolean isObjectPath(String path) {
    String rest =
        path.startsWith("/api/v1")
            ? path.substring(7)
            : path.replaceFirst("^/apis/[^/]+/[^/]+", "");
    return rest.replaceFirst("^/", "").split("/").length % 2 == 0;
  }
}
