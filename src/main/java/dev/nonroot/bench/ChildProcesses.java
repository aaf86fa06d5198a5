package dev.nonroot.bench;

import dev.nonroot.cli.Main;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Whole-process runs for {@code bench-cli}: a fresh {@code java} with default settings, as a user
 * starts it ({@code java -jar nonroot-operator.jar fix FILE} when this JVM runs from the jar),
 * timed from start to exit.
 */
final class ChildProcesses {
  private final Path dir;
  private final String java;
  private final String classPath;

  ChildProcesses(Path dir) {
    this.dir = dir;
    this.java =
        ProcessHandle.current()
            .info()
            .command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    this.classPath = System.getProperty("java.class.path");
  }

  /** The product's command line; wall seconds. */
  double product(String output, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(java));
    if (classPath.endsWith(".jar") && !classPath.contains(File.pathSeparator)) {
      cmd.addAll(List.of("-jar", classPath));
    } else {
      cmd.addAll(List.of("-cp", classPath, Main.class.getName()));
    }
    cmd.addAll(List.of(args));
    return time(cmd, output, 1);
  }

  /** {@link SnakeYamlRoundTrip} on {@code input}; wall seconds. */
  double snakeYaml(String input, String output) throws IOException, InterruptedException {
    return time(
        List.of(
            java,
            "-cp",
            classPath,
            SnakeYamlRoundTrip.class.getName(),
            input,
            dir.resolve(output).toString()),
        "cli-process-snakeyaml.stdout",
        0);
  }

  private double time(List<String> cmd, String output, int worstExit)
      throws IOException, InterruptedException {
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .redirectOutput(dir.resolve(output).toFile())
            .redirectError(ProcessBuilder.Redirect.DISCARD);
    long t0 = System.nanoTime();
    Process p = pb.start();
    int exit = p.waitFor();
    double seconds = (System.nanoTime() - t0) / 1e9;
    if (exit > worstExit)
      throw new IllegalStateException(String.join(" ", cmd) + " exited " + exit);
    return seconds;
  }
}
