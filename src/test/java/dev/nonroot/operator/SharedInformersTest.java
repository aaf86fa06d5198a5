package dev.nonroot.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * One operator instance lists and watches each secondary type once, however many workload kinds it
 * watches: every kind's controller reads the same Service, Namespace, NetworkPolicy and policy
 * caches, and each is woken by their events.
 */
class SharedInformersTest extends OperatorTestBase {
  private long lists(String path) {
    return harness.requests.count(
        r -> r.method().equals("GET") && !r.isWatch() && r.path().equals(path));
  }

  @Test
  void eachSecondaryTypeIsListedOnceForEveryWorkloadKind() throws Exception {
    harness.apply("/operator/shop.yaml");
    harness.apply("/operator/policy-enforce.yaml");
    // Deployments, StatefulSets and DaemonSets: three workload controllers.
    harness.start(Duration.ofMinutes(10));

    // Services: the workload controllers' cache and the status controller's (records).
    assertThat(lists("/api/v1/services")).isEqualTo(2);
    assertThat(lists("/api/v1/namespaces")).isEqualTo(1);
    assertThat(lists("/apis/networking.k8s.io/v1/networkpolicies")).isEqualTo(1);
    // Policies: the status controller's own and the workload controllers'.
    assertThat(lists("/apis/nonroot.dev/v1alpha1/nonrootpolicies")).isEqualTo(2);

    // Every kind is still woken by them: all three decided, the Service moved with its workload.
    harness.settledStatus("baseline", s -> s.getRemediated() == 3 && s.getCompliant() == 3);
    assertThat(harness.requests.writesTo("/api/v1/namespaces/shop/services/web")).isEqualTo(1);
  }
}
