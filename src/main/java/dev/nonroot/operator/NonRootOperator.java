package dev.nonroot.operator;

import dev.nonroot.api.WorkloadKind;
import dev.nonroot.engine.model.ObjectRef;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.api.config.ResolvedControllerConfiguration;
import io.javaoperatorsdk.operator.api.config.informer.InformerConfiguration;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.javaoperatorsdk.operator.processing.event.rate.LinearRateLimiter;
import io.javaoperatorsdk.operator.processing.event.source.informer.TransformingItemStore;
import io.javaoperatorsdk.operator.processing.retry.GenericRetry;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Assembles the controllers of one operator instance around a client: one workload controller per
 * kind of the {@link WorkloadKind} table that it watches, and the policy status controller, sharing
 * one policy catalog, verdict index, writer and event recorder.
 */
public final class NonRootOperator implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(NonRootOperator.class);

  /** How the operator runs; see {@link #defaults()}. */
  public record Settings(
      Duration resyncPeriod,
      LeaderElection leaderElection,
      String identity,
      int threads,
      double patchesPerSecond,
      Clock clock,
      Set<WorkloadKind> kinds,
      Duration rolloutPoll) {
    /** Workload patches (each a rollout) per second unless told otherwise. */
    public static final double DEFAULT_PATCHES_PER_SECOND = 5;

    /**
     * How often the pods of a rollout in progress are looked at. The workload's own status changes
     * wake the follower too; pods waiting in CrashLoopBackOff change nothing there.
     */
    public static final Duration DEFAULT_ROLLOUT_POLL = Duration.ofSeconds(10);

    public static Settings defaults() {
      return new Settings(
          Duration.ofMinutes(10),
          null,
          podName(),
          10,
          DEFAULT_PATCHES_PER_SECOND,
          Clock.systemUTC(),
          WorkloadKind.watchedKinds(),
          DEFAULT_ROLLOUT_POLL);
    }

    public Settings withResyncPeriod(Duration d) {
      return new Settings(
          d, leaderElection, identity, threads, patchesPerSecond, clock, kinds, rolloutPoll);
    }

    /** Take this Lease before reconciling; null: no leader election (one replica, demo). */
    public Settings withLeaderElection(LeaderElection election) {
      return new Settings(
          resyncPeriod, election, identity, threads, patchesPerSecond, clock, kinds, rolloutPoll);
    }

    /** Who this instance is: the Lease holder's name and the events' reporting instance. */
    public Settings withIdentity(String id) {
      return new Settings(
          resyncPeriod, leaderElection, id, threads, patchesPerSecond, clock, kinds, rolloutPoll);
    }

    /** 0 or less: no limit. */
    public Settings withPatchesPerSecond(double perSecond) {
      return new Settings(
          resyncPeriod, leaderElection, identity, threads, perSecond, clock, kinds, rolloutPoll);
    }

    /** The workload kinds to watch and remediate (default: those the table watches by default). */
    public Settings withKinds(Set<WorkloadKind> k) {
      return new Settings(
          resyncPeriod,
          leaderElection,
          identity,
          threads,
          patchesPerSecond,
          clock,
          Collections.unmodifiableSet(copy(k)),
          rolloutPoll);
    }

    /** How often the pods of a rollout in progress are looked at. */
    public Settings withRolloutPoll(Duration poll) {
      return new Settings(
          resyncPeriod, leaderElection, identity, threads, patchesPerSecond, clock, kinds, poll);
    }

    /** The clock (tests move time on by hand). */
    public Settings withClock(Clock c) {
      return new Settings(
          resyncPeriod, leaderElection, identity, threads, patchesPerSecond, c, kinds, rolloutPoll);
    }
  }

  private static Set<WorkloadKind> copy(Set<WorkloadKind> kinds) {
    Set<WorkloadKind> out = EnumSet.noneOf(WorkloadKind.class);
    out.addAll(kinds);
    return out;
  }

  /** How long a stop waits for reconciles under way: a few requests each. */
  private static final Duration RECONCILES_TO_FINISH = Duration.ofSeconds(10);

  /**
   * Events waiting to be sent before a reconcile sends its own (about a kilobyte each): a mass
   * remediation writes them as fast as the API server takes them, without holding its patches.
   */
  private static final int EVENT_BACKLOG = 4096;

  private final Operator operator;
  private final OperatorMetrics metrics;
  private final Leadership leadership;
  private final KubernetesClient client;
  private final EventRecorder events;
  private boolean closed;

  private NonRootOperator(
      Operator operator,
      OperatorMetrics metrics,
      Leadership leadership,
      KubernetesClient client,
      EventRecorder events) {
    this.events = events;
    this.client = client;
    this.operator = operator;
    this.metrics = metrics;
    this.leadership = leadership;
  }

  /** Whether this instance leads (always, without leader election), and what became of that. */
  public Leadership leadership() {
    return leadership;
  }

  public OperatorMetrics metrics() {
    return metrics;
  }

  /**
   * Whether every controller's informers are running and synced. A standby is ready too: it could
   * lead at once, a PodDisruptionBudget counts only ready pods, and a rolling update waits for the
   * new pod to be ready before it stops the old one, which holds the Lease.
   */
  public boolean ready() {
    return operator.getRuntimeInfo().isStarted()
        && operator.getRuntimeInfo().allEventSourcesAreHealthy();
  }

  public static NonRootOperator start(KubernetesClient client, Settings settings) {
    // A value of the wrong type in an object must not fail the informer reading it: that would stop
    // the operator. Policies are read tolerantly by the model itself (TolerantReader).
    TolerantReading.install(client);
    OperatorMetrics metrics = new OperatorMetrics();
    Leadership leadership =
        settings.leaderElection() == null
            ? Leadership.alone(settings.identity())
            : Leadership.contending(settings.leaderElection(), settings.identity());
    metrics.leadership(leadership::leading);
    Operator operator =
        new Operator(
            o -> {
              o.withKubernetesClient(client)
                  // Server-side apply is not needed: status is one JSON patch we compute ourselves.
                  .withUseSSAToPatchPrimaryResource(false)
                  // No CRD read at start: the ClusterRole grants no access to CRDs.
                  .checkingCRDAndValidateLocalModel(false)
                  .withCloseClientOnStop(false)
                  .withResourceCloner(new PolicyCloner(client.getKubernetesSerialization()))
                  .withStopOnInformerErrorDuringStartup(true)
                  .withCacheSyncTimeout(Duration.ofMinutes(2))
                  // A stop lets the reconciles under way finish their writes (JOSDK's default of 0
                  // interrupts them, and the request still lands later, after the next instance
                  // has read the cluster and planned without it).
                  .withReconciliationTerminationTimeout(RECONCILES_TO_FINISH)
                  .withConcurrentReconciliationThreads(settings.threads())
                  // Reconcile counts and latency per controller, not per resource: thousands of
                  // workloads must not mean thousands of time series.
                  .withMetrics(MicrometerMetrics.withoutPerResourceMetrics(metrics.registry()));
              LeaderElection election = settings.leaderElection();
              if (election != null) {
                o.withLeaderElectionConfiguration(
                    new LeaderElectionConfiguration(
                        election.leaseName(),
                        election.namespace(),
                        election.leaseDuration(),
                        election.renewDeadline(),
                        election.retryPeriod(),
                        settings.identity(),
                        leadership.callbacks(),
                        // JOSDK would call System.exit from the elector's thread, also when
                        // the operator is being stopped by a shutdown hook, where exit blocks
                        // forever. The instance stops itself instead; `run` then exits.
                        false));
                // A stop waits for the reconciles under way, so that a patch being sent lands (or
                // is cancelled) before a standby may take the Lease.
                o.withReconciliationTerminationTimeout(election.stopGrace());
              }
            });
    EventRecorder events =
        EventRecorder.queued(
            client, settings.identity(), settings.clock(), metrics::apiError, EVENT_BACKLOG);
    Collaborators shared =
        new Collaborators(
            new PolicyCatalog(),
            new VerdictIndex(),
            new WorkloadWriter(client, metrics::apiError),
            events,
            metrics,
            new PatchBudget(settings.patchesPerSecond(), settings.clock()),
            new StatusPacer(settings.clock()),
            new WorkloadCaches(),
            new SharedInformers(),
            new RolloutPods(client, metrics::apiError),
            new RolloutBudget(
                o ->
                    new ObjectRef(
                        o.getKind(), o.getMetadata().getNamespace(), o.getMetadata().getName())),
            settings.rolloutPoll(),
            settings.clock(),
            settings.clock().instant());
    operator.register(
        new PolicyStatusController(shared),
        c -> c.withReconciliationMaxInterval(settings.resyncPeriod()));
    for (WorkloadKind kind : settings.kinds()) register(operator, kind, shared, settings);
    // start() returns once every controller's informers have synced.
    try {
      operator.start();
    } catch (RuntimeException e) {
      metrics.close();
      throw e;
    }
    shared.workloads().markSynced();
    shared.index().open();
    NonRootOperator started = new NonRootOperator(operator, metrics, leadership, client, events);
    // Stopping takes the controllers' threads down and waits for them: not on the elector's
    // thread, which the stop also waits for.
    leadership.lost().thenRun(() -> new Thread(started::close, "leadership-lost").start());
    return started;
  }

  /**
   * One controller per kind, configured from the table rather than from an annotated subclass per
   * kind. Not generation-aware: adding the exempt annotation, or a label a selector reads, bumps no
   * generation but changes what is due. Deletions reach the reconciler too (no finalizer), so the
   * verdict index forgets deleted workloads at once.
   */
  private static <R extends HasMetadata> void register(
      Operator operator, WorkloadKind kind, Collaborators shared, Settings settings) {
    @SuppressWarnings("unchecked")
    Class<R> type = (Class<R>) kind.type();
    WorkloadController<R> controller = new WorkloadController<>(kind, shared);
    InformerConfiguration<R> informer =
        InformerConfiguration.builder(type)
            .withName(kind.plural())
            .withWatchAllNamespaces()
            .withOnUpdateFilter(controller::relevantUpdate)
            // The cache keeps what decisions read, not what 10,000 copies of managedFields weigh.
            .withItemStore(new TransformingItemStore<>(CacheTrim::workload))
            .buildForController();
    ControllerConfiguration<R> config =
        new ResolvedControllerConfiguration<>(
            kind.plural(),
            false,
            WorkloadController.class.getCanonicalName(),
            GenericRetry.defaultLimitedExponentialRetry(),
            LinearRateLimiter.deactivatedRateLimiter(),
            settings.resyncPeriod(),
            null,
            Map.of(),
            OperatorConstants.FIELD_MANAGER,
            operator.getConfigurationService(),
            informer,
            true,
            null);
    operator.register(controller, config);
  }

  /** Stops the controllers (and the leader elector); once, however often it is called. */
  @Override
  public synchronized void close() {
    if (closed) return;
    closed = true;
    boolean leading = leadership.enabled() && leadership.leading();
    leadership.stopping();
    ExecutorService reconciles =
        operator.getConfigurationService().getExecutorServiceManager().reconcileExecutorService();
    operator.stop();
    // JOSDK interrupts the reconciles still running after its grace period without waiting for
    // them; an instance that stopped leading must not send anything once close returns.
    boolean quiet = reconciles == null;
    try {
      quiet = quiet || reconciles.awaitTermination(10, TimeUnit.SECONDS);
      if (!quiet) LOG.warn("reconciles still running 10 s after the operator stopped");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    events.close(Duration.ofSeconds(5));
    // Only once quiet: nothing this instance sent may land after a standby took over.
    if (leading && quiet && !leadership.lost().isDone()) leadership.release(client);
    metrics.close();
  }

  /** The pod's name (downward API: POD_NAME), else the host name. */
  private static String podName() {
    for (String name : new String[] {"POD_NAME", "HOSTNAME"}) {
      String v = System.getenv(name);
      if (v != null && !v.isBlank()) return v;
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "nonroot-operator";
    }
  }
}
