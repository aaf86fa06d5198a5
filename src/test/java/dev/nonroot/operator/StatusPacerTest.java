package dev.nonroot.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class StatusPacerTest {
  private final MutableClock clock = new MutableClock(Instant.ofEpochMilli(5_000_000));

  @Test
  void aPolicysStatusIsWrittenAtMostOncePerSecondAndOthersAreNotHeldBack() {
    StatusPacer pacer = new StatusPacer(clock);
    assertThat(pacer.waitBefore("baseline")).isZero();
    pacer.wrote("baseline");

    clock.advance(Duration.ofMillis(392));
    assertThat(pacer.waitBefore("baseline")).isEqualTo(Duration.ofMillis(608));
    assertThat(pacer.waitBefore("audit")).as("another policy").isZero();

    clock.advance(Duration.ofMillis(608));
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
