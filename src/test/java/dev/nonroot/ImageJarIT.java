package dev.nonroot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nonroot.kubesim.EmbeddedApiServer;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The jar the container image ships (target/nonroot-operator-image.jar), run as its own process
 * with the JVM that runs this test: run, scan and fix work, demo is not there, and neither are
 * kubesim, bench or the mock server with its Netty, Vert.x and BouncyCastle. Failsafe runs it after
 * package.
 */
class ImageJarIT {
  /** A Lease's times (MicroTime): RFC 3339 with microseconds. */
  private static final DateTimeFormatter MICRO_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSX");

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> NOT_IN_THE_IMAGE =
      List.of(
          "dev/nonroot/kubesim/",
          "dev/nonroot/demo/",
          "dev/nonroot/bench/",
          "io/fabric8/mockwebserver/",
          "io/fabric8/kubernetes/client/server/mock/",
          "io/netty/",
          "io/vertx/",
          "org/bouncycastle/",
          "META-INF/services/dev.nonroot.cli.Subcommand",
          "examples/");

  private static Path imageJar;
  private static Path fullJar;

  @TempDir Path tmp;

  @BeforeAll
  static void jars() {
    imageJar = jar("nonroot.imageJar", "target/nonroot-operator-image.jar");
    fullJar = jar("nonroot.fullJar", "target/nonroot-operator.jar");
    System.out.printf(
        Locale.ROOT,
        "image jar: %.1f MiB (%s)%nfull jar:  %.1f MiB (%s)%n",
        mib(imageJar),
        imageJar,
        mib(fullJar),
        fullJar);
  }

  @Test
  void runHelpShowsTheOperatorsOptions() {
    Result r = java("-jar", imageJar.toString(), "run", "--help");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("Usage: nonroot-operator run")
        .contains("--leader-election")
        .contains("--log-format");
  }

  /**
   * The image jar runs the operator against an API server (the embedded one, in this process):
   * Micrometer's /metrics with the per-policy gauges, JOSDK's reconcile timer and the JVM's, and
   * with --log-format json nothing but JSON lines on standard error, decisions included.
   */
  @Test
  void theImageJarRunsTheOperatorWithMetricsAndJsonLogs() throws Exception {
    try (EmbeddedApiServer api = EmbeddedApiServer.start(0)) {
      KubernetesClient admin = api.client();
      try (InputStream in =
          Files.newInputStream(Path.of("crds/nonrootpolicies.nonroot.dev-v1.yml"))) {
        api.installCrd(admin.apiextensions().v1().customResourceDefinitions().load(in).item());
      }
      for (String resource : List.of("/operator/shop.yaml", "/operator/policy-enforce.yaml")) {
        try (InputStream in = ImageJarIT.class.getResourceAsStream(resource)) {
          for (HasMetadata item : admin.load(in).items()) admin.resource(item).create();
        }
      }
      Path err = Files.createTempFile(tmp, "err", ".txt");
      ProcessBuilder pb =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-Dkubernetes.master=" + api.url(),
                  "-Dkubernetes.auth.tryKubeConfig=false",
                  "-Dkubernetes.auth.tryServiceAccount=false",
                  "-jar",
                  imageJar.toString(),
                  "run",
                  "--health-port",
                  "0",
                  "--log-format",
                  "json")
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .redirectError(err.toFile());
      pb.environment().remove("KUBECONFIG");
      Process operator = pb.start();
      String metrics;
      try {
        int port =
            await()
                .atMost(Duration.ofSeconds(60))
                .until(() -> healthPort(Files.readString(err)), Objects::nonNull);
        metrics =
            await()
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(250))
                .ignoreExceptions()
                .until(
                    () -> get("http://127.0.0.1:" + port + "/metrics"),
                    m ->
                        m.contains("nonroot_policy_workloads_remediated{policy=\"baseline\"} 3.0"));
      } finally {
        operator.destroy();
        if (!operator.waitFor(30, TimeUnit.SECONDS)) operator.destroyForcibly();
      }
      assertThat(metrics)
          .contains("nonroot_workload_patches_total 3.0")
          .contains(
              "operator_sdk_controllers_execution_reconcile_seconds_count{controller=\"deployments\"")
          .contains("jvm_memory_used_bytes{");
      List<String> lines =
          Files.readAllLines(err).stream()
              // The JVM's own notice, when the environment sets JAVA_TOOL_OPTIONS.
              .filter(l -> !l.startsWith("Picked up "))
              .toList();
      assertThat(lines).isNotEmpty();
      for (String line : lines) {
        JsonNode node = JSON.readTree(line);
        assertThat(
                node.has("time") && node.has("level") && node.has("logger") && node.has("message"))
            .as(line)
            .isTrue();
      }
      assertThat(lines)
          .anyMatch(
              l ->
                  l.contains("\"outcome\":\"remediated\"")
                      && l.contains("\"kind\":\"Deployment\""));
    }
  }

  /**
   * As manifests/ runs it: `run --leader-election`, the Lease's namespace and the holder's name
   * from the downward API. The replica leads and both probes say so; when another replica takes its
   * Lease it says why, stops and exits 4, for the kubelet to restart it as a standby. A leader's
   * SIGTERM ends it within seconds (JOSDK's own exit on a lost Lease would block in the shutdown
   * hook until the grace period's SIGKILL).
   */
  @Test
  void runWithLeaderElectionLeadsAndExitsWhenItLosesTheLease() throws Exception {
    try (EmbeddedApiServer api = EmbeddedApiServer.start(0)) {
      KubernetesClient admin = api.client();
      try (InputStream in =
          Files.newInputStream(Path.of("crds/nonrootpolicies.nonroot.dev-v1.yml"))) {
        api.installCrd(admin.apiextensions().v1().customResourceDefinitions().load(in).item());
      }
      Path err = Files.createTempFile(tmp, "err", ".txt");
      Process replica = startRun(api, err, "replica-a", "--leader-election");
      try {
        int port = awaitHealthPort(err);
        assertThat(awaitGet("http://127.0.0.1:" + port + "/healthz", "ok: leader\n"))
            .isEqualTo("ok: leader\n");
        assertThat(get("http://127.0.0.1:" + port + "/readyz")).isEqualTo("ok: leader\n");

        // Taken over, as by a replica that saw the Lease expire: a JSON patch, no version check.
        admin
            .resources(Lease.class)
            .inNamespace("operators")
            .withName("nonroot-operator")
            .patch(
                PatchContext.of(PatchType.JSON),
                "[{\"op\": \"replace\", \"path\": \"/spec/holderIdentity\", \"value\": \"replica-x\"},"
                    + " {\"op\": \"replace\", \"path\": \"/spec/renewTime\", \"value\": \""
                    + ZonedDateTime.now(ZoneOffset.UTC).format(MICRO_TIME)
                    + "\"}]");
        assertThat(replica.waitFor(30, TimeUnit.SECONDS)).as("exits").isTrue();
        assertThat(replica.exitValue()).as(Files.readString(err)).isEqualTo(4);
        assertThat(Files.readString(err))
            .contains("replica-a now leads (Lease operators/nonroot-operator)")
            .contains("replica-a lost Lease operators/nonroot-operator");
      } finally {
        replica.destroyForcibly();
      }

      Path err2 = Files.createTempFile(tmp, "err", ".txt");
      Process leader = startRun(api, err2, "replica-b", "--leader-election", "--lease-name", "b");
      try {
        int port = awaitHealthPort(err2);
        awaitGet("http://127.0.0.1:" + port + "/healthz", "ok: leader\n");
        leader.destroy();
        assertThat(leader.waitFor(15, TimeUnit.SECONDS)).as("SIGTERM ends a leader").isTrue();
        assertThat(Files.readString(err2)).contains("replica-b stopped leading (shutting down)");
      } finally {
        leader.destroyForcibly();
      }
    }
  }

  private Process startRun(EmbeddedApiServer api, Path err, String podName, String... options)
      throws IOException {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dkubernetes.master=" + api.url(),
                "-Dkubernetes.auth.tryKubeConfig=false",
                "-Dkubernetes.auth.tryServiceAccount=false",
                "-jar",
                imageJar.toString(),
                "run",
                "--health-port",
                "0"));
    cmd.addAll(List.of(options));
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(err.toFile());
    pb.environment().remove("KUBECONFIG");
    pb.environment().put("POD_NAME", podName);
    pb.environment().put("POD_NAMESPACE", "operators");
    return pb.start();
  }

  private static int awaitHealthPort(Path err) {
    return await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> healthPort(Files.readString(err)), Objects::nonNull);
  }

  private static String awaitGet(String url, String body) {
    return await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(250))
        .ignoreExceptions()
        .until(() -> get(url), body::equals);
  }

  /** The port `run` reports serving /metrics on, once it does. */
  private static Integer healthPort(String log) {
    Matcher m = Pattern.compile("metrics on :(\\d+)").matcher(log);
    return m.find() ? Integer.valueOf(m.group(1)) : null;
  }

  private static String get(String url) throws Exception {
    return HttpClient.newHttpClient()
        .send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString())
        .body();
  }

  @Test
  void helpListsTheProductsCommandsOnly() {
    Result r = java("-jar", imageJar.toString(), "--help");
    assertThat(r.exit()).as(r.err()).isZero();
    List<String> commands = commands(r.out());
    assertThat(commands).containsExactly("scan", "fix", "revert", "run");
  }

  @Test
  void demoIsAnUnknownCommand() {
    Result r = java("-jar", imageJar.toString(), "demo");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("demo").contains("see 'nonroot-operator --help'");
    assertThat(r.err()).doesNotContain("Exception");
  }

  @Test
  void scanReportsFindingsLikeInProcess() throws IOException {
    Path manifest = tmp.resolve("web.yaml");
    Files.copy(Path.of("src/test/resources/cli/web.yaml"), manifest);
    Result r = java("-jar", imageJar.toString(), "scan", manifest.toString());
    assertThat(r.exit()).as(r.err()).isEqualTo(1);
    assertThat(r.out()).startsWith("LOCATION");
    assertThat(r.err()).contains("scanned 1 workload in 1 file: 0 compliant, 1 violating");
  }

  @Test
  void fixPrintsTheFixedManifest() throws IOException {
    Path manifest = tmp.resolve("web.yaml");
    Files.copy(Path.of("src/test/resources/cli/web.yaml"), manifest);
    Result r = java("-jar", imageJar.toString(), "fix", manifest.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out())
        .startsWith("# Web tier: nginx on port 80, fixed by `fix`.\napiVersion: apps/v1\n")
        .contains("runAsNonRoot: true");
  }

  /**
   * The operator's start-up path (JOSDK, the fabric8 JDK HTTP client) loads without the mock
   * server.
   */
  @Test
  void runWithoutAReachableClusterSaysSo() {
    Result r =
        java(
            "-Dkubernetes.auth.tryKubeConfig=false",
            "-Dkubernetes.auth.tryServiceAccount=false",
            "-Dkubernetes.master=http://127.0.0.1:1",
            "-jar",
            imageJar.toString(),
            "run",
            "--health-port",
            "0");
    assertThat(r.exit()).as(r.err()).isEqualTo(2);
    assertThat(r.err().strip())
        .startsWith("cannot reach the API server at http://127.0.0.1:1/")
        .doesNotContain("Exception:");
  }

  @Test
  void theImageJarHoldsNoDemoNoSimulatorAndNoMockServer() {
    List<String> entries = entries(imageJar);
    assertThat(entries)
        .contains(
            "dev/nonroot/cli/Main.class",
            "dev/nonroot/operator/NonRootOperator.class",
            "META-INF/services/io.fabric8.kubernetes.client.http.HttpClient$Factory");
    List<String> offenders =
        entries.stream().filter(e -> NOT_IN_THE_IMAGE.stream().anyMatch(e::startsWith)).toList();
    assertThat(offenders).isEmpty();
  }

  @Test
  void theFullJarStillHasEverything() {
    List<String> entries = entries(fullJar);
    assertThat(entries)
        .anyMatch(e -> e.startsWith("dev/nonroot/kubesim/"))
        .contains(
            "dev/nonroot/demo/DemoCommand.class",
            "META-INF/services/dev.nonroot.cli.Subcommand",
            "dev/nonroot/bench/CliBenchCommand.class")
        .anyMatch(e -> e.startsWith("io/fabric8/mockwebserver/"))
        .anyMatch(e -> e.startsWith("examples/"));
    assertThat(mib(fullJar)).isGreaterThan(mib(imageJar));
  }

  /** The names in the "Commands:" section of a usage message. */
  private static List<String> commands(String usage) {
    List<String> out = new ArrayList<>();
    boolean in = false;
    for (String line : usage.lines().toList()) {
      if (line.equals("Commands:")) {
        in = true;
      } else if (in && line.startsWith("  ") && !line.startsWith("   ")) {
        out.add(line.strip().split("\\s+")[0]);
      }
    }
    return out;
  }

  private static Path jar(String property, String fallback) {
    Path p = Path.of(System.getProperty(property, fallback));
    assertThat(p).as("built by mvn package").isRegularFile();
    return p;
  }

  private static double mib(Path p) {
    try {
      return Files.size(p) / (1024.0 * 1024.0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> entries(Path jar) {
    try (JarFile f = new JarFile(jar.toFile())) {
      return Collections.list(f.entries()).stream().map(ZipEntry::getName).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private record Result(int exit, String out, String err) {}

  private Result java(String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of(args));
    try {
      File out = Files.createTempFile(tmp, "out", ".txt").toFile();
      File err = Files.createTempFile(tmp, "err", ".txt").toFile();
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out).redirectError(err);
      pb.environment().remove("KUBECONFIG");
      Process p = pb.start();
      p.getOutputStream().close(); // empty standard input
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(String.join(" ", cmd) + ": no exit within 120 s");
      }
      return new Result(
          p.exitValue(),
          Files.readString(out.toPath(), StandardCharsets.UTF_8),
          Files.readString(err.toPath(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
