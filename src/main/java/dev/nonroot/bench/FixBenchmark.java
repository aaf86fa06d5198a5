package dev.nonroot.bench;

import dev.nonroot.cli.InputLoader;
import dev.nonroot.cli.ManifestFixer;
import dev.nonroot.engine.policy.EffectivePolicy;
import dev.nonroot.engine.policy.PolicyResolver;
import dev.nonroot.manifest.ManifestFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * The speed target of `fix`: 10,000 Deployments and 10,000 Services in one file, fixed in under 3 s
 * of processing with a heap under 512 MiB. Generates the file, then times read, parse, evaluate,
 * apply, render and write, in-process, as `fix` does them.
 *
 * <pre>
 * java -Xmx512m -cp target/nonroot-operator.jar dev.nonroot.bench.FixBenchmark [DEPLOYMENTS [NAMESPACES]]
 * </pre>
 */
public final class FixBenchmark {
  static final long TARGET_MILLIS = 3_000;
  static final long TARGET_HEAP = 512L << 20;

  private FixBenchmark() {}

  public static void main(String[] args) throws IOException {
    int deployments = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int namespaces = args.length > 1 ? Integer.parseInt(args[1]) : 50;
    System.exit(run(System.out, deployments, namespaces) ? 0 : 1);
  }

  /** Runs once; true when both targets are met. */
  static boolean run(PrintStream out, int deployments, int namespaces) throws IOException {
    Path dir = Files.createTempDirectory("nonroot-bench");
    Path input = dir.resolve("bench.yaml");
    Path output = dir.resolve("fixed.yaml");
    try {
      Files.writeString(input, Manifests.generate(deployments, namespaces), StandardCharsets.UTF_8);
      System.gc();
      List<MemoryPoolMXBean> heap =
          ManagementFactory.getMemoryPoolMXBeans().stream()
              .filter(p -> p.getType() == MemoryType.HEAP)
              .toList();
      heap.forEach(MemoryPoolMXBean::resetPeakUsage);
      long gcBefore = gcCount();
      long gcMillisBefore = gcMillis();

      HeapSampler sampler = HeapSampler.start();
      long t0 = System.nanoTime();
      List<ManifestFile> files =
          InputLoader.load(List.of(input.toString()), InputStream.nullInputStream());
      long t1 = System.nanoTime();
      List<EffectivePolicy> policies = List.of(PolicyResolver.defaults());
      ManifestFixer.Result result = ManifestFixer.fix(files, policies);
      long t2 = System.nanoTime();
      String text = files.get(0).render();
      Files.writeString(output, text, StandardCharsets.UTF_8);
      long t3 = System.nanoTime();

      long sampled = sampler.stop();
      long poolPeaks = heap.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
      long millis = (t3 - t0) / 1_000_000;
      int documents = files.get(0).documents().size();
      boolean pass = millis < TARGET_MILLIS && sampled < TARGET_HEAP;
      out.printf(
          "documents:          %,d (%,d Deployments, %,d Services, %d namespaces)%n",
          documents, deployments, deployments, namespaces);
      out.printf("input bytes:        %,d%n", Files.size(input));
      out.printf("output bytes:       %,d%n", Files.size(output));
      out.printf(
          "changes:            %,d in %,d workloads and %,d services (%d need root)%n",
          result.appliedChanges(),
          result.workloadsChanged(),
          result.servicesChanged(),
          result.needsRoot());
      out.printf(
          "processing:         %,d ms (read+parse %,d ms, evaluate+apply %,d ms, render+write %,d ms)%n",
          millis, (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, (t3 - t2) / 1_000_000);
      out.printf("JVM uptime:         %,d ms%n", ManagementFactory.getRuntimeMXBean().getUptime());
      out.printf(
          "peak heap used:     %,d MiB sampled every 2 ms (upper bound, sum of pool peaks: %,d MiB; max heap %,d MiB)%n",
          sampled >> 20, poolPeaks >> 20, Runtime.getRuntime().maxMemory() >> 20);
      out.printf(
          "GC:                 %d collections, %,d ms%n",
          gcCount() - gcBefore, gcMillis() - gcMillisBefore);
      out.printf(
          "verdict:            %s (targets: < %,d ms processing, < %d MiB heap)%n",
          pass ? "PASS" : "FAIL", TARGET_MILLIS, TARGET_HEAP >> 20);
      return pass;
    } finally {
      Files.deleteIfExists(input);
      Files.deleteIfExists(output);
      Files.deleteIfExists(dir);
    }
  }

  /** Polls the heap's used size from a daemon thread and keeps the largest value seen. */
  private static final class HeapSampler implements Runnable {
    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private volatile boolean running = true;
    private volatile long max;
    private Thread thread;

    static HeapSampler start() {
      HeapSampler s = new HeapSampler();
      s.thread = new Thread(s, "heap-sampler");
      s.thread.setDaemon(true);
      s.thread.start();
      return s;
    }

    @Override
    public void run() {
      while (running) {
        max = Math.max(max, memory.getHeapMemoryUsage().getUsed());
        LockSupport.parkNanos(2_000_000);
      }
    }

    long stop() throws IOException {
      running = false;
      try {
        thread.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(e);
      }
      return Math.max(max, memory.getHeapMemoryUsage().getUsed());
    }
  }

  private static long gcMillis() {
    return ManagementFactory.getGarbageCollectorMXBeans().stream()
        .mapToLong(GarbageCollectorMXBean::getCollectionTime)
        .sum();
  }

  private static long gcCount() {
    return ManagementFactory.getGarbageCollectorMXBeans().stream()
        .mapToLong(GarbageCollectorMXBean::getCollectionCount)
        .sum();
  }

  /**
   * The benchmark's input: Deployments with a Service each, in ten shapes that exercise every path
   * of fix (compliant, low ports with probes and Services, privileged, root UID, Unconfined
   * seccomp, needs-root, exempt, named ports, comments and strings that must stay quoted).
   */
  static final class Manifests {
    private Manifests() {}

    static String generate(int deployments, int namespaces) {
      StringBuilder out = new StringBuilder(deployments * 2_200);
      for (int i = 0; i < deployments; i++) {
        String name = "app-" + i;
        String ns = "team-" + (i % Math.max(1, namespaces));
        int shape = i % 10;
        out.append("---\n").append(deployment(shape, name, ns));
        out.append("---\n").append(service(shape, name, ns));
      }
      return out.toString();
    }

    private static String deployment(int shape, String name, String ns) {
      String annotations = shape == 7 ? "  annotations:\n    nonroot.dev/exempt: \"true\"\n" : "";
      return """
          apiVersion: apps/v1
          kind: Deployment
          metadata:
            name: %1$s
            namespace: %2$s
            labels:
              app: %1$s
              tier: "backend"
          %3$sspec:
            replicas: 2
            selector:
              matchLabels:
                app: %1$s
            template:
              metadata:
                labels:
                  app: %1$s
              spec:
          """
              .formatted(name, ns, annotations)
          + podSpec(shape, name).stripIndent().indent(6);
    }

    private static String podSpec(int shape, String name) {
      return switch (shape) {
        case 0, 1 ->
            """
                  securityContext:
                    runAsNonRoot: true
                    runAsUser: 10001
                    seccompProfile:
                      type: RuntimeDefault
                  containers:
                    - name: web
                      image: registry.example/%s:1.0
                      ports:
                        - containerPort: 8080
                      securityContext:
                        allowPrivilegeEscalation: false
                        capabilities:
                          drop: ["ALL"]
                      resources:
                        limits:
                          memory: 128Mi"""
                .formatted(name);
        case 2 ->
            """
                  containers:
                    - name: nginx
                      image: nginx:1.27
                      ports:
                        - containerPort: 80""";
        case 3 ->
            """
                  containers:
                    - name: web
                      image: registry.example/web:2
                      args: ["--http-port=80", "--https-port=443"]
                      ports:
                        - containerPort: 80
                          name: http
                        - containerPort: 443
                          name: https
                      livenessProbe:
                        httpGet:
                          path: /healthz
                          port: 80
                      readinessProbe:
                        tcpSocket:
                          port: 443""";
        case 4 ->
            """
                  securityContext:
                    runAsUser: 0
                  containers:
                    - name: agent
                      image: registry.example/agent:3
                      securityContext:
                        privileged: true""";
        case 5 ->
            """
                  securityContext:
                    seccompProfile:
                      type: Unconfined
                  initContainers:
                    - name: init
                      image: busybox:1.36
                      command: ["sh", "-c", "echo init"]
                  containers:
                    - name: main
                      image: registry.example/main:4
                      securityContext:
                        allowPrivilegeEscalation: true
                        capabilities:
                          add: ["NET_ADMIN"]
                    - name: sidecar
                      image: registry.example/sidecar:1
                      ports:
                        - containerPort: 9090""";
        case 6 ->
            """
                  containers:
                    - name: tuner
                      image: registry.example/tuner:1
                      securityContext:
                        capabilities:
                          add: ["SYS_ADMIN"]""";
        case 8 ->
            """
                  containers:
                    - name: web
                      image: registry.example/web:2
                      env:
                        - name: PORT
                          value: "80"
                      ports:
                        - name: http
                          containerPort: 80""";
        default ->
            """
                  # the app reads its port from PORT
                  containers:
                    - name: worker
                      image: 'registry.example/worker:5'
                      env:
                        - name: PORT
                          value: "8080"
                        - name: DEBUG
                          value: "true"
                        - name: RATIO
                          value: "1.0"
                      command:
                        - sh
                        - -c
                        - |
                          echo starting
                          exec worker --port "$PORT"
                      ports:
                        - containerPort: 8080""";
      };
    }

    private static String service(int shape, String name, String ns) {
      String ports =
          switch (shape) {
            case 2 -> "    - port: 80\n";
            case 3 ->
                "    - name: http\n      port: 80\n      targetPort: 80\n    - name: https\n      port: 443\n      targetPort: 443\n";
            case 8 -> "    - port: 80\n      targetPort: http\n";
            default -> "    - port: 80\n      targetPort: 8080\n";
          };
      return """
          apiVersion: v1
          kind: Service
          metadata:
            name: %1$s
            namespace: %2$s
          spec:
            selector:
              app: %1$s
            ports:
          %3$s"""
          .formatted(name, ns, ports);
    }
  }
}
