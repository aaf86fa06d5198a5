package dev.nonroot.operator;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether this instance leads, as JOSDK's leader elector reports it, with one log line for each
 * change. Losing the Lease while running completes {@link #lost()}: the instance stops writing and
 * `run` exits, so that Kubernetes restarts the container as a fresh standby (JOSDK cannot put a
 * controller back on standby, and the new leader may already be writing).
 */
public final class Leadership {
  private static final Logger LOG = LoggerFactory.getLogger(Leadership.class);

  private final LeaderElection election;
  private final String identity;
  private final CompletableFuture<Void> lost = new CompletableFuture<>();
  private volatile boolean leading;
  private volatile String leader;
  private volatile boolean stopping;

  private Leadership(LeaderElection election, String identity) {
    this.election = election;
    this.identity = identity;
    this.leading = election == null;
  }

  /** Leader election off: this instance always leads. */
  static Leadership alone(String identity) {
    return new Leadership(null, identity);
  }

  static Leadership contending(LeaderElection election, String identity) {
    LOG.info(
        "Leader election: {} waits for Lease {}; until it holds it, it keeps its caches and"
            + " writes nothing",
        identity,
        election.lease());
    return new Leadership(Objects.requireNonNull(election), identity);
  }

  public boolean enabled() {
    return election != null;
  }

  /** Whether this instance may write now. */
  public boolean leading() {
    return leading;
  }

  /** The identity holding the Lease as last seen, or null before anyone was seen. */
  public String leader() {
    return enabled() ? leader : identity;
  }

  public String identity() {
    return identity;
  }

  /** "leader" or "standby"; empty without leader election. */
  public String role() {
    if (!enabled()) return "";
    return leading ? "leader" : "standby";
  }

  /** Completed when this instance lost the Lease while running (not when it was stopped). */
  public CompletableFuture<Void> lost() {
    return lost;
  }

  /** From now on, a lost Lease is the expected end of a stop, not a failure. */
  void stopping() {
    stopping = true;
  }

  LeaderCallbacks callbacks() {
    return new LeaderCallbacks(this::started, this::stopped, this::newLeader);
  }

  private void started() {
    leading = true;
    leader = identity;
    LOG.info(
        "Leader election: {} now leads (Lease {}); reconciling and writing from now on",
        identity,
        election.lease());
  }

  private void stopped() {
    boolean was = leading;
    leading = false;
    if (stopping) {
      if (was) {
        LOG.info(
            "Leader election: {} stopped leading (shutting down); a standby takes Lease {} once"
                + " it expires, within {} s",
            identity,
            election.lease(),
            election.leaseDuration().toSeconds());
      }
      return;
    }
    LOG.error(
        "Leader election: {} lost Lease {} (not renewed within {} s, or taken by another"
            + " replica); stopping every write and exiting, so the pod restarts as a standby",
        identity,
        election.lease(),
        election.renewDeadline().toSeconds());
    lost.complete(null);
  }

  private void newLeader(String id) {
    if (id == null || id.isEmpty() || id.equals(leader)) return;
    leader = id;
    if (id.equals(identity)) return;
    if (leading) {
      // Taken over: stopped() follows at once and says what this instance does about it.
      LOG.warn("Leader election: {} holds Lease {} now", id, election.lease());
    } else {
      LOG.info(
          "Leader election: {} leads (Lease {}); {} stands by", id, election.lease(), identity);
    }
  }

  /**
   * Hands the Lease back after a stop, as client-go's ReleaseOnCancel does: no holder, a lease of
   * one second. A standby then takes it at its next retry (2 s) instead of waiting out the lease
   * (15 s) with no leader. JOSDK cancels its elector without releasing. Called only once this
   * instance sends nothing more; the update carries the Lease's resourceVersion, so a Lease another
   * replica already took is left alone.
   */
  void release(KubernetesClient client) {
    if (election == null) return;
    try {
      Lease lease =
          client
              .resources(Lease.class)
              .inNamespace(election.namespace())
              .withName(election.leaseName())
              .get();
      if (lease == null
          || lease.getSpec() == null
          || !identity.equals(lease.getSpec().getHolderIdentity())) {
        return;
      }
      // A Lease's times are MicroTime.
      ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
      lease.getSpec().setHolderIdentity("");
      lease.getSpec().setLeaseDurationSeconds(1);
      lease.getSpec().setRenewTime(now);
      lease.getSpec().setAcquireTime(now);
      client.resource(lease).update();
      LOG.info("Leader election: {} released Lease {}", identity, election.lease());
    } catch (KubernetesClientException e) {
      LOG.warn(
          "Leader election: {} could not release Lease {} ({}); a standby takes it once it"
              + " expires",
          identity,
          election.lease(),
          e.getCode() == 0 ? e.getMessage() : "HTTP " + e.getCode());
    }
  }
}
