package dev.nonroot.cli.bench;

import dev.nonroot.cli.InputLoader;
import dev.nonroot.cli.ManifestFixer;
import dev.nonroot.cli.manifest.ManifestFile;
import dev.nonroot.engine.EffectivePolicy;
import dev.nonroot.engine.PolicyResolver;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The speed target of `fix`: 10,000 Deployments and 10,000 Services in one file, fixed in under
 * 3 s of processing with a heap under 512 MiB. Generates the file, then times read, parse,
 * evaluate, apply, render and write, in-process, as `fix` does them.
 *
 * <pre>java -Xmx512m -cp target/nonroot-operator.jar dev.nonroot.cli.bench.FixBenchmark [DEPLOYMENTS [NAMESPACES]]</pre>
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
      Files.writeString(input, BenchManifests.generate(deployments, namespaces), StandardCharsets.UTF_8);
      System.gc();
      List<MemoryPoolMXBean> heap = ManagementFactory.getMemoryPoolMXBeans().stream()
          .filter(p -> p.getType() == MemoryType.HEAP).toList();
      heap.forEach(MemoryPoolMXBean::resetPeakUsage);
      long gcBefore = gcCount();

      long t0 = System.nanoTime();
      List<ManifestFile> files = InputLoader.load(List.of(input.toString()), InputStream.nullInputStream());
      long t1 = System.nanoTime();
      List<EffectivePolicy> policies = List.of(PolicyResolver.defaults());
      ManifestFixer.Result result = ManifestFixer.fix(files, policies);
      long t2 = System.nanoTime();
      String text = files.get(0).render();
      Files.writeString(output, text, StandardCharsets.UTF_8);
      long t3 = System.nanoTime();

      long peak = heap.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
      long millis = (t3 - t0) / 1_000_000;
      int documents = files.get(0).documents().size();
      boolean pass = millis < TARGET_MILLIS && peak < TARGET_HEAP;
      out.printf("documents:          %,d (%,d Deployments, %,d Services, %d namespaces)%n",
          documents, deployments, deployments, namespaces);
      out.printf("input bytes:        %,d%n", Files.size(input));
      out.printf("output bytes:       %,d%n", Files.size(output));
      out.printf("changes:            %,d in %,d workloads and %,d services (%d need root)%n",
          result.appliedChanges(), result.workloadsChanged(), result.servicesChanged(), result.needsRoot());
      out.printf("processing:         %,d ms (read+parse %,d ms, evaluate+apply %,d ms, render+write %,d ms)%n",
          millis, (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, (t3 - t2) / 1_000_000);
      out.printf("JVM uptime:         %,d ms%n", ManagementFactory.getRuntimeMXBean().getUptime());
      out.printf("peak heap used:     %,d MiB (sum of heap pool peaks; max heap %,d MiB; %d GCs)%n",
          peak >> 20, Runtime.getRuntime().maxMemory() >> 20, gcCount() - gcBefore);
      out.printf("verdict:            %s (targets: < %,d ms processing, < %d MiB heap)%n",
          pass ? "PASS" : "FAIL", TARGET_MILLIS, TARGET_HEAP >> 20);
      return pass;
    } finally {
      Files.deleteIfExists(input);
      Files.deleteIfExists(output);
      Files.deleteIfExists(dir);
    }
  }

  private static long gcCount() {
    return ManagementFactory.getGarbageCollectorMXBeans().stream()
        .mapToLong(GarbageCollectorMXBean::getCollectionCount).sum();
  }
}
