package dev.nonroot.bench;

import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.nonroot.cli.BadInputException;
import dev.nonroot.cli.Console;
import dev.nonroot.cli.InputLoader;
import dev.nonroot.cli.Main;
import dev.nonroot.cli.ManifestFixer;
import dev.nonroot.cli.Subcommand;
import dev.nonroot.engine.policy.PolicyResolver;
import dev.nonroot.manifest.ManifestDocument;
import dev.nonroot.manifest.ManifestFile;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * Issue 10's offline benchmark: {@code fix} and {@code scan} on one file of N Deployments and N
 * Services, against two references measured in the same run. The floor reads, parses and writes
 * back the same documents without evaluating them (the code {@code fix} runs, minus the engine and
 * the patching); the baseline is a plain SnakeYAML program that composes the documents into node
 * trees and writes them out again ({@link SnakeYamlRoundTrip}). In-process times are taken after
 * warm-up runs, round-robin so that background load hits every task alike; whole-process times run
 * {@code java -jar … fix} and the baseline as child processes, cold, as a user would.
 */
@Command(
    name = "bench-cli",
    mixinStandardHelpOptions = true,
    description = {
      "Measure fix and scan on one file of N Deployments and N Services.",
      "Compares them with the floor (read, parse and write back the same documents) and with a",
      "plain SnakeYAML round trip, in-process and as whole processes.",
      "Prints a table and writes cli.json to --out."
    })
public final class CliBenchCommand implements Subcommand {
  static final double TARGET_FIX_SECONDS = 1.5;
  static final double TARGET_FLOOR_RATIO = 1.5;
  static final double TARGET_PROCESS_RATIO = 1.0;

  private static final JsonMapper JSON =
      JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

  @ParentCommand private Main main;

  @Option(
      names = "--workloads",
      paramLabel = "N",
      defaultValue = "10000",
      description = "Deployments in the file, each with a Service (default: ${DEFAULT-VALUE})")
  private int workloads;

  @Option(
      names = "--warmup",
      paramLabel = "W",
      defaultValue = "3",
      description = "untimed in-process rounds first, for the JIT (default: ${DEFAULT-VALUE})")
  private int warmup;

  @Option(
      names = "--runs",
      paramLabel = "R",
      defaultValue = "5",
      description = "timed in-process rounds; medians are reported (default: ${DEFAULT-VALUE})")
  private int runs;

  @Option(
      names = "--process-runs",
      paramLabel = "P",
      defaultValue = "3",
      description = "whole-process rounds; 0 skips them (default: ${DEFAULT-VALUE})")
  private int processRuns;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      defaultValue = "target/bench",
      description = "where the input, outputs and cli.json go (default: ${DEFAULT-VALUE})")
  private Path out;

  /** One timed task of a round. */
  private interface Task {
    void run() throws Exception;
  }

  @Override
  public Integer call() throws Exception {
    Console console = main.console();
    if (workloads < 1) throw new BadInputException("--workloads must be at least 1");
    if (runs < 1 || warmup < 0 || processRuns < 0) {
      throw new BadInputException(
          "--runs must be at least 1, --warmup and --process-runs 0 or more");
    }
    Files.createDirectories(out);
    Path input = out.resolve("cli-input.yaml");
    Files.writeString(
        input, CliManifests.generate(workloads, CliManifests.NAMESPACES), StandardCharsets.UTF_8);
    String in = input.toString();
    double loadBefore = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    console.println(
        String.format(
            Locale.ROOT,
            "bench-cli: %,d Deployments + %,d Services, %,d bytes in %s; load average %.1f",
            workloads,
            workloads,
            Files.size(input),
            input,
            loadBefore));

    Map<String, Task> tasks = new LinkedHashMap<>();
    tasks.put("floor", () -> floor(in, out.resolve("cli-floor.out"), false));
    tasks.put("rewrite", () -> floor(in, out.resolve("cli-rewrite.out"), true));
    tasks.put("fix", () -> command(out.resolve("cli-fix.out"), "fix", in));
    tasks.put("scan", () -> command(out.resolve("cli-scan.out"), "scan", in));
    tasks.put("snakeyaml", () -> snakeYaml(input, out.resolve("cli-snakeyaml.out")));
    Map<String, List<Double>> times = new LinkedHashMap<>();
    tasks.keySet().forEach(k -> times.put(k, new ArrayList<>()));
    List<Double> fixRatios = new ArrayList<>();
    List<Double> rewriteRatios = new ArrayList<>();
    List<double[]> phases = new ArrayList<>();
    for (int round = 0; round < warmup + runs; round++) {
      boolean timed = round >= warmup;
      Map<String, Double> thisRound = new LinkedHashMap<>();
      for (Map.Entry<String, Task> t : rotated(tasks, round)) {
        System.gc();
        long t0 = System.nanoTime();
        t.getValue().run();
        thisRound.put(t.getKey(), (System.nanoTime() - t0) / 1e9);
      }
      System.gc();
      double[] p = fixPhases(in, out.resolve("cli-fix-phases.out"));
      if (!timed) continue;
      thisRound.forEach((k, v) -> times.get(k).add(v));
      fixRatios.add(thisRound.get("fix") / thisRound.get("floor"));
      rewriteRatios.add(thisRound.get("fix") / thisRound.get("rewrite"));
      phases.add(p);
    }
    if (!Files.readString(out.resolve("cli-fix.out"), StandardCharsets.UTF_8)
        .equals(Files.readString(out.resolve("cli-fix-phases.out"), StandardCharsets.UTF_8))) {
      throw new IllegalStateException("the phased fix wrote other text than fix");
    }
    if (!Files.readString(out.resolve("cli-rewrite.out"), StandardCharsets.UTF_8)
        .equals(Files.readString(out.resolve("cli-floor.out"), StandardCharsets.UTF_8))) {
      throw new IllegalStateException("rendering every document from its tree changed the text");
    }

    Map<String, Object> report = new LinkedHashMap<>();
    report.put("workloads", workloads);
    report.put("services", workloads);
    report.put("inputBytes", Files.size(input));
    report.put("warmupRounds", warmup);
    report.put("rounds", runs);
    report.put("loadAverageAtStart", round3(loadBefore));
    times.forEach((k, v) -> spread(report, k + "Seconds", v));
    spread(report, "fixOverFloor", fixRatios);
    spread(report, "fixOverRewrite", rewriteRatios);
    report.put("scanOverFloor", round3(median(times.get("scan")) / median(times.get("floor"))));
    report.put(
        "fixOverSnakeyaml", round3(median(times.get("fix")) / median(times.get("snakeyaml"))));
    report.put("fixReadParseSeconds", round3(median(column(phases, 0))));
    report.put("fixEvaluateApplySeconds", round3(median(column(phases, 1))));
    report.put("fixRenderWriteSeconds", round3(median(column(phases, 2))));

    if (processRuns > 0) {
      ChildProcesses children = new ChildProcesses(out);
      List<Double> fix = new ArrayList<>();
      List<Double> scan = new ArrayList<>();
      List<Double> snake = new ArrayList<>();
      List<Double> ratios = new ArrayList<>();
      for (int i = 0; i < processRuns; i++) {
        double f = children.product("cli-process-fix.out", "fix", in);
        double b = children.snakeYaml(in, "cli-process-snakeyaml.out");
        double s = children.product("cli-process-scan.out", "scan", in);
        fix.add(f);
        snake.add(b);
        scan.add(s);
        ratios.add(f / b);
      }
      if (!Files.readString(out.resolve("cli-process-fix.out"), StandardCharsets.UTF_8)
          .equals(Files.readString(out.resolve("cli-fix.out"), StandardCharsets.UTF_8))) {
        throw new IllegalStateException("fix as a process wrote other text than fix in-process");
      }
      report.put("processRounds", processRuns);
      spread(report, "processFixSeconds", fix);
      spread(report, "processScanSeconds", scan);
      spread(report, "processSnakeyamlSeconds", snake);
      spread(report, "processFixOverSnakeyaml", ratios);
    }
    report.put(
        "loadAverageAtEnd",
        round3(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));

    console.print(CliBenchTable.render(report));
    Path json = out.resolve("cli.json");
    Files.writeString(json, JSON.writeValueAsString(report) + "\n", StandardCharsets.UTF_8);
    console.println("wrote " + json);
    return 0;
  }

  /**
   * The tasks in the order of this round: each goes first once in as many rounds as there are
   * tasks.
   */
  private static List<Map.Entry<String, Task>> rotated(Map<String, Task> tasks, int round) {
    List<Map.Entry<String, Task>> all = new ArrayList<>(tasks.entrySet());
    List<Map.Entry<String, Task>> out = new ArrayList<>();
    for (int i = 0; i < all.size(); i++) out.add(all.get((i + round) % all.size()));
    return out;
  }

  /** The floor: fix's reading, parsing and writing, with nothing evaluated or changed. */
  private static void floor(String in, Path to, boolean rerender) throws IOException {
    try (PrintStream stdout = stream(to)) {
      Console console = new Console(InputStream.nullInputStream(), stdout, nowhere());
      List<ManifestFile> files = InputLoader.load(List.of(in), console.in());
      // Rerendered: every document written from its parsed tree instead of copied as read, what
      // "write back the documents" costs when nothing may be assumed unchanged.
      if (rerender) files.get(0).documents().forEach(ManifestDocument::markChanged);
      console.print(files.get(0).render());
    }
  }

  /** A product command, in-process, its standard output to a file. */
  private static void command(Path to, String... args) throws IOException {
    try (PrintStream stdout = stream(to)) {
      int exit = Main.execute(args, InputStream.nullInputStream(), stdout, nowhere());
      if (exit > 1) throw new IllegalStateException(String.join(" ", args) + " exited " + exit);
    }
  }

  private static void snakeYaml(Path in, Path to) throws IOException {
    try (OutputStream o = Files.newOutputStream(to)) {
      SnakeYamlRoundTrip.run(in, o);
    }
  }

  /** fix's steps timed one by one (read+parse, evaluate+apply, render+write), in seconds. */
  private static double[] fixPhases(String in, Path to) throws IOException {
    try (PrintStream stdout = stream(to)) {
      Console console = new Console(InputStream.nullInputStream(), stdout, nowhere());
      long t0 = System.nanoTime();
      List<ManifestFile> files = InputLoader.load(List.of(in), console.in());
      long t1 = System.nanoTime();
      ManifestFixer.fix(files, List.of(PolicyResolver.defaults()));
      long t2 = System.nanoTime();
      console.print(files.get(0).render());
      long t3 = System.nanoTime();
      return new double[] {(t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9};
    }
  }

  private static PrintStream stream(Path to) throws IOException {
    return new PrintStream(new BufferedOutputStream(Files.newOutputStream(to), 1 << 16), false);
  }

  private static PrintStream nowhere() {
    return new PrintStream(OutputStream.nullOutputStream());
  }

  private static List<Double> column(List<double[]> rows, int i) {
    return rows.stream().map(r -> r[i]).toList();
  }

  /** The median under {@code key}, the smallest and largest under keyMin and keyMax. */
  private static void spread(Map<String, Object> report, String key, List<Double> values) {
    Percentiles p = Percentiles.of(values);
    report.put(key, round3(p.median()));
    report.put(key + "Min", round3(p.min()));
    report.put(key + "Max", round3(p.max()));
  }

  private static double median(List<Double> values) {
    return Percentiles.of(values).median();
  }

  private static double round3(double v) {
    return Math.round(v * 1000) / 1000.0;
  }
}
