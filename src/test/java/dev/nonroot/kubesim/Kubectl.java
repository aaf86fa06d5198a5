package dev.nonroot.kubesim;

import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real kubectl against a kubeconfig, with a private discovery cache and a hard timeout.
 */
final class Kubectl {
  static final long TIMEOUT_SECONDS = 30;

  record Result(int exitCode, String stdout, String stderr) {
    List<String> lines() {
      return stdout.lines().filter(l -> !l.isBlank()).toList();
    }

    /** The whitespace-separated fields of one output line. */
    List<String> fields(int line) {
      return Arrays.asList(lines().get(line).trim().split("\\s+"));
    }

    @Override
    public String toString() {
      return "exit " + exitCode + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
    }
  }

  private final Path kubeconfig;
  private final Path workDir;

  Kubectl(Path kubeconfig, Path workDir) {
    this.kubeconfig = kubeconfig;
    this.workDir = workDir;
  }

  static boolean onPath() {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, "kubectl"))) {
        return true;
      }
    }
    return false;
  }

  Result run(String... args) {
    List<String> command = new ArrayList<>();
    command.add("kubectl");
    command.add("--cache-dir=" + workDir.resolve("kube-cache"));
    command.addAll(List.of(args));
    try {
      Path out = Files.createTempFile(workDir, "kubectl", ".out");
      Path err = Files.createTempFile(workDir, "kubectl", ".err");
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .redirectOutput(out.toFile())
              .redirectError(err.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      builder.environment().put("KUBECONFIG", kubeconfig.toString());
      builder.environment().put("HOME", workDir.toString()); // nothing from the user's ~/.kube
      Process process = builder.start();
      if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        fail("kubectl %s did not finish within %d s", String.join(" ", args), TIMEOUT_SECONDS);
      }
      return new Result(
          process.exitValue(),
          Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException("cannot run kubectl: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
