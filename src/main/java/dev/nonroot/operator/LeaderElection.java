package dev.nonroot.operator;

import java.time.Duration;
import java.util.Objects;

/**
 * Which coordination.k8s.io Lease the replicas compete for, and how fast. Only the holder
 * reconciles; the others keep their caches warm and write nothing.
 *
 * @param leaseDuration how long a standby waits after the leader's last renewal before it takes the
 *     Lease: the longest the operator goes without a leader when the leader dies
 * @param renewDeadline how long the leader keeps trying to renew before it gives up; shorter than
 *     the lease, so a leader that cannot renew stops writing before anyone else may start
 * @param retryPeriod how often the leader renews and a standby looks at the Lease
 */
public record LeaderElection(
    String leaseName,
    String namespace,
    Duration leaseDuration,
    Duration renewDeadline,
    Duration retryPeriod) {
  public static final String DEFAULT_LEASE_NAME = "nonroot-operator";

  // client-go's and JOSDK's defaults: a dead leader is replaced within about 15 s.
  public static final Duration DEFAULT_LEASE_DURATION = Duration.ofSeconds(15);
  public static final Duration DEFAULT_RENEW_DEADLINE = Duration.ofSeconds(10);
  public static final Duration DEFAULT_RETRY_PERIOD = Duration.ofSeconds(2);

  /** fabric8 waits up to this many retry periods more (jitter) between a standby's attempts. */
  private static final double JITTER = 1.2;

  public LeaderElection {
    Objects.requireNonNull(leaseName, "leaseName");
    Objects.requireNonNull(namespace, "namespace");
    if (renewDeadline.plus(retryPeriod).compareTo(leaseDuration) >= 0) {
      throw new IllegalArgumentException(
          "the renew deadline ("
              + renewDeadline
              + ") and a retry period ("
              + retryPeriod
              + ") must fit in the lease duration "
              + leaseDuration);
    }
    if (retryPeriod.toMillis() * (1 + JITTER) > renewDeadline.toMillis()) {
      throw new IllegalArgumentException(
          "the retry period (" + retryPeriod + ") must fit the renew deadline " + renewDeadline);
    }
  }

  public static LeaderElection in(String leaseName, String namespace) {
    return new LeaderElection(
        leaseName, namespace, DEFAULT_LEASE_DURATION, DEFAULT_RENEW_DEADLINE, DEFAULT_RETRY_PERIOD);
  }

  /** Shorter timings (tests). */
  public LeaderElection withTimings(Duration lease, Duration renew, Duration retry) {
    return new LeaderElection(leaseName, namespace, lease, renew, retry);
  }

  /** The longest a standby may take to notice that the Lease expired: one jittered retry period. */
  public Duration longestRetry() {
    return Duration.ofMillis((long) Math.ceil(retryPeriod.toMillis() * (1 + JITTER)));
  }

  /**
   * How long a stop waits for the reconciles under way: a leader that gave up renewing still holds
   * the Lease for lease duration - renew deadline, and renewed up to a retry period before that.
   */
  public Duration stopGrace() {
    return leaseDuration.minus(renewDeadline).minus(retryPeriod);
  }

  String lease() {
    return namespace + "/" + leaseName;
  }
}
