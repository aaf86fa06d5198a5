package dev.nonroot.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.nonroot.cli.Main;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's first command, run in-process, and `demo --serve` driven by the real kubectl. */
class DemoCommandTest {
  @TempDir Path tmp;

  @Test
  void demoConvergesPrintsThePolicyTableAndTheRecordAndExitsZero() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        Main.execute(
            new String[] {"demo"},
            new ByteArrayInputStream(new byte[0]),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    String stdout = out.toString(StandardCharsets.UTF_8);
    assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
    List<String> rows = stdout.lines().map(l -> l.trim().replaceAll("\\s+", " ")).toList();
    assertThat(rows).contains("NAME MODE MATCHED COMPLIANT REMEDIATED VIOLATIONS AGE");
    // What examples/README.md promises, through the real operator.
    assertThat(rows)
        .as("every workload ran before the operator started, as on a cluster")
        .contains("15 workloads rolled out, their pods running; starting the operator");
    // frontend/nginx crashed unprivileged in the simulated rollout: reverted, a violation again.
    assertThat(rows).anyMatch(r -> r.startsWith("baseline Enforce 15 7 7 1 "));
    assertThat(rows).anyMatch(r -> r.startsWith("legacy-audit Audit 2 0 0 2 "));
    assertThat(rows).anyMatch(r -> r.startsWith("dns-sysctl Enforce 1 1 1 0 "));
    assertThat(rows)
        .anyMatch(
            r ->
                r.startsWith(
                    "Deployment frontend/nginx [reverted, its rollout failed, by baseline]"));
    // The fix, the failure, the revert and the hint, printed from the workloads' own state.
    assertThat(rows)
        .anyMatch(
            r ->
                r.startsWith("Deployment frontend/nginx Reverted pod nginx-")
                    && r.contains("CrashLoopBackOff")
                    && r.endsWith("(13: Permission denied)"));
    assertThat(rows)
        .anyMatch(
            r -> r.startsWith("Deployment frontend/nginx hint: use nginxinc/nginx-unprivileged"));
    assertThat(rows)
        .contains("Deployment argocd/argocd-repo-server Verified rolled out; runs as uid 999");
    assertThat(rows).anyMatch(r -> r.startsWith("platform-strict Enforce 2 0 0 2 "));
    assertThat(rows).anyMatch(r -> r.startsWith("Deployment shop/web [patched by baseline]"));
    // Auto: httpbin's port moves with the env var it listens on ...
    assertThat(rows).contains("containers[httpbin].ports[0].containerPort 80 -> 8080");
    assertThat(rows).contains("containers[httpbin].env[PORT].value 80 -> 8080");
    assertThat(rows).contains("spec.ports[http].targetPort 80 -> 8080");
    assertThat(rows)
        .anyMatch(r -> r.startsWith("Deployment legacy/intranet [would patch by legacy-audit]"));
    // ... nginx's port is set in nginx.conf, out of sight: it stays, with the sysctl.
    assertThat(rows)
        .contains(
            "securityContext.sysctls <unset> -> "
                + "[{\"name\":\"net.ipv4.ip_unprivileged_port_start\",\"value\":\"80\"}]");
    assertThat(rows)
        .anyMatch(
            r ->
                r.contains("platform-strict: 2 workload(s) left unchanged")
                    && r.contains("KernelChanges: 1, NodeAgent: 1"));
    assertThat(err.toString(StandardCharsets.UTF_8)).doesNotContain("Exception");
  }

  @Test
  void demoServeWorksWithTheRealKubectl() throws Exception {
    Assumptions.assumeTrue(onPath("kubectl"), "kubectl is not on the PATH");
    Path kubeconfig = tmp.resolve("demo.kubeconfig");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    AtomicInteger exit = new AtomicInteger(-1);
    Thread demo =
        new Thread(
            () ->
                exit.set(
                    Main.execute(
                        new String[] {
                          "demo",
                          "--serve",
                          "--rollout-delay",
                          "500ms",
                          "--kubeconfig",
                          kubeconfig.toString()
                        },
                        new ByteArrayInputStream(new byte[0]),
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(
                            new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))),
            "demo-serve");
    demo.start();
    try {
      await()
          .atMost(Duration.ofSeconds(90))
          .until(() -> out.toString(StandardCharsets.UTF_8).contains("Serving until"));

      List<String> get = lines(kubectl(kubeconfig, "get", "nonrootpolicy"));
      assertThat(get.get(0)).isEqualTo("NAME MODE MATCHED COMPLIANT REMEDIATED VIOLATIONS AGE");
      assertThat(get).anyMatch(r -> r.startsWith("baseline Enforce 15 7 7 1 "));
      assertThat(get).anyMatch(r -> r.startsWith("legacy-audit Audit 2 0 0 2 "));

      List<String> wide = lines(kubectl(kubeconfig, "get", "nrp", "-o", "wide"));
      assertThat(wide.get(0))
          .startsWith(
              "NAME MODE MATCHED COMPLIANT REMEDIATED VIOLATIONS AGE NEEDSROOT EXEMPT OVERRIDDEN FAILED"
                  + " PENDING ROLLINGOUT VERIFIED REVERTED READY REASON");
      assertThat(wide)
          .anyMatch(
              r ->
                  r.startsWith("platform-strict Enforce 2 0 0 2 ")
                      && r.endsWith(" 2 0 0 0 0 0 0 0 True Converged"));
      assertThat(wide)
          .as("six rollouts verified, frontend/nginx's reverted")
          .anyMatch(
              r ->
                  r.startsWith("baseline Enforce 15 7 7 1 ")
                      && r.endsWith(" 0 2 5 0 0 0 6 1 True Converged"));

      assertThat(kubectl(kubeconfig, "get", "deploy", "-A"))
          .contains("shop", "web", "legacy", "intranet");
      assertThat(
              kubectl(
                  kubeconfig,
                  "get",
                  "deploy",
                  "web",
                  "-n",
                  "shop",
                  "-o",
                  "jsonpath={.spec.template.spec.containers[0].ports[0].containerPort}"))
          .isEqualTo("8080");

      // The simulated controllers and kubelet: the patched nginx's pods run.
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  lines(kubectl(kubeconfig, "get", "pods", "-n", "frontend", "-l", "app=nginx"))
                          .stream()
                          .filter(r -> r.startsWith("nginx-") && r.contains(" 1/1 Running "))
                          .count()
                      == 2);

      Path manifest = tmp.resolve("new.yaml");
      Files.writeString(
          manifest,
          """
          apiVersion: apps/v1
          kind: Deployment
          metadata: {name: newcomer, namespace: shop}
          spec:
            selector: {matchLabels: {app: newcomer}}
            template:
              metadata: {labels: {app: newcomer}}
              spec:
                containers:
                - {name: app, image: busybox:1.36, securityContext: {runAsUser: 0}}
          """);
      kubectl(kubeconfig, "create", "--validate=false", "-f", manifest.toString());
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  kubectl(
                          kubeconfig,
                          "get",
                          "deploy",
                          "newcomer",
                          "-n",
                          "shop",
                          "-o",
                          "jsonpath={.spec.template.spec.containers[0].securityContext.runAsUser}")
                      .equals("65532"));
    } finally {
      demo.interrupt();
      demo.join(30_000);
    }
    assertThat(exit.get()).isZero();
  }

  @Test
  void aRolloutDelayThatIsNoDurationIsRefusedWithTheValueNamed() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        Main.execute(
            new String[] {"demo", "--rollout-delay", "3 seconds"},
            new ByteArrayInputStream(new byte[0]),
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(code).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("'3 seconds' is not a duration")
        .doesNotContain("Exception");
  }

  private static List<String> lines(String s) {
    return s.lines().map(l -> l.trim().replaceAll("\\s+", " ")).toList();
  }

  private static String kubectl(Path kubeconfig, String... args)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig.toString()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("kubectl " + String.join(" ", args) + " hung");
    }
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.exitValue() != 0)
      throw new AssertionError("kubectl " + String.join(" ", args) + " failed: " + output);
    return output;
  }

  private static boolean onPath(String tool) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, tool))) return true;
    }
    return false;
  }
}
