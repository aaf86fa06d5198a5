package dev.nonroot.cli;

import dev.nonroot.manifest.ManifestFile;
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
    name = "revert",
    sortOptions = false,
    mixinStandardHelpOptions = true,
    description = {
      "Put back what the operator changed, from the nonroot.dev/changes record each object carries",
      "(e.g. kubectl get deploy,svc -A -o yaml | nonroot-operator revert -), and print the",
      "manifests (or rewrite them with --in-place). A field changed since the operator's change",
      "is left as it is and named on standard error. Documents without a record are printed",
      "byte for byte as read.",
      "Exit status: 0 success, 2 bad input or usage."
    })
final class RevertCommand implements Callable<Integer> {
  @ParentCommand private Main main;

  @Spec private CommandSpec spec;

  @Option(
      names = "--in-place",
      description =
          "Rewrite the files that change instead of printing. Nothing is "
              + "written when any input is bad; unchanged files are not touched.")
  private boolean inPlace;

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
    List<ManifestFile> files = InputLoader.load(paths, console.in());
    ManifestReverter.Result result = ManifestReverter.revert(files);

    // Everything is computed before anything is written.
    List<String> texts = new ArrayList<>();
    for (ManifestFile f : files) texts.add(f.render());
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
    result.notes().forEach(console::error);
    console.error(summary(result));
    return ExitCodes.OK;
  }

  private String summary(ManifestReverter.Result r) {
    StringBuilder s = new StringBuilder();
    if (r.recorded() == 0) {
      return "nothing to revert: no object carries a nonroot.dev/changes record";
    }
    if (r.objectsChanged() == 0) {
      s.append("nothing to revert in ").append(Plural.of(r.recorded(), "recorded object"));
    } else {
      s.append("reverted ")
          .append(Plural.of(r.fieldsRestored(), "field"))
          .append(" in ")
          .append(Plural.of(r.objectsChanged(), "object"))
          .append(" across ")
          .append(Plural.of(r.filesChanged(), "file"));
      if (inPlace) s.append(" (rewritten in place)");
    }
    if (r.fieldsKept() > 0) {
      s.append("; ")
          .append(Plural.of(r.fieldsKept(), "field"))
          .append(" changed since left as ")
          .append(r.fieldsKept() == 1 ? "it is" : "they are")
          .append(" (above)");
    }
    if (r.damaged() > 0) {
      s.append("; ")
          .append(Plural.of(r.damaged(), "record"))
          .append(" that cannot be read (above)");
    }
    return s.toString();
  }
}
