package dev.nonroot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.javaoperatorsdk.operator.LeaderElectionManager;
import io.javaoperatorsdk.operator.OperatorException;
import org.junit.jupiter.api.Test;

class RunCommandTest {
  /**
   * JOSDK refuses to start without the Lease verbs it checks (LeaderElectionTest shows the
   * refusal); `run` says so in one line instead of an internal error.
   */
  @Test
  void aMissingLeaseVerbIsOneLineNamingTheLeaseAndTheVerbs() {
    OperatorException refused =
        new OperatorException(
            "Error starting operator",
            new OperatorException(
                LeaderElectionManager.NO_PERMISSION_TO_LEASE_RESOURCE_MESSAGE
                    + " in namespace: nonroot-system; missing required verbs: [update]"));
    assertThat(RunCommand.leaseProblem(refused, "nonroot-system/nonroot-operator"))
        .isEqualTo(
            "not allowed to take the leader-election Lease nonroot-system/nonroot-operator:"
                + " missing required verbs: [update] (see manifests/leader-election-rbac.yaml)");
    assertThat(RunCommand.leaseProblem(new OperatorException("other"), "ns/l")).isNull();
  }
}
