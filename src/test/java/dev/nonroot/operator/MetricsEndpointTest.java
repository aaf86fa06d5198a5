package dev.nonroot.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.nonroot.api.NonRootPolicy;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.assertj.core.api.Condition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What a Prometheus scrape of /metrics on a running operator finds. */
class MetricsEndpointTest extends OperatorTestBase {
  private static final String DEPLOY = "/apis/apps/v1/namespaces/shop/deployments/web";
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private HealthServer health;

  @AfterEach
  void stopHealth() {
    if (health != null) health.close();
  }

  private void start() throws IOException {
    harness.start(Duration.ofSeconds(30));
    // As `run` wires it.
    health = HealthServer.start(0, () -> true, () -> true, () -> "", harness.metrics()::render);
  }

  /** Series ("name{labels}") → value, from the Prometheus text format. */
  private Map<String, Double> scrape() throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + health.port() + "/metrics"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("text/plain; version=0.0.4"));
    Map<String, Double> series = new TreeMap<>();
    for (String line : r.body().lines().toList()) {
      if (line.isBlank() || line.startsWith("#")) continue;
      int space = line.lastIndexOf(' ');
      series.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
    }
    return series;
  }

  private Map<String, Double> scrapeUntil(Predicate<Map<String, Double>> done) {
    return await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .ignoreExceptions()
        .until(this::scrape, done);
  }

  @Test
  void servesPolicyGaugesTheReconcileTimerJvmMetricsAndTheCounters() throws Exception {
    harness.apply("/operator/shop.yaml");
    harness.apply("/operator/policy-enforce.yaml");
    start();
    harness.settledStatus("baseline", s -> s.getRemediated() == 3 && s.getCompliant() == 3);

    Map<String, Double> m =
        scrapeUntil(
            s ->
                s.get("nonroot_policy_workloads_remediated{policy=\"baseline\"}") != null
                    && s.get("nonroot_policy_workloads_remediated{policy=\"baseline\"}") == 3);
    // The status the policy shows, per policy.
    assertThat(m)
        .containsEntry("nonroot_policy_workloads_matched{policy=\"baseline\"}", 3.0)
        .containsEntry("nonroot_policy_workloads_compliant{policy=\"baseline\"}", 3.0)
        .containsEntry("nonroot_policy_workloads_failed{policy=\"baseline\"}", 0.0)
        .containsEntry("nonroot_policy_workloads_reverted{policy=\"baseline\"}", 0.0)
        .containsKey("nonroot_policy_workloads_rolling_out{policy=\"baseline\"}")
        .containsKey("nonroot_policy_workloads_verified{policy=\"baseline\"}")
        .containsKey("nonroot_policy_workloads_pending{policy=\"baseline\"}");
    // The counters keep their names: three workloads and one Service patched.
    assertThat(m)
        .containsEntry(OperatorMetrics.PATCHES, 3.0)
        .containsEntry(OperatorMetrics.SERVICE_PATCHES, 1.0)
        .containsEntry(OperatorMetrics.FAILURES, 0.0);
    for (String counter :
        List.of(
            OperatorMetrics.CONFLICTS,
            OperatorMetrics.STATUS_WRITES,
            OperatorMetrics.EVALUATIONS,
            OperatorMetrics.RECONCILES,
            OperatorMetrics.DECISIONS_DEFERRED,
            OperatorMetrics.ROLLOUTS_ENDED,
            OperatorMetrics.REVERTS,
            OperatorMetrics.ROLLOUT_POD_LISTS,
            OperatorMetrics.STATUS_PASSES,
            OperatorMetrics.STATUS_PASS_NANOS)) {
      assertThat(m).containsKey(counter);
    }
    assertThat(m.get(OperatorMetrics.EVALUATIONS))
        .isEqualTo(harness.metrics().get(OperatorMetrics.EVALUATIONS));
    // JOSDK's reconcile latency, per controller.
    assertThat(m)
        .hasKeySatisfying(
            keyMatching(
                "operator_sdk_controllers_execution_reconcile_seconds_count\\{controller=\"deployments\".*"));
    assertThat(
            m.entrySet().stream()
                .filter(
                    e ->
                        e.getKey()
                            .startsWith(
                                "operator_sdk_controllers_execution_reconcile_seconds_count{controller=\"deployments\""))
                .mapToDouble(Map.Entry::getValue)
                .sum())
        .isGreaterThanOrEqualTo(1);
    // The JVM's.
    assertThat(m).hasKeySatisfying(keyMatching("jvm_memory_used_bytes\\{.*area=\"heap\".*"));
    assertThat(m).hasKeySatisfying(keyMatching("jvm_threads_live_threads"));
    assertThat(m).hasKeySatisfying(keyMatching("process_uptime_seconds"));
  }

  @Test
  void aDeletedPolicysGaugesGo() throws Exception {
    harness.apply("/operator/shop.yaml");
    harness.apply("/operator/policy-enforce.yaml");
    start();
    scrapeUntil(s -> s.containsKey("nonroot_policy_workloads_matched{policy=\"baseline\"}"));
    client.resources(NonRootPolicy.class).withName("baseline").delete();
    scrapeUntil(s -> s.keySet().stream().noneMatch(k -> k.contains("policy=\"baseline\"")));
  }

  @Test
  void countsApiErrorsByCode() throws Exception {
    harness.apply("/operator/shop.yaml");
    server
        .expect()
        .patch()
        .withPath(DEPLOY + "?fieldManager=nonroot-operator")
        .andReturn(500, new StatusBuilder().withCode(500).withMessage("etcd is sad").build())
        .times(2);
    harness.apply("/operator/policy-enforce.yaml");
    start();
    Map<String, Double> m =
        scrapeUntil(
            s ->
                s.getOrDefault("nonroot_api_errors_total{code=\"500\"}", 0.0) == 2
                    && s.getOrDefault(
                            "nonroot_policy_workloads_remediated{policy=\"baseline\"}", 0.0)
                        == 3);
    assertThat(m).containsEntry(OperatorMetrics.FAILURES, 2.0);
  }

  private static Condition<String> keyMatching(String regex) {
    return new Condition<>(k -> k.matches(regex), "a series matching " + regex);
  }
}
