package dev.nonroot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MainTest {
  @Test
  void helpListsTheCommands() {
    CliRun r = CliRun.run("--help");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("scan").contains("fix").contains("Usage: nonroot-operator");
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
    assertThat(r.errLine()).doesNotContain("\n")
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
}
