package dev.nonroot.engine.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nonroot.api.NonRootPolicy;
import dev.nonroot.api.NonRootPolicySpec;
import dev.nonroot.api.OnDeleteMode;
import dev.nonroot.engine.policy.PolicyResolver;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class DepartureTest {
  private static final Instant DELETED = Instant.parse("2026-12-02T10:00:00Z");

  private static Departure timedOut(String timeout) throws Exception {
    NonRootPolicy p = new NonRootPolicy();
    p.getMetadata().setName("baseline");
    NonRootPolicySpec spec = new NonRootPolicySpec();
    spec.setOnDelete(OnDeleteMode.Revert.name());
    spec.setOnDeleteTimeout(timeout);
    p.setSpec(spec);
    return Departure.of(PolicyResolver.resolve(p), 3, DELETED, DELETED.plus(Duration.ofHours(2)));
  }

  /** The message names the timeout as the policy spelled it: 90s was printed as "1m". */
  @Test
  void aTimedOutDeletionNamesItsTimeoutAsWritten() throws Exception {
    assertThat(timedOut("90s").message()).contains("(90s)");
    assertThat(timedOut("10m").message()).contains("(10m)");
    assertThat(timedOut("1h").message()).contains("(1h)").startsWith("3 workload(s)");
    assertThat(timedOut("90s").reason()).isEqualTo("RestoreTimedOut");
    assertThat(timedOut("90s").release()).isTrue();
  }
}
