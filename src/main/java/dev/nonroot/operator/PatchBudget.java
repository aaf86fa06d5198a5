package dev.nonroot.operator;

import java.time.Clock;
import java.time.Duration;

/**
 * A token bucket for workload patches. Each patch changes a pod template and so starts a rollout;
 * a new Enforce policy over a whole cluster must not restart everything at once.
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

  /** Takes one patch from the budget: zero when it may go now, else how long to wait. */
  synchronized Duration take() {
    if (perSecond <= 0) return Duration.ZERO;
    long now = clock.millis();
    tokens = Math.min(Math.max(1, perSecond), tokens + (now - lastMillis) / 1000.0 * perSecond);
    lastMillis = now;
    if (tokens >= 1) {
      tokens -= 1;
      return Duration.ZERO;
    }
    return Duration.ofMillis((long) Math.ceil((1 - tokens) / perSecond * 1000));
  }
}
