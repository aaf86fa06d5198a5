package dev.nonroot.cli;

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
      "Exit status: 0 nothing violates, 1 findings, 2 bad input or usage."
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
    return rows.isEmpty() ? ExitCodes.OK : ExitCodes.FINDINGS;
  }
}
