package dev.nonroot.cli;

import dev.nonroot.manifest.ManifestDocument;
import dev.nonroot.manifest.ManifestFile;
import dev.nonroot.manifest.ManifestSyntaxException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Turns PATH arguments into parsed manifest files: a file, a directory (every *.yaml and *.yml in
 * it, recursively, in sorted order) or "-" for standard input. Any problem is a {@link
 * BadInputException}.
 */
public final class InputLoader {
  public static final String STDIN = "-";
  static final String STDIN_NAME = "<stdin>";

  private InputLoader() {}

  public static List<ManifestFile> load(List<String> args, InputStream stdin) {
    List<ManifestFile> files = new ArrayList<>();
    // Each file once, however often it is named or reached (a directory and a file in it).
    Map<Path, ManifestFile> seen = new HashMap<>();
    if (args.stream().filter(STDIN::equals).count() > 1)
      throw new BadInputException("-: standard input can be given only once");
    for (String arg : args) {
      if (arg.equals(STDIN)) {
        files.add(parse(STDIN_NAME, null, readStdin(stdin)));
        continue;
      }
      Path path = Path.of(arg);
      if (Files.isDirectory(path)) {
        List<Path> found = yamlFilesUnder(arg, path);
        if (found.isEmpty())
          throw new BadInputException(arg + ": no *.yaml or *.yml files in this directory");
        // As kubectl apply -f DIR: an empty or comments-only file among others is a placeholder
        // of the repository, not a mistake; a directory with no object at all is.
        boolean any = false;
        for (Path p : found) {
          Path id = identity(p);
          ManifestFile file = seen.get(id);
          if (file == null) {
            file = parse(p.toString(), p, read(p.toString(), p), false);
            seen.put(id, file);
            files.add(file);
          }
          any |= hasObject(file);
        }
        if (!any) {
          throw new BadInputException(
              arg
                  + ": no Kubernetes object in this directory (its *.yaml and *.yml files are"
                  + " empty or only comments)");
        }
      } else {
        if (!Files.exists(path)) throw new BadInputException(arg + ": no such file or directory");
        Path id = identity(path);
        if (!seen.containsKey(id)) {
          ManifestFile file = parse(arg, path, read(arg, path));
          seen.put(id, file);
          files.add(file);
        }
      }
    }
    return files;
  }

  /** One file, read and parsed. */
  static ManifestFile loadFile(String name, Path path) {
    return parse(name, path, read(name, path));
  }

  private static List<Path> yamlFilesUnder(String arg, Path dir) {
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(
              p -> {
                String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
                return (name.endsWith(".yaml") || name.endsWith(".yml")) && Files.isRegularFile(p);
              })
          .sorted()
          .toList();
    } catch (IOException | UncheckedIOException e) {
      IOException io = e instanceof UncheckedIOException u ? u.getCause() : (IOException) e;
      throw new BadInputException(arg + ": cannot read directory: " + describe(io));
    }
  }

  /** The same file named twice (or reached through a directory and by name) is read once. */
  private static Path identity(Path p) {
    try {
      return p.toRealPath();
    } catch (IOException e) {
      return p.toAbsolutePath().normalize();
    }
  }

  private static byte[] read(String name, Path path) {
    try {
      return Files.readAllBytes(path);
    } catch (IOException e) {
      throw new BadInputException(name + ": cannot read: " + describe(e));
    }
  }

  private static byte[] readStdin(InputStream in) {
    try {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new BadInputException(STDIN_NAME + ": cannot read: " + describe(e));
    }
  }

  static ManifestFile parse(String name, Path path, byte[] bytes) {
    return parse(name, path, bytes, true);
  }

  /**
   * @param objectRequired whether a file without any object is refused (a file named on the command
   *     line, standard input), or read as nothing (a file found in a directory)
   */
  private static ManifestFile parse(String name, Path path, byte[] bytes, boolean objectRequired) {
    String text;
    try {
      text = ManifestFile.decode(bytes);
    } catch (ManifestSyntaxException e) {
      throw new BadInputException(name + ":" + e.line() + ": " + e.problem());
    }
    ManifestFile file;
    try {
      file = ManifestFile.parse(name, path, text);
    } catch (ManifestSyntaxException e) {
      String hint =
          text.contains("{{")
              ? " (this looks like a template: render it first, e.g. with helm template)"
              : "";
      throw new BadInputException(name + ":" + e.line() + ": " + e.problem() + hint);
    }
    checkObjects(file);
    if (objectRequired && !hasObject(file)) {
      throw new BadInputException(
          file.name() + ":1: no Kubernetes object in this file (it is empty or only comments)");
    }
    return file;
  }

  /**
   * Every document is a mapping (kubectl refuses anything else): a scalar (what a binary file that
   * happens to be UTF-8 reads as) passed as "nothing to fix" would hide the mistake.
   */
  private static void checkObjects(ManifestFile file) {
    for (ManifestDocument d : file.documents()) {
      // An empty document ("---" and nothing, or only comments) reads as null.
      if (d.tree() == null || d.tree().isNull()) continue;
      if (!d.tree().isObject()) {
        throw new BadInputException(
            file.name()
                + ":"
                + d.contentLine()
                + ": not a Kubernetes object: "
                + (d.tree().isArray() ? "a list" : "a plain value")
                + " where a mapping with apiVersion and kind belongs");
      }
    }
  }

  private static boolean hasObject(ManifestFile file) {
    for (ManifestDocument d : file.documents()) {
      if (d.tree() != null && d.tree().isObject()) return true;
    }
    return false;
  }

  static String describe(IOException e) {
    if (e instanceof NoSuchFileException) return "no such file or directory";
    if (e instanceof AccessDeniedException) return "permission denied";
    String m = e.getMessage();
    return m == null ? e.getClass().getSimpleName() : m;
  }
}
