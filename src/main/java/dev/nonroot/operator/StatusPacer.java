package dev.nonroot.operator;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * At most one status write per policy per second. Every write is sent to every watcher of the
 * policy, and JOSDK's rate limiter alone lets two through at the edge of its window (measured by
 * {@code bench}).
 */
final class StatusPacer {
  static final Duration GAP = Duration.ofSeconds(1);

  private final Clock clock;
  private final Map<String, Long> lastWrite = new ConcurrentHashMap<>();

  StatusPacer(Clock clock) {
    this.clock = clock;
  }

  /** Zero when the policy's status may be written now, else how long until it may. */
  Duration waitBefore(String policy) {
    Long last = lastWrite.get(policy);
    if (last == null) return Duration.ZERO;
    long left = last + GAP.toMillis() - clock.millis();
    return left > 0 ? Duration.ofMillis(left) : Duration.ZERO;
  }

  void wrote(String policy) {
    lastWrite.put(policy, clock.millis());
  }

  /** Forgets a deleted policy. */
  void forget(String policy) {
    lastWrite.remove(policy);
  }
}
