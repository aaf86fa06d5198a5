package dev.nonroot.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PatchBudgetTest {
  private final AtomicLong millis = new AtomicLong(1_000_000);
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
  void spendsOneSecondWorthAtOnceThenGivesEachWaiterItsOwnSlot() {
    PatchBudget budget = new PatchBudget(5, clock);
    for (int i = 0; i < 5; i++) assertThat(budget.take()).isZero();
    // Waiters are spread 200 ms apart instead of all retrying after the same 200 ms.
    assertThat(budget.take()).isEqualTo(Duration.ofMillis(200));
    assertThat(budget.take()).isEqualTo(Duration.ofMillis(400));
    assertThat(budget.take()).isEqualTo(Duration.ofMillis(600));
    millis.addAndGet(10_000);
    for (int i = 0; i < 5; i++) assertThat(budget.take()).isZero();
    assertThat(budget.take()).isEqualTo(Duration.ofMillis(200));
  }

  @Test
  void zeroMeansUnlimited() {
    PatchBudget budget = new PatchBudget(0, clock);
    for (int i = 0; i < 1000; i++) assertThat(budget.take()).isZero();
  }
}
