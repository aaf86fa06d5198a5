package dev.nonroot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MainTest {
  @Test
  void helpListsTheCommands() {
    CliRun r = CliRun.run("--help");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("Usage: nonroot-operator");
    assertThat(r.out().lines().map(String::strip))
        .anyMatch(l -> l.startsWith("scan "))
        .anyMatch(l -> l.startsWith("fix "))
        .anyMatch(l -> l.startsWith("run ") && l.endsWith("."))
        .anyMatch(l -> l.startsWith("demo ") && l.endsWith("."))
        .anyMatch(l -> l.startsWith("bench ") && l.endsWith("."))
        .anyMatch(l -> l.startsWith("soak ") && l.endsWith("."));
  }

  @Test
  void soakRefusesBadSharesAndARoundChecksEveryRecord() {
    CliRun bad = CliRun.run("soak", "--server-errors", "0.9", "--conflicts", "0.2");
    assertThat(bad.exit()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(bad.err()).contains("add up to at most 1");

    // One round (the shortest run has one) over a small cluster, faults on.
    CliRun r =
        CliRun.run("soak", "--minutes", "0.01", "--workloads", "10", "--watch-lag-seconds", "0");
    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    assertThat(r.out())
        .containsPattern("round   1: 25 live; converged in [0-9.]+ s; \\d+ objects, \\d+ entries")
        .contains("faults injected")
        .containsPattern("violations +0");
  }

  @Test
  void benchSaysTheRolloutBudgetIsOffAndRefusesBadCountsBeforeStartingAnything() {
    CliRun help = CliRun.run("bench", "--help");
    assertThat(help.exit()).isZero();
    assertThat(help.out())
        .contains("--workloads")
        .contains("--policies")
        .contains("rollout budget");
    CliRun none = CliRun.run("bench", "--workloads", "0");
    assertThat(none.exit()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(none.err().strip()).isEqualTo("--workloads must be at least 1");
    CliRun tooMany = CliRun.run("bench", "--policies", "101");
    assertThat(tooMany.exit()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(tooMany.err()).contains("--policies must be between 1 and 100");
  }

  @Test
  void benchCliIsListedAndRefusesBadCountsBeforeWritingAnything() {
    assertThat(CliRun.run("--help").out().lines().map(String::strip))
        .anyMatch(l -> l.startsWith("bench-cli ") && l.endsWith("."));
    CliRun help = CliRun.run("bench-cli", "--help");
    assertThat(help.exit()).isZero();
    assertThat(help.out()).contains("--workloads").contains("--runs").contains("SnakeYAML");
    CliRun none = CliRun.run("bench-cli", "--workloads", "0");
    assertThat(none.exit()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(none.err().strip()).isEqualTo("--workloads must be at least 1");
  }

  @Test
  void subcommandHelpShowsOptions() {
    CliRun scan = CliRun.run("scan", "--help");
    CliRun fix = CliRun.run("fix", "--help");
    assertThat(scan.exit()).isZero();
    assertThat(scan.out()).contains("--policy").contains("--output").contains("PATH");
    assertThat(fix.exit()).isZero();
    assertThat(fix.out()).contains("--in-place").contains("--report");
  }

  @Test
  void noCommandIsAUsageError() {
    CliRun r = CliRun.run();
    assertThat(r.exit()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(r.err()).contains("Usage: nonroot-operator");
  }

  @Test
  void unknownOptionIsOneLineWithAHint() {
    CliRun r = CliRun.run("scan", "--frobnicate", "x.yaml");
    assertThat(r.exit()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(r.errLine())
        .doesNotContain("\n")
        .contains("Unknown option: '--frobnicate'")
        .contains("nonroot-operator scan --help");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void missingPathIsAUsageError() {
    CliRun r = CliRun.run("fix");
    assertThat(r.exit()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(r.errLine()).doesNotContain("\n").contains("PATH");
  }

  @Test
  void unknownOutputFormatIsAUsageError() {
    CliRun r = CliRun.run("scan", "-o", "xml", "x.yaml");
    assertThat(r.exit()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(r.errLine()).doesNotContain("\n").contains("xml").contains("table, json");
  }

  @Test
  void unknownCommandIsAUsageError() {
    CliRun r = CliRun.run("scna", "x.yaml");
    assertThat(r.exit()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(r.errLine()).doesNotContain("\n").contains("scna");
  }

  @Test
  void runWithoutAReachableClusterSaysSoInOneLine() {
    Map<String, String> props =
        Map.of(
            "kubernetes.auth.tryKubeConfig", "false",
            "kubernetes.auth.tryServiceAccount", "false",
            "kubernetes.master", "http://127.0.0.1:1");
    props.forEach(System::setProperty);
    try {
      CliRun r = CliRun.run("run", "--health-port", "0");
      assertThat(r.exit()).isEqualTo(ExitCodes.BAD_INPUT);
      assertThat(r.err().strip())
          .startsWith("cannot reach the API server at http://127.0.0.1:1/")
          .doesNotContain("\n")
          .doesNotContain("Exception:");
    } finally {
      props.keySet().forEach(System::clearProperty);
    }
  }

  @Test
  void aPatchBudgetThatIsNotANumberIsRefused() {
    CliRun r = CliRun.run("run", "--max-patches-per-second", "NaN");
    assertThat(r.exit()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(r.err().strip())
        .isEqualTo("--max-patches-per-second must be 0 (no limit) or at least 0.01, got NaN");
  }

  @Test
  void anUnknownLogFormatIsRefused() {
    CliRun r = CliRun.run("run", "--log-format", "xml");
    assertThat(r.exit()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(r.err().strip()).isEqualTo("--log-format must be text or json, got xml");
  }

  @Test
  void onTwoProcessorsAsyncCompletionsRunOnAPoolNotOnAThreadEach() throws Exception {
    // The JDK's own choice with two processors is a new thread per completion (one per API
    // response of the operator's client).
    assertThat(probe("-XX:ActiveProcessorCount=2")).isEqualTo("true");
    assertThat(probe("-XX:ActiveProcessorCount=1")).isEqualTo("true");
    // An explicit setting wins.
    assertThat(
            probe(
                "-XX:ActiveProcessorCount=2",
                "-Djava.util.concurrent.ForkJoinPool.common.parallelism=1"))
        .isEqualTo("false");
  }

  private static String probe(String... jvmOptions) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of(jvmOptions));
    command.addAll(
        List.of("-cp", System.getProperty("java.class.path"), CommonPoolProbe.class.getName()));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return out;
  }
}
