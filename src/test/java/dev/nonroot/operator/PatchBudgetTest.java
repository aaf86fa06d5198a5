package dev.nonroot.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class PatchBudgetTest {
  private final MutableClock clock = new MutableClock(Instant.ofEpochMilli(1_000_000));

  @Test
  void spendsOneSecondWorthAtOnceThenGivesEachWaiterItsOwnSlot() {
    PatchBudget budget = new PatchBudget(5, clock);
    for (int i = 0; i < 5; i++) assertThat(budget.take()).isZero();
    // Waiters are spread 200 ms apart instead of all retrying after the same 200 ms.
    assertThat(budget.take()).isEqualTo(Duration.ofMillis(200));
    assertThat(budget.take()).isEqualTo(Duration.ofMillis(400));
    assertThat(budget.take()).isEqualTo(Duration.ofMillis(600));
    clock.advance(Duration.ofMillis(10_000));
    for (int i = 0; i < 5; i++) assertThat(budget.take()).isZero();
    assertThat(budget.take()).isEqualTo(Duration.ofMillis(200));
  }

  @Test
  void zeroMeansUnlimited() {
    PatchBudget budget = new PatchBudget(0, clock);
    for (int i = 0; i < 1000; i++) assertThat(budget.take()).isZero();
  }
}
