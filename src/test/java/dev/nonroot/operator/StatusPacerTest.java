package dev.nonroot.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class StatusPacerTest {
  private final AtomicLong millis = new AtomicLong(5_000_000);
  private final Clock clock =
      new Clock() {
        @Override
        public ZoneId getZone() {
          return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
          return this;
        }

        @Override
        public Instant instant() {
          return Instant.ofEpochMilli(millis.get());
        }
      };

  @Test
  void aPolicysStatusIsWrittenAtMostOncePerSecondAndOthersAreNotHeldBack() {
    StatusPacer pacer = new StatusPacer(clock);
    assertThat(pacer.waitBefore("baseline")).isZero();
    pacer.wrote("baseline");

    millis.addAndGet(392);
    assertThat(pacer.waitBefore("baseline")).isEqualTo(Duration.ofMillis(608));
    assertThat(pacer.waitBefore("audit")).as("another policy").isZero();

    millis.addAndGet(608);
    assertThat(pacer.waitBefore("baseline")).isZero();
  }

  @Test
  void aDeletedPolicyIsForgotten() {
    StatusPacer pacer = new StatusPacer(clock);
    pacer.wrote("gone");
    pacer.forget("gone");
    assertThat(pacer.waitBefore("gone")).isZero();
  }
}
