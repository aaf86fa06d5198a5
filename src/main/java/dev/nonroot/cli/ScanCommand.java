package dev.nonroot.cli;

import dev.nonroot.engine.plan.Rule;
import dev.nonroot.engine.policy.EffectivePolicy;
import dev.nonroot.manifest.ManifestFile;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "scan",
    sortOptions = false,
    mixinStandardHelpOptions = true,
    description = {
      "Report what in Kubernetes manifests violates the policy. Changes nothing.",
      "Exit status: 0 nothing to fix, 1 something violates (a fix or a manual change is due),",
      "2 bad input or usage. Workloads that need root are reported but fail the scan only with",
      "--fail-on-needs-root."
    })
final class ScanCommand implements Callable<Integer> {
  enum Format {
    table,
    json
  }

  @ParentCommand private Main main;

  @Option(
      names = "--policy",
      paramLabel = "FILE",
      description = "NonRootPolicy YAML (repeatable). Default: a policy with every default.")
  private List<Path> policies;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      defaultValue = "table",
      description = "table (default) or json: one JSON array of findings.")
  private Format output;

  @Option(
      names = "--fail-on-needs-root",
      description =
          "Also exit 1 when the only findings are workloads that need root (left unchanged).")
  private boolean failOnNeedsRoot;

  @Parameters(
      arity = "1..*",
      paramLabel = "PATH",
      description =
          "A file, a directory (every *.yaml and *.yml in it, recursively) or - for standard input.")
  private List<String> paths;

  @Override
  public Integer call() {
    Console console = main.console();
    List<EffectivePolicy> policy = PolicyLoader.load(policies);
    List<ManifestFile> files = InputLoader.load(paths, console.in());
    ManifestInventory inventory = ManifestInventory.of(files);
    List<WorkloadResult> results = ManifestEvaluator.evaluate(files, policy, inventory);
    List<FindingRow> rows = FindingRow.of(results, inventory);
    if (output == Format.json) {
      console.print(Json.write(rows));
    } else if (!rows.isEmpty()) {
      console.print(FindingTable.render(rows));
    }
    console.error(ScanSummary.of(results, rows, files.size()));
    return failing(rows) ? ExitCodes.FINDINGS : ExitCodes.OK;
  }

  /**
   * A CI gate fails on what someone must change; a legitimate need for root is reported, and fails
   * it only when asked.
   */
  private boolean failing(List<FindingRow> rows) {
    for (FindingRow r : rows) {
      if (failOnNeedsRoot || !r.rule().equals(Rule.NeedsRoot.name())) return true;
    }
    return false;
  }
}
