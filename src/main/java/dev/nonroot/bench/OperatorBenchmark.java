package dev.nonroot.bench;

import dev.nonroot.api.NonRootPolicy;
import dev.nonroot.api.NonRootPolicyStatus;
import dev.nonroot.operator.NonRootOperator;
import dev.nonroot.operator.OperatorMetrics;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
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
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs the real operator against an in-process CRUD API server holding N Deployments (3 in 4 need
 * fixing, 1 in 4 with a port-80 Service) under one Enforce policy, and prints how long it takes to
 * converge, how many writes it makes, and how big the status gets.
 *
 * <p>java -cp target/nonroot-operator.jar dev.nonroot.bench.OperatorBenchmark [workloads]
 */
public final class OperatorBenchmark {
  private OperatorBenchmark() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
    Logger.getLogger("io.fabric8.mockwebserver").setLevel(Level.WARNING);
    Logger.getLogger("okhttp3.mockwebserver").setLevel(Level.WARNING);
    KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        new KubernetesCrudDispatcher(List.of()), false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    KubernetesClient admin = server.createClient();
    try (InputStream in = OperatorBenchmark.class.getResourceAsStream("/crds/nonrootpolicies.nonroot.dev-v1.yml")) {
      CustomResourceDefinition crd = admin.apiextensions().v1().customResourceDefinitions().load(in).item();
      admin.resource(crd).create();
    }
    long t = System.nanoTime();
    int fixable = 0;
    for (int i = 0; i < n; i++) {
      boolean compliant = i % 4 == 0;
      boolean web = i % 4 == 1;
      if (!compliant) fixable++;
      String ns = "ns-" + (i % 50);
      var b = new DeploymentBuilder()
          .withNewMetadata().withName("app-" + i).withNamespace(ns).endMetadata()
          .withNewSpec().withNewSelector().addToMatchLabels("app", "app-" + i).endSelector()
          .withNewTemplate().withNewMetadata().addToLabels("app", "app-" + i).endMetadata()
          .withNewSpec()
            .withNewSecurityContext().withRunAsNonRoot(compliant ? true : null).withRunAsUser(compliant ? 1000L : null)
              .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile().endSecurityContext()
            .addNewContainer().withName("main").withImage("nginx:1.27")
              .addNewPort().withContainerPort(web ? 80 : 8080).endPort()
              .withNewSecurityContext().withAllowPrivilegeEscalation(compliant ? false : null)
                .withNewCapabilities().withDrop(compliant ? List.of("ALL") : List.of()).endCapabilities()
              .endSecurityContext()
            .endContainer()
          .endSpec().endTemplate().endSpec();
      admin.resource(b.build()).create();
      if (web) {
        admin.resource(new ServiceBuilder().withNewMetadata().withName("app-" + i).withNamespace(ns).endMetadata()
            .withNewSpec().addToSelector("app", "app-" + i).addNewPort().withPort(80)
            .withTargetPort(new IntOrString(80)).endPort().endSpec().build()).create();
      }
    }
    NonRootPolicy policy = new NonRootPolicy();
    policy.getMetadata().setName("baseline");
    admin.resource(policy).create();
    System.out.printf("setup: %d Deployments (%d to fix, %d with a Service) in %.1f s%n", n, fixable, n / 4,
        (System.nanoTime() - t) / 1e9);

    AtomicLong writes = new AtomicLong();
    AtomicLong singleGets = new AtomicLong();
    Interceptor counter = new Interceptor() {
      @Override
      public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
        String q = request.uri().getQuery();
        if (!request.method().equals("GET")) {
          if (!request.uri().getPath().contains("/events")) writes.incrementAndGet();
        } else if ((q == null || !q.contains("watch")) && isObjectPath(request.uri().getPath())) {
          singleGets.incrementAndGet();
        }
      }
    };
    KubernetesClient operatorClient = new KubernetesClientBuilder()
        .withConfig(new ConfigBuilder(admin.getConfiguration()).build())
        .withHttpClientBuilderConsumer(c -> c.addOrReplaceInterceptor("count", counter)).build();
    long start = System.nanoTime();
    // Unlimited patch budget: this measures the operator, not the rollout pacing (5/s by default).
    NonRootOperator operator = NonRootOperator.start(operatorClient,
        NonRootOperator.Settings.defaults().withPatchesPerSecond(0));
    NonRootPolicyStatus status;
    final int expected = fixable;
    while (true) {
      status = admin.resources(NonRootPolicy.class).withName("baseline").get().getStatus();
      if (status != null && status.getCompliant() == n && status.getRemediated() == expected) break;
      if (System.nanoTime() - start > Duration.ofMinutes(5).toNanos()) {
        System.out.println("did not converge within 5 minutes; status: " + new ObjectMapper().writeValueAsString(status));
        System.exit(1);
      }
      Thread.sleep(100);
    }
    double converge = (System.nanoTime() - start) / 1e9;
    // Late Service patches may still move the record; measure idleness once the status stops changing.
    String last = null;
    while (true) {
      Thread.sleep(1500);
      status = admin.resources(NonRootPolicy.class).withName("baseline").get().getStatus();
      String now = new ObjectMapper().writeValueAsString(status);
      if (now.equals(last)) break;
      last = now;
    }
    double settled = (System.nanoTime() - start) / 1e9;
    long writesAtConvergence = writes.get();
    long patches = operator.metrics().get(OperatorMetrics.PATCHES);
    long servicePatches = operator.metrics().get(OperatorMetrics.SERVICE_PATCHES);
    long statusWrites = operator.metrics().get(OperatorMetrics.STATUS_WRITES);
    Thread.sleep(5000);
    long idleWrites = writes.get() - writesAtConvergence;
    int statusBytes = new ObjectMapper().writeValueAsString(status).getBytes(StandardCharsets.UTF_8).length;
    System.gc();
    long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();

    System.out.printf("converged: %d workloads compliant %.1f s after operator start (%.0f workloads/s); status settled at %.1f s%n",
        n, converge, n / converge, settled);
    System.out.printf("workload patches: %d for %d workloads needing fixes (%.2f per workload)%n", patches, expected,
        (double) patches / expected);
    System.out.printf("service patches: %d; status writes: %d (%.2f per second of convergence)%n", servicePatches,
        statusWrites, statusWrites / converge);
    System.out.printf("single-object GETs by the operator: %d%n", singleGets.get());
    System.out.printf("writes in the 5 s after the status settled: %d%n", idleWrites);
    System.out.printf("status: %d bytes (budget 262144), %d changes listed, %d truncated%n", statusBytes,
        status.getChanges().size(), status.getTruncated());
    System.out.printf("heap in use after GC: %d MiB (whole process: operator, caches and the API server)%n", heap >> 20);
    operator.close();
    operatorClient.close();
    admin.close();
    server.destroy();
    System.exit(0);
  }

  private static boolean isObjectPath(String path) {
    String rest = path.startsWith("/api/v1") ? path.substring(7) : path.replaceFirst("^/apis/[^/]+/[^/]+", "");
    return rest.replaceFirst("^/", "").split("/").length % 2 == 0;
  }
}
