package dev.nonroot.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.DoublePredicate;

/**
 * The numbers of one {@code bench} run: {@code target/bench/operator.json} (for machines, every key
 * of {@link #REQUIRED} always present) and the table printed for people, each target with its
 * verdict.
 */
final class BenchReport {
  /** The keys every operator.json carries (issue 10). */
  static final List<String> REQUIRED =
      List.of(
          "workloads",
          "setupSeconds",
          "floorSeconds",
          "operatorSeconds",
          "ratio",
          "writesPerRemediated",
          "writesPerCompliant",
          "getsOutsideListWatch",
          "statusWritesPerSecondMax",
          "p50EventToPatchMs",
          "p99EventToPatchMs",
          "heapAfterGcMiB",
          "resyncWrites",
          "idleCpuSecondsPerMinute",
          "statusBytes");

  private record Row(String label, String key, String format, String target, DoublePredicate ok) {}

  private static final List<Row> ROWS =
      List.of(
          new Row("workloads (non-compliant Deployments)", "workloads", "%.0f", "", null),
          new Row("setup (create them), s", "setupSeconds", "%.1f", "", null),
          new Row("floor (bare client, same patches), s", "floorSeconds", "%.2f", "", null),
          new Row("operator (start to status), s", "operatorSeconds", "%.2f", "", null),
          new Row("operator / floor", "ratio", "%.2f", "<= 1.2", v -> v <= 1.2),
          new Row(
              "Deployment writes per remediated",
              "writesPerRemediated",
              "%.2f",
              "1.00",
              v -> v == 1),
          new Row(
              "Service writes per remapped Service",
              "writesPerRemappedService",
              "%.2f",
              "1.00",
              v -> v == 1),
          new Row("Event writes per remediated", "eventWritesPerRemediated", "%.2f", "", null),
          new Row("all Events sent by (from start), s", "eventsSentSeconds", "%.2f", "", null),
          new Row("writes per compliant workload", "writesPerCompliant", "%.2f", "0", v -> v == 0),
          new Row("GETs outside list/watch", "getsOutsideListWatch", "%.0f", "0", v -> v == 0),
          new Row(
              "status writes per policy, max in 1 s",
              "statusWritesPerSecondMax",
              "%.0f",
              "<= 1",
              v -> v <= 1),
          new Row(
              "latency creates per second (achieved)", "latencyCreatesPerSecond", "%.1f", "", null),
          new Row("event -> patch p50, ms", "p50EventToPatchMs", "%.1f", "", null),
          new Row("event -> patch p99, ms", "p99EventToPatchMs", "%.1f", "<= 100", v -> v <= 100),
          new Row("heap after full GC, MiB", "heapAfterGcMiB", "%.1f", "<= 256", v -> v <= 256),
          new Row("idle CPU s per minute", "idleCpuSecondsPerMinute", "%.3f", "< 1", v -> v < 1),
          new Row("writes on a forced resync", "resyncWrites", "%.0f", "0", v -> v == 0),
          new Row(
              "status bytes (largest policy)",
              "statusBytes",
              "%.0f",
              "<= 524288",
              v -> v <= 524288),
          new Row("status counters exact", "countersExact", "%s", "true", null));

  private static final JsonMapper JSON =
      JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

  private final Map<String, Object> values = new LinkedHashMap<>();

  /** A NaN (no sample) is written as null. */
  BenchReport put(String key, Object value) {
    values.put(key, value instanceof Double d && d.isNaN() ? null : value);
    return this;
  }

  Object get(String key) {
    return values.get(key);
  }

  /** The JSON document; refuses to write one that lacks a required key. */
  String json() {
    List<String> missing = new ArrayList<>();
    for (String k : REQUIRED) if (!values.containsKey(k)) missing.add(k);
    if (!missing.isEmpty()) throw new IllegalStateException("report lacks " + missing);
    try {
      return JSON.writeValueAsString(values) + "\n";
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One line per measured number: value, target and PASS / FAIL where there is a target. */
  String table() {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "%-40s %14s  %-10s %s%n", "", "value", "target", ""));
    for (Row r : ROWS) {
      if (!values.containsKey(r.key())) continue;
      Object v = values.get(r.key());
      String shown;
      String verdict = "";
      if (v == null) {
        shown = "n/a";
      } else if (v instanceof Number n) {
        double d = n.doubleValue();
        shown = Double.isNaN(d) ? "n/a" : String.format(Locale.ROOT, r.format(), d);
        if (r.ok() != null && !Double.isNaN(d)) verdict = r.ok().test(d) ? "PASS" : "FAIL";
      } else {
        shown = String.valueOf(v);
        if (r.target().equals("true")) verdict = Boolean.TRUE.equals(v) ? "PASS" : "FAIL";
      }
      b.append(
          String.format(Locale.ROOT, "%-40s %14s  %-10s %s", r.label(), shown, r.target(), verdict)
              .stripTrailing());
      b.append('\n');
    }
    return b.toString();
  }
}
