package dev.nonroot.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nonroot.api.NonRootPolicy;
import dev.nonroot.cli.BadInputException;
import dev.nonroot.cli.Console;
import dev.nonroot.cli.ExitCodes;
import dev.nonroot.cli.LogSetup;
import dev.nonroot.cli.Main;
import dev.nonroot.cli.Subcommand;
import dev.nonroot.kubesim.EmbeddedApiServer;
import dev.nonroot.kubesim.HumanDuration;
import dev.nonroot.kubesim.RolloutSimulator;
import dev.nonroot.operator.NonRootOperator;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * The main job with no cluster: an embedded API server on loopback, the CRD and the examples
 * installed, the real operator run until it converges, and the record printed. Not part of the
 * product: {@code Main} finds it through {@code META-INF/services/dev.nonroot.cli.Subcommand}.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Run the operator on an embedded API server, no cluster needed.",
      "Starts an API server on loopback, installs the CRD and examples/, runs the operator until",
      "it converges, prints the policy table and the recorded changes, and exits.",
      "With --serve it keeps running and writes a kubeconfig for kubectl.",
      "A simulated controller manager and kubelet roll workloads out: pods, status."
    })
public final class DemoCommand implements Subcommand {
  private static final String CRD_RESOURCE = "/crds/nonrootpolicies.nonroot.dev-v1.yml";
  private static final ObjectMapper JSON = new ObjectMapper();

  @ParentCommand private Main main;

  @Option(
      names = "--serve",
      description = "keep the API server and operator running for kubectl (Ctrl-C stops)")
  private boolean serve;

  @Option(
      names = "--port",
      paramLabel = "PORT",
      defaultValue = "0",
      description = "API server port on 127.0.0.1; 0 picks a free one (default)")
  private int port;

  @Option(
      names = "--kubeconfig",
      paramLabel = "FILE",
      defaultValue = "nonroot-demo.kubeconfig",
      description = "where --serve writes the kubeconfig (default: ${DEFAULT-VALUE})")
  private Path kubeconfig;

  @Option(
      names = "--examples",
      paramLabel = "DIR",
      description = "install the YAML files of this directory instead of the bundled examples/")
  private Path examples;

  @Option(
      names = "--timeout",
      paramLabel = "SECONDS",
      defaultValue = "90",
      description =
          "give up when the operator has not converged after this long (default: ${DEFAULT-VALUE})")
  private int timeoutSeconds;

  @Option(
      names = "--rollout-delay",
      paramLabel = "DURATION",
      defaultValue = "3s",
      converter = DelayConverter.class,
      description =
          "how long a simulated rollout takes until its pods run (or fail) and the workload's"
              + " status says so, e.g. 3s, 500ms, 0 (default: ${DEFAULT-VALUE})")
  private Duration rolloutDelay;

  @Option(names = "--verbose", description = "show the operator's log (INFO) on standard error")
  private boolean verbose;

  @Override
  public Integer call() throws Exception {
    Console console = main.console();
    if (!verbose) LogSetup.quiet();
    if (examples != null && !Files.isDirectory(examples)) {
      throw new BadInputException(examples + ": not a directory");
    }
    try (EmbeddedApiServer server = EmbeddedApiServer.start(port);
        RolloutSimulator rollouts =
            new RolloutSimulator(server.client(), Clock.systemUTC(), rolloutDelay).start()) {
      KubernetesClient client = server.client();
      CustomResourceDefinition crd;
      try (InputStream in = DemoCommand.class.getResourceAsStream(CRD_RESOURCE)) {
        crd =
            client
                .apiextensions()
                .v1()
                .customResourceDefinitions()
                .load(Objects.requireNonNull(in))
                .item();
      }
      server.installCrd(crd);
      console.println("Embedded API server (fabric8 mock, CRUD mode) on " + server.url());
      console.println(
          "Simulated controllers and kubelet: a rollout's pods and status appear "
              + (rolloutDelay.isZero()
                  ? "as soon as it starts"
                  : spelt(rolloutDelay) + " after it starts")
              + " (--rollout-delay)");
      int installed = install(client, console);
      console.println(
          "Installed the NonRootPolicy CRD and "
              + installed
              + " objects from "
              + (examples == null ? "the bundled examples/" : examples.toString()));
      // On a cluster the workloads ran long before the operator came: their pods report users.
      int rolledOut = awaitFirstRollouts(client, Duration.ofSeconds(timeoutSeconds));
      console.println(
          rolledOut + " workloads rolled out, their pods running; starting the operator");

      long start = System.nanoTime();
      try (NonRootOperator operator =
          NonRootOperator.start(
              client,
              // Rollouts here take --rollout-delay, not minutes: look at their pods often.
              NonRootOperator.Settings.defaults().withRolloutPoll(Duration.ofSeconds(1)))) {
        List<NonRootPolicy> policies = awaitConvergence(client, Duration.ofSeconds(timeoutSeconds));
        if (policies == null) {
          console.error(
              "the operator did not converge within "
                  + timeoutSeconds
                  + " s; the policies as they stand:");
          console.print(PolicyReport.table(crd, list(client), Clock.systemUTC()));
          return ExitCodes.FINDINGS;
        }
        console.println(
            String.format(
                "Operator converged in %.1f s: %d workload patches, %d Service patches",
                (System.nanoTime() - start) / 1e9,
                operator.metrics().get("nonroot_workload_patches_total"),
                operator.metrics().get("nonroot_service_patches_total")));
        console.println("");
        console.println("$ kubectl get nonrootpolicies");
        console.print(PolicyReport.table(crd, policies, Clock.systemUTC()));
        console.println("");
        console.println("Recorded changes (status.workloadChanges of each policy):");
        console.print(PolicyReport.changes(policies));
        console.println("");
        console.println(
            "Rollouts the operator started and followed (nonroot.dev/rollout on each workload):");
        console.print(PolicyReport.rollouts(workloads(client)));
        console.println("");
        console.println("Workloads that really need root (reported, not patched):");
        console.print(PolicyReport.needsRoot(policies));
        if (serve) serve(server, console);
      }
    }
    return ExitCodes.OK;
  }

  private static List<HasMetadata> workloads(KubernetesClient client) {
    List<HasMetadata> out = new ArrayList<>();
    out.addAll(client.apps().deployments().inAnyNamespace().list().getItems());
    out.addAll(client.apps().statefulSets().inAnyNamespace().list().getItems());
    out.addAll(client.apps().daemonSets().inAnyNamespace().list().getItems());
    return out;
  }

  private void serve(EmbeddedApiServer server, Console console) {
    Path file = server.writeKubeconfig(kubeconfig.toAbsolutePath());
    console.println("");
    console.println("Serving until Ctrl-C. Try:");
    console.println("  export KUBECONFIG=" + file);
    console.println("  kubectl get nonrootpolicies");
    console.println("  kubectl get nrp -o wide");
    console.println("  kubectl get deploy -A");
    console.println("  kubectl get deploy web -n shop -o yaml");
    console.println("  kubectl get pods -A");
    console.println(
        "  kubectl create --validate=false -f my-deployment.yaml   # the operator fixes it");
    CountDownLatch stop = new CountDownLatch(1);
    Thread hook = new Thread(stop::countDown, "demo-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      stop.await();
    } catch (InterruptedException e) {
      // Interrupted by an embedding caller (tests): stop like Ctrl-C.
      Runtime.getRuntime().removeShutdownHook(hook);
    }
  }

  /**
   * Creates every object of every YAML file, files in path order (namespaces, policies, workloads).
   */
  private int install(KubernetesClient client, Console console)
      throws IOException, URISyntaxException {
    int count = 0;
    for (Path file : exampleFiles()) {
      List<HasMetadata> items;
      try (InputStream in = Files.newInputStream(file)) {
        items = client.load(in).items();
      } catch (RuntimeException e) {
        throw new BadInputException(
            file + ": not valid Kubernetes YAML: " + firstLine(e.getMessage()));
      }
      for (HasMetadata item : items) {
        try {
          client.resource(item).create();
          count++;
        } catch (KubernetesClientException e) {
          throw new BadInputException(
              file
                  + ": cannot create "
                  + item.getKind()
                  + " "
                  + item.getMetadata().getName()
                  + ": "
                  + firstLine(e.getMessage()));
        }
      }
    }
    return count;
  }

  private List<Path> exampleFiles() throws IOException, URISyntaxException {
    Path root = examples;
    if (root == null) {
      URL url = DemoCommand.class.getResource("/examples");
      if (url == null)
        throw new BadInputException("no bundled examples/ in this build; pass --examples DIR");
      URI uri = url.toURI();
      if (uri.getScheme().equals("jar")) {
        FileSystem fs;
        try {
          fs = FileSystems.newFileSystem(uri, Map.of());
        } catch (FileSystemAlreadyExistsException e) {
          fs = FileSystems.getFileSystem(uri);
        }
        root = fs.getPath("/examples");
      } else {
        root = Path.of(uri);
      }
    }
    List<Path> files = new ArrayList<>();
    Path base = root;
    try (Stream<Path> walk = Files.walk(base)) {
      walk.filter(Files::isRegularFile)
          .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
          .sorted(Comparator.comparing(p -> base.relativize(p).toString()))
          .forEach(files::add);
    }
    if (files.isEmpty()) throw new BadInputException(root + ": no .yaml or .yml files");
    return files;
  }

  /**
   * Converged: every policy has a status for its generation, no Enforce policy is still
   * remediating, no rollout it started is waiting or being followed (each ended verified or
   * reverted), and the statuses stayed the same across a status-write period.
   */
  private static List<NonRootPolicy> awaitConvergence(KubernetesClient client, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    String previous = null;
    while (System.nanoTime() < deadline) {
      List<NonRootPolicy> policies = list(client);
      boolean settled = !policies.isEmpty() && policies.stream().allMatch(DemoCommand::settled);
      String snapshot = settled ? snapshot(policies) : null;
      if (snapshot != null && snapshot.equals(previous)) return policies;
      previous = snapshot;
      Thread.sleep(1500);
    }
    return null;
  }

  /** How many workloads have a status for their generation, once all do or the time is up. */
  private static int awaitFirstRollouts(KubernetesClient client, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      List<HasMetadata> workloads = new ArrayList<>();
      workloads.addAll(client.apps().deployments().inAnyNamespace().list().getItems());
      workloads.addAll(client.apps().statefulSets().inAnyNamespace().list().getItems());
      workloads.addAll(client.apps().daemonSets().inAnyNamespace().list().getItems());
      int done = (int) workloads.stream().filter(DemoCommand::rolledOut).count();
      if (done == workloads.size() || System.nanoTime() > deadline) return done;
      Thread.sleep(200);
    }
  }

  private static boolean rolledOut(HasMetadata workload) {
    Long observed = null;
    if (workload instanceof Deployment d && d.getStatus() != null) {
      observed = d.getStatus().getObservedGeneration();
    } else if (workload instanceof StatefulSet s && s.getStatus() != null) {
      observed = s.getStatus().getObservedGeneration();
    } else if (workload instanceof DaemonSet ds && ds.getStatus() != null) {
      observed = ds.getStatus().getObservedGeneration();
    }
    return observed != null && observed >= workload.getMetadata().getGeneration();
  }

  private static boolean settled(NonRootPolicy p) {
    var s = p.getStatus();
    if (s == null || !Objects.equals(s.getObservedGeneration(), p.getMetadata().getGeneration()))
      return false;
    if (!Objects.equals(s.getPending(), 0) || !Objects.equals(s.getRollingOut(), 0)) return false;
    return s.getConditions().stream()
        .noneMatch(c -> "Ready".equals(c.getType()) && "Remediating".equals(c.getReason()));
  }

  private static List<NonRootPolicy> list(KubernetesClient client) {
    List<NonRootPolicy> items =
        new ArrayList<>(client.resources(NonRootPolicy.class).list().getItems());
    items.sort(Comparator.comparing(p -> p.getMetadata().getName()));
    return items;
  }

  private static String snapshot(List<NonRootPolicy> policies) {
    try {
      return JSON.writeValueAsString(policies.stream().map(NonRootPolicy::getStatus).toList());
    } catch (IOException e) {
      return null;
    }
  }

  /** As the option is written: "3s", "1m30s", "500ms". */
  private static String spelt(Duration d) {
    return d.toMillis() % 1000 == 0 ? HumanDuration.of(d) : d.toMillis() + "ms";
  }

  private static String firstLine(String s) {
    return s == null ? "" : s.lines().findFirst().orElse("");
  }
}
