package dev.nonroot.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import java.time.Clock;
import java.time.Duration;

/**
 * Assembles the controllers of one operator instance around a client: three workload remediators
 * and the policy status controller, sharing one policy catalog, ledger and event recorder.
 */
public final class NonRootOperator implements AutoCloseable {
  /** How the operator runs; see {@link #defaults()}. */
  public record Settings(Duration resyncPeriod, boolean leaderElection, String leaseNamespace, String identity,
      int threads, double patchesPerSecond, Clock clock) {
    /** Workload patches (each a rollout) per second unless told otherwise. */
    public static final double DEFAULT_PATCHES_PER_SECOND = 5;

    public static Settings defaults() {
      return new Settings(Duration.ofMinutes(10), false, null, hostname(), 10, DEFAULT_PATCHES_PER_SECOND,
          Clock.systemUTC());
    }

    public Settings withResyncPeriod(Duration d) {
      return new Settings(d, leaderElection, leaseNamespace, identity, threads, patchesPerSecond, clock);
    }

    public Settings withLeaderElection(String namespace) {
      return new Settings(resyncPeriod, true, namespace, identity, threads, patchesPerSecond, clock);
    }

    /** 0 or less: no limit. */
    public Settings withPatchesPerSecond(double perSecond) {
      return new Settings(resyncPeriod, leaderElection, leaseNamespace, identity, threads, perSecond, clock);
    }
  }

  private final Operator operator;
  private final OperatorMetrics metrics;

  private NonRootOperator(Operator operator, OperatorMetrics metrics) {
    this.operator = operator;
    this.metrics = metrics;
  }

  public OperatorMetrics metrics() {
    return metrics;
  }

  /** Whether every controller's informers are running and synced. */
  public boolean ready() {
    return operator.getRuntimeInfo().isStarted() && operator.getRuntimeInfo().allEventSourcesAreHealthy();
  }

  public static NonRootOperator start(KubernetesClient client, Settings settings) {
    Operator operator = new Operator(o -> {
      o.withKubernetesClient(client)
          // Server-side apply is not needed: status is one JSON patch we compute ourselves.
          .withUseSSAToPatchPrimaryResource(false)
          // No CRD read at start: the ClusterRole grants no access to CustomResourceDefinitions.
          .checkingCRDAndValidateLocalModel(false)
          .withCloseClientOnStop(false)
          .withStopOnInformerErrorDuringStartup(true)
          .withCacheSyncTimeout(Duration.ofMinutes(2))
          .withConcurrentReconciliationThreads(settings.threads());
      if (settings.leaderElection()) {
        o.withLeaderElectionConfiguration(new LeaderElectionConfiguration("nonroot-operator",
            settings.leaseNamespace(), LeaderElectionConfiguration.LEASE_DURATION_DEFAULT_VALUE,
            LeaderElectionConfiguration.RENEW_DEADLINE_DEFAULT_VALUE,
            LeaderElectionConfiguration.RETRY_PERIOD_DEFAULT_VALUE, settings.identity(), null, true));
      }
    });
    RemediationLedger ledger = new RemediationLedger();
    OperatorMetrics metrics = new OperatorMetrics();
    var services = new WorkloadRemediator.OperatorServices(new PolicyCatalog(), new WorkloadPatcher(client),
        new EventRecorder(client, settings.identity()), ledger, metrics,
        new PatchBudget(settings.patchesPerSecond(), settings.clock()), settings.clock());
    operator.register(new PolicyStatusReconciler(services), c -> c.withReconciliationMaxInterval(settings.resyncPeriod()));
    // Not generation-aware: adding or removing the exempt annotation, or a label a selector reads,
    // bumps no generation but changes what is due.
    operator.register(new DeploymentRemediator(services), c -> c.withReconciliationMaxInterval(settings.resyncPeriod())
        .withGenerationAware(false).withOnUpdateFilter(PodTemplates::relevantUpdate));
    operator.register(new StatefulSetRemediator(services), c -> c.withReconciliationMaxInterval(settings.resyncPeriod())
        .withGenerationAware(false).withOnUpdateFilter(PodTemplates::relevantUpdate));
    operator.register(new DaemonSetRemediator(services), c -> c.withReconciliationMaxInterval(settings.resyncPeriod())
        .withGenerationAware(false).withOnUpdateFilter(PodTemplates::relevantUpdate));
    operator.start();
    return new NonRootOperator(operator, metrics);
  }

  @Override
  public void close() {
    operator.stop();
  }

  private static String hostname() {
    String h = System.getenv("HOSTNAME");
    if (h != null && !h.isBlank()) return h;
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      return "nonroot-operator";
    }
  }
}
