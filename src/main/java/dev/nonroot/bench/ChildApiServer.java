package dev.nonroot.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The embedded API server in a JVM of its own ({@link ApiServerMain}), so that the benchmark's JVM
 * holds the operator alone: its heap and CPU time are the operator's. Same java binary, same
 * classpath; the server's log goes to a file.
 */
final class ChildApiServer implements AutoCloseable {
  private final Process process;
  private final String url;

  /** Extra JVM options for the server process, separated by spaces. */
  static final String SERVER_JAVA_OPTIONS = "NONROOT_BENCH_SERVER_JAVA_OPTS";

  private final Thread hook;

  private ChildApiServer(Process process, String url, Thread hook) {
    this.process = process;
    this.url = url;
    this.hook = hook;
  }

  static ChildApiServer start(String maxHeap, Path log) throws IOException {
    String java =
        ProcessHandle.current()
            .info()
            .command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    List<String> cmd = new ArrayList<>();
    cmd.add(java);
    cmd.add("-Xmx" + maxHeap);
    // To profile the server too, e.g. -XX:StartFlightRecording=filename=server.jfr
    String extra = System.getenv(SERVER_JAVA_OPTIONS);
    if (extra != null && !extra.isBlank()) cmd.addAll(List.of(extra.strip().split("\\s+")));
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(ApiServerMain.class.getName());
    Process p =
        new ProcessBuilder(cmd)
            .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    Thread hook = new Thread(p::destroyForcibly, "bench-apiserver-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = out.readLine()) != null && !line.startsWith(ApiServerMain.READY)) {
      // anything before the ready line is noise
    }
    if (line == null) {
      p.destroyForcibly();
      throw new IOException("the API server process ended before it was ready; see " + log);
    }
    Thread drain =
        new Thread(
            () -> {
              try {
                while (out.readLine() != null) {
                  // keep the pipe empty
                }
              } catch (IOException e) {
                // the process is gone
              }
            },
            "bench-apiserver-out");
    drain.setDaemon(true);
    drain.start();
    return new ChildApiServer(p, line.substring(ApiServerMain.READY.length()).strip(), hook);
  }

  String url() {
    return url;
  }

  long pid() {
    return process.pid();
  }

  /** CPU time the server process has used so far (0 where the platform does not say). */
  double cpuSeconds() {
    return process.info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(0.0);
  }

  @Override
  public void close() {
    try {
      process.getOutputStream().close(); // the child stops at the end of its input
      if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly();
    } catch (IOException e) {
      process.destroyForcibly();
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // already shutting down: the hook runs anyway
    }
  }
}
