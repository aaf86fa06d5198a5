package dev.nonroot.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The pure arithmetic and output shape of {@code bench}; the benchmark itself is a program. */
class BenchNumbersTest {
  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

  @Test
  void percentilesAreNearestRank() {
    double[] hundred = new double[100];
    for (int i = 0; i < 100; i++) hundred[99 - i] = i + 1; // 1..100, unsorted
    Percentiles p = new Percentiles(hundred);
    assertThat(p.at(50)).isEqualTo(50);
    assertThat(p.at(99)).isEqualTo(99);
    assertThat(p.at(100)).isEqualTo(100);
    assertThat(p.max()).isEqualTo(100);

    // With fewer than 100 samples, p99 is the largest: one slow patch in ten is not hidden.
    Percentiles ten = new Percentiles(new double[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 900});
    assertThat(ten.at(50)).isEqualTo(1);
    assertThat(ten.at(99)).isEqualTo(900);
    assertThat(new Percentiles(new double[0]).at(99)).isNaN();
  }

  @Test
  void serverRequestCostsAreWhatWasServedBetweenTwoReadings() {
    ServerRequestCosts before =
        ServerRequestCosts.parse(
            """
            apiserver_request_total{verb="patch",resource="deployments"} 10
            apiserver_request_total{verb="list",resource="deployments"} 1
            kubesim_request_cpu_seconds_total{verb="patch",resource="deployments"} 0.010000
            kubesim_request_cpu_seconds_total{verb="list",resource="deployments"} 0.090000
            kubesim_serving_thread_cpu_seconds_total 1.000000
            """);
    ServerRequestCosts after =
        ServerRequestCosts.parse(
            """
            apiserver_request_total{verb="create",resource="events"} 4
            apiserver_request_total{verb="patch",resource="deployments"} 1010
            apiserver_request_total{verb="list",resource="deployments"} 1
            kubesim_request_cpu_seconds_total{verb="create",resource="events"} 0.002000
            kubesim_request_cpu_seconds_total{verb="patch",resource="deployments"} 1.010000
            kubesim_request_cpu_seconds_total{verb="list",resource="deployments"} 0.090000
            kubesim_serving_thread_cpu_seconds_total 2.500000
            """);
    List<ServerRequestCosts.Cost> since = after.since(before);
    // Costliest first; the list served before the first reading is not in the phase.
    assertThat(since)
        .extracting(ServerRequestCosts.Cost::describe)
        .containsExactly(
            "patch deployments 1000 x 1.00 ms = 1.0 s", "create events 4 x 0.50 ms = 0.0 s");
    assertThat(ServerRequestCosts.total(since)).isCloseTo(1.002, within(1e-9));
    assertThat(after.threadSecondsSince(before)).isCloseTo(1.5, within(1e-9));
    assertThat(ServerRequestCosts.describe(since, 1))
        .isEqualTo("patch deployments 1000 x 1.00 ms = 1.0 s; 1 other kinds 0.0 s");
  }

  @Test
  void twoStatusWritesLessThanASecondApartCountAsTwoInOneSecond() {
    assertThat(WindowRate.maxInWindow(new long[] {0, SECOND, 2 * SECOND}, SECOND)).isEqualTo(1);
    assertThat(WindowRate.maxInWindow(new long[] {2 * SECOND, 0, SECOND - 1}, SECOND)).isEqualTo(2);
    assertThat(WindowRate.maxInWindow(new long[] {0, 10, 20, 5 * SECOND}, SECOND)).isEqualTo(3);
    assertThat(WindowRate.maxInWindow(new long[0], SECOND)).isZero();
  }

  @Test
  void theJsonCarriesEveryRequiredKeyAndNoSampleIsNull() throws Exception {
    BenchReport r = new BenchReport();
    for (String k : BenchReport.REQUIRED) r.put(k, 1.0);
    r.put("p99EventToPatchMs", Double.NaN);
    JsonNode json = new ObjectMapper().readTree(r.json());
    List<String> keys = new ArrayList<>();
    json.fieldNames().forEachRemaining(keys::add);
    assertThat(keys).containsExactlyElementsOf(BenchReport.REQUIRED);
    assertThat(json.get("p99EventToPatchMs").isNull()).isTrue();
  }

  @Test
  void aReportWithoutARequiredKeyIsNotWritten() {
    BenchReport r = new BenchReport().put("workloads", 10);
    assertThatThrownBy(r::json)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("floorSeconds");
  }

  @Test
  void theTableJudgesEachTarget() {
    String table =
        new BenchReport()
            .put("ratio", 1.1)
            .put("writesPerRemediated", 1.25)
            .put("p99EventToPatchMs", Double.NaN)
            .put("countersExact", false)
            .table();
    assertThat(table.lines())
        .anyMatch(l -> l.startsWith("operator / floor") && l.endsWith("PASS"))
        .anyMatch(l -> l.startsWith("Deployment writes per remediated") && l.endsWith("FAIL"))
        .anyMatch(l -> l.startsWith("event -> patch p99") && l.contains("n/a"))
        .anyMatch(l -> l.startsWith("status counters exact") && l.endsWith("FAIL"));
  }

  @Test
  void requestPathsAreSortedByWhatTheyWrite() {
    assertThat(
            RequestCounter.ApiPath.parse("/apis/apps/v1/namespaces/ns-1/deployments/app-1")
                .target())
        .isEqualTo(RequestCounter.Target.DEPLOYMENT);
    assertThat(RequestCounter.ApiPath.parse("/api/v1/namespaces/ns-1/services/app-1").target())
        .isEqualTo(RequestCounter.Target.SERVICE);
    assertThat(RequestCounter.ApiPath.parse("/api/v1/namespaces/ns-1/events").target())
        .isEqualTo(RequestCounter.Target.EVENT);
    RequestCounter.ApiPath status =
        RequestCounter.ApiPath.parse("/apis/nonroot.dev/v1/nonrootpolicies/baseline/status");
    assertThat(status.target()).isEqualTo(RequestCounter.Target.POLICY_STATUS);
    assertThat(status.name()).isEqualTo("baseline");
    // A list has no name (not a single-object GET); a Namespace object has one.
    assertThat(RequestCounter.ApiPath.parse("/apis/apps/v1/deployments").name()).isNull();
    assertThat(RequestCounter.ApiPath.parse("/api/v1/namespaces/ns-1/services").name()).isNull();
    assertThat(RequestCounter.ApiPath.parse("/api/v1/namespaces/ns-1").name()).isEqualTo("ns-1");
  }

  @Test
  void theCollectorIsNamedAsOperatorsKnowIt() {
    assertThat(OperatorJvm.collector(List.of("Copy", "MarkSweepCompact"))).isEqualTo("Serial");
    assertThat(
            OperatorJvm.collector(
                List.of("G1 Young Generation", "G1 Concurrent GC", "G1 Old Generation")))
        .isEqualTo("G1");
    assertThat(OperatorJvm.collector(List.of("PS Scavenge", "PS MarkSweep"))).isEqualTo("Parallel");
    assertThat(OperatorJvm.collector(List.of("Odd Young", "Odd Old")))
        .isEqualTo("Odd Young + Odd Old");
    // The JVM running this test: whichever collector it is, the table knows it.
    OperatorJvm here = OperatorJvm.current();
    assertThat(here.collector()).doesNotContain("Generation", "+", "unknown");
    assertThat(here.line())
        .contains(here.collector() + " collector")
        .contains(OperatorJvm.AS_DEPLOYED);
  }

  /** The hint bench prints for measuring the JVM as the pod runs it follows the manifest. */
  @Test
  void theDeployedJvmHintIsWhatTheManifestGives() throws Exception {
    JsonNode operator =
        new ObjectMapper(new YAMLFactory())
            .readTree(Path.of("manifests/deployment.yaml").toFile())
            .at("/spec/template/spec/containers/0");
    assertThat(operator.path("name").asText()).isEqualTo("operator");
    String limit = operator.at("/resources/limits/memory").asText();
    assertThat(limit).endsWith("Mi");
    String options = "";
    for (JsonNode env : operator.path("env")) {
      if (env.path("name").asText().equals("JAVA_TOOL_OPTIONS"))
        options = env.path("value").asText();
    }
    Matcher percent = Pattern.compile("-XX:MaxRAMPercentage=(\\d+)").matcher(options);
    assertThat(percent.find()).as(options).isTrue();
    long heap =
        (long)
            Math.floor(
                Long.parseLong(limit.replace("Mi", "")) * Long.parseLong(percent.group(1)) / 100.0);
    assertThat(options).contains("-XX:+UseG1GC");
    assertThat(OperatorJvm.AS_DEPLOYED).isEqualTo("-XX:+UseG1GC -Xmx" + heap + "m");
  }

  /**
   * The pod's heap (-Xmx307m) held 10,000 workloads (198.7 MiB after GC) and ran out of heap when
   * the compliant phase took the cache to 23,000: that phase is now skipped, and says why.
   */
  @Test
  void aPhaseThatWouldNotFitTheHeapIsSkippedWithTheNumbers() {
    OperatorJvm pod = new OperatorJvm("G1", 308, 2);
    assertThat(pod.holds(198.7, 10_000, 10_000)).isTrue();
    assertThat(pod.holds(198.7, 10_000, 13_000)).as("258 MiB of 308").isFalse();
    assertThat(pod.holds(198.7, 10_000, 23_000)).isFalse();
    assertThat(new OperatorJvm("G1", 6028, 2).holds(198.7, 10_000, 23_000)).isTrue();
    assertThat(pod.skipped("compliant phase", 198.7, 10_000, 23_000))
        .startsWith("compliant phase skipped: it would cache 23,000 workloads, about 457 MiB")
        .contains("20.3 KiB each", "308 MiB heap", "-Xmx");
  }
}
