package dev.nonroot.operator;

import java.time.Clock;
import java.time.Duration;

/**
 * A token bucket for workload patches. Each patch changes a pod template and so starts a rollout; a
 * new Enforce policy over a whole cluster must not restart everything at once.
 */
final class PatchBudget {
  private final double perSecond;
  private final Clock clock;
  private double tokens;
  private long lastMillis;

  /** {@code perSecond <= 0} means unlimited. One second's worth may be spent at once. */
  PatchBudget(double perSecond, Clock clock) {
    this.perSecond = perSecond;
    this.clock = clock;
    this.tokens = Math.max(1, perSecond);
    this.lastMillis = clock.millis();
  }

  /**
   * Books one patch: zero when it may go now, else the wait until its own slot. Every caller gets a
   * different slot (the bucket goes into debt), so waiting workloads come back one by one instead
   * of all retrying at once; a caller that was given a wait must not call again for that patch.
   */
  synchronized Duration take() {
    if (perSecond <= 0) return Duration.ZERO;
    long now = clock.millis();
    tokens = Math.min(Math.max(1, perSecond), tokens + (now - lastMillis) / 1000.0 * perSecond);
    lastMillis = now;
    tokens -= 1;
    if (tokens >= 0) return Duration.ZERO;
    return Duration.ofMillis((long) Math.ceil(-tokens / perSecond * 1000));
  }
}
