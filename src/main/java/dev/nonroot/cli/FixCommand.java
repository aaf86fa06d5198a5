package dev.nonroot.cli;

import dev.nonroot.engine.policy.EffectivePolicy;
import dev.nonroot.manifest.ManifestFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(
    name = "fix",
    sortOptions = false,
    mixinStandardHelpOptions = true,
    description = {
      "Print the manifests with every fix applied (or rewrite them with --in-place).",
      "Documents with nothing to fix are printed byte for byte as read.",
      "Exit status: 0 success, 2 bad input or usage."
    })
final class FixCommand implements Callable<Integer> {
  @ParentCommand private Main main;

  @Spec private CommandSpec spec;

  @Option(
      names = "--policy",
      paramLabel = "FILE",
      description = "NonRootPolicy YAML (repeatable). Default: a policy with every default.")
  private List<Path> policies;

  @Option(
      names = "--in-place",
      description =
          "Rewrite the files that change instead of printing. Nothing is "
              + "written when any input is bad; unchanged files are not touched.")
  private boolean inPlace;

  @Option(
      names = "--report",
      paramLabel = "FILE",
      description = "Write every change as a JSON array to FILE.")
  private Path report;

  @Parameters(
      arity = "1..*",
      paramLabel = "PATH",
      description =
          "A file, a directory (every *.yaml and *.yml in it, recursively) or - for standard input.")
  private List<String> paths;

  @Override
  public Integer call() {
    if (inPlace && paths.contains(InputLoader.STDIN)) {
      throw new ParameterException(
          spec.commandLine(), "--in-place cannot rewrite standard input (-)");
    }
    Console console = main.console();
    List<EffectivePolicy> policy = PolicyLoader.load(policies);
    List<ManifestFile> files = InputLoader.load(paths, console.in());
    ManifestFixer.Result result = ManifestFixer.fix(files, policy);

    // Everything is computed before anything is written.
    List<String> texts = new ArrayList<>();
    for (ManifestFile f : files) texts.add(f.render());
    String reportText = report == null ? null : Json.write(result.changes());

    if (reportText != null) writeReport(reportText);
    if (inPlace) {
      Map<Path, String> contents = new LinkedHashMap<>();
      Map<Path, String> names = new LinkedHashMap<>();
      for (int i = 0; i < files.size(); i++) {
        if (!files.get(i).changed()) continue;
        contents.put(files.get(i).path(), texts.get(i));
        names.put(files.get(i).path(), files.get(i).name());
      }
      InPlaceWriter.write(contents, names);
    } else {
      console.print(StreamJoiner.join(files, texts));
    }
    PortMoveNotes.of(result.results()).forEach(console::error);
    console.error(FixSummary.of(result, inPlace));
    return ExitCodes.OK;
  }

  private void writeReport(String text) {
    try {
      Files.writeString(report, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new BadInputException(report + ": cannot write report: " + InputLoader.describe(e));
    }
  }
}
