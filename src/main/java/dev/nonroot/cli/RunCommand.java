package dev.nonroot.cli;

import dev.nonroot.api.NonRootPolicy;
import dev.nonroot.operator.HealthServer;
import dev.nonroot.operator.LeaderElection;
import dev.nonroot.operator.NonRootOperator;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.LeaderElectionManager;
import io.javaoperatorsdk.operator.OperatorException;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** The operator itself: connects like kubectl and runs until stopped. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Run the operator against a cluster.",
      "Connects like kubectl (KUBECONFIG and its current context, or the in-cluster service",
      "account). Needs the NonRootPolicy CRD installed."
    })
final class RunCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

  @ParentCommand private Main main;

  @Option(
      names = "--context",
      paramLabel = "NAME",
      description = "kubeconfig context to use (default: current)")
  private String context;

  @Option(
      names = "--health-port",
      paramLabel = "PORT",
      defaultValue = "8080",
      description =
          "port of /healthz, /readyz and /metrics; 0 picks a free one (default: ${DEFAULT-VALUE})")
  private int healthPort;

  @Option(
      names = "--leader-election",
      description = {
        "take a Lease before acting, so several replicas can run: only the holder writes; the",
        "others keep their caches and take over when it goes. Losing the Lease ends the process",
        "(exit 4) so that the pod restarts as a standby"
      })
  private boolean leaderElection;

  @Option(
      names = "--lease-namespace",
      paramLabel = "NS",
      defaultValue = "${env:POD_NAMESPACE:-nonroot-system}",
      description =
          "namespace of the leader-election Lease (default: $POD_NAMESPACE or nonroot-system)")
  private String leaseNamespace;

  @Option(
      names = "--lease-name",
      paramLabel = "NAME",
      defaultValue = LeaderElection.DEFAULT_LEASE_NAME,
      description = {
        "name of the leader-election Lease (default: ${DEFAULT-VALUE}); the holder's identity is",
        "$POD_NAME, else the host name"
      })
  private String leaseName;

  @Option(
      names = "--resync",
      paramLabel = "DURATION",
      defaultValue = "PT10M",
      converter = DurationConverter.class,
      description =
          "re-evaluate everything this often even without events, e.g. 10m, 30s (default: 10m)")
  private Duration resync;

  @Option(
      names = "--max-patches-per-second",
      paramLabel = "N",
      defaultValue = "5",
      description = {
        "workload patches per second at most; each one starts a rollout, so a new policy does not",
        "restart the whole cluster at once; 0 = no limit (default: ${DEFAULT-VALUE})"
      })
  private double patchesPerSecond;

  @Option(
      names = "--rollout-poll",
      paramLabel = "DURATION",
      defaultValue = "PT10S",
      converter = DurationConverter.class,
      description = {
        "how often the pods of a rollout the operator started are listed while it is followed,",
        "e.g. 10s (default: 10s); the workload's own status changes are seen at once"
      })
  private Duration rolloutPoll;

  @Option(
      names = "--log-format",
      paramLabel = "FORMAT",
      defaultValue = "text",
      description = {
        "text, or json: one JSON object a line (time, level, logger, thread, message, and the",
        "decision's policy, kind, namespace, name, outcome, fields) (default: ${DEFAULT-VALUE})"
      })
  private String logFormat;

  @Override
  public Integer call() throws Exception {
    Console console = main.console();
    if (!logFormat.equals("text") && !logFormat.equals("json")) {
      throw new BadInputException("--log-format must be text or json, got " + logFormat);
    }
    if (logFormat.equals("json")) LogSetup.json();
    if (!Double.isFinite(patchesPerSecond)
        || patchesPerSecond < 0
        || (patchesPerSecond > 0 && patchesPerSecond < 0.01)) {
      throw new BadInputException(
          "--max-patches-per-second must be 0 (no limit) or at least 0.01, got "
              + patchesPerSecond);
    }
    if (rolloutPoll.compareTo(Duration.ofMillis(100)) < 0) {
      throw new BadInputException("--rollout-poll must be at least 100ms, got " + rolloutPoll);
    }
    Config config = Config.autoConfigure(context);
    KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
    String problem;
    // One quick try: a missing cluster should be reported in a second, not after ten retries.
    try (KubernetesClient probe =
        new KubernetesClientBuilder()
            .withConfig(new ConfigBuilder(config).withRequestRetryBackoffLimit(0).build())
            .build()) {
      problem = preflight(probe);
    }
    if (problem != null) {
      console.error(problem);
      client.close();
      return ExitCodes.BAD_INPUT;
    }
    NonRootOperator.Settings settings =
        NonRootOperator.Settings.defaults()
            .withResyncPeriod(resync)
            .withPatchesPerSecond(patchesPerSecond)
            .withRolloutPoll(rolloutPoll);
    if (leaderElection) {
      settings = settings.withLeaderElection(LeaderElection.in(leaseName, leaseNamespace));
    }
    NonRootOperator operator;
    try {
      operator = NonRootOperator.start(client, settings);
    } catch (OperatorException e) {
      String lease = leaseProblem(e, leaseNamespace + "/" + leaseName);
      if (lease == null) throw e;
      console.error(lease);
      client.close();
      return ExitCodes.BAD_INPUT;
    }
    HealthServer health;
    try {
      health =
          HealthServer.start(
              healthPort,
              () -> !operator.leadership().lost().isDone(),
              operator::ready,
              operator.leadership()::role,
              operator.metrics()::render);
    } catch (IOException e) {
      operator.close();
      client.close();
      throw new BadInputException(
          "cannot serve health checks on port " + healthPort + ": " + e.getMessage());
    }
    String running =
        "nonroot-operator running against "
            + config.getMasterUrl()
            + "; health, readiness and metrics on :"
            + health.port()
            + " (/healthz, /readyz, /metrics)";
    // In JSON, every line from here on is a log line a collector can parse.
    if (logFormat.equals("json")) LOG.info(running);
    else console.error(running);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  health.close();
                  operator.close();
                  client.close();
                  stopped.countDown();
                },
                "shutdown"));
    // Losing the Lease stops the instance (NonRootOperator); the process then ends, and the
    // kubelet restarts the container as a standby with fresh caches.
    operator.leadership().lost().thenRun(stopped::countDown);
    stopped.await();
    return operator.leadership().lost().isDone() ? ExitCodes.LOST_LEADERSHIP : ExitCodes.OK;
  }

  /**
   * One sentence when the leader elector may not start: JOSDK checks the Lease verbs with a
   * SelfSubjectRulesReview first.
   */
  static String leaseProblem(Throwable e, String lease) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = t.getMessage();
      if (m != null
          && m.startsWith(LeaderElectionManager.NO_PERMISSION_TO_LEASE_RESOURCE_MESSAGE)) {
        int missing = m.indexOf("missing required verbs");
        return "not allowed to take the leader-election Lease "
            + lease
            + (missing < 0 ? "" : ": " + m.substring(missing))
            + " (see manifests/leader-election-rbac.yaml)";
      }
    }
    return null;
  }

  /** One clear sentence for the usual ways a start fails, before any controller starts. */
  static String preflight(KubernetesClient client) {
    try {
      client.resources(NonRootPolicy.class).list(new ListOptionsBuilder().withLimit(1L).build());
      return null;
    } catch (KubernetesClientException e) {
      String url = client.getConfiguration().getMasterUrl();
      return switch (e.getCode()) {
        case 404 ->
            "the NonRootPolicy CRD is not installed in "
                + url
                + ": kubectl apply -f crds/nonrootpolicies.nonroot.dev-v1.yml";
        case 401, 403 ->
            "not allowed to list nonrootpolicies at "
                + url
                + " ("
                + e.getCode()
                + "): check the ClusterRole in manifests/ is bound to this identity";
        default ->
            e.getCode() <= 0
                // fabric8 reports transport failures with code 0 or -1.
                ? "cannot reach the API server at " + url + ": " + rootCause(e)
                : "the API server at "
                    + url
                    + " refused to list nonrootpolicies ("
                    + e.getCode()
                    + "): "
                    + e.getMessage().lines().findFirst().orElse("");
      };
    }
  }

  private static String rootCause(Throwable t) {
    while (t.getCause() != null) t = t.getCause();
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }
}
