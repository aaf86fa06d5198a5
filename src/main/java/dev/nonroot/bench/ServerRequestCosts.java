package dev.nonroot.bench;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Where the embedded API server's one serving thread spends its time, by verb and resource, from
 * the counters it serves at {@code /metrics}: read before and after a phase. The server serves
 * every request on that thread, so the sum over a phase is a floor under the phase's duration,
 * whatever the client does.
 */
final class ServerRequestCosts {
  private static final Pattern LINE =
      Pattern.compile(
          "^(apiserver_request_total|kubesim_request_cpu_seconds_total)"
              + "\\{verb=\"([^\"]*)\",resource=\"([^\"]*)\"\\} (\\S+)$",
          Pattern.MULTILINE);

  /** One verb on one resource over a phase. */
  record Cost(String verb, String resource, long count, double cpuSeconds) {
    String describe() {
      return String.format(
          Locale.ROOT,
          "%s %s %d x %.2f ms = %.1f s",
          verb,
          resource,
          count,
          count == 0 ? 0.0 : cpuSeconds * 1000 / count,
          cpuSeconds);
    }
  }

  private static final Pattern THREAD =
      Pattern.compile("^kubesim_serving_thread_cpu_seconds_total (\\S+)$", Pattern.MULTILINE);

  private final Map<String, Cost> costs;
  private final double threadSeconds;

  private ServerRequestCosts(Map<String, Cost> costs, double threadSeconds) {
    this.costs = costs;
    this.threadSeconds = threadSeconds;
  }

  /** CPU seconds of the serving thread after {@code before}: requests, HTTP and all. */
  double threadSecondsSince(ServerRequestCosts before) {
    return threadSeconds - before.threadSeconds;
  }

  static ServerRequestCosts read(KubernetesClient client, String serverUrl) {
    return parse(client.raw(serverUrl + "/metrics"));
  }

  static ServerRequestCosts parse(String metrics) {
    Map<String, long[]> counts = new LinkedHashMap<>();
    Map<String, Double> cpu = new LinkedHashMap<>();
    Matcher m = LINE.matcher(metrics == null ? "" : metrics);
    while (m.find()) {
      String key = m.group(2) + " " + m.group(3);
      if (m.group(1).equals("apiserver_request_total")) {
        counts.put(key, new long[] {Long.parseLong(m.group(4))});
      } else {
        cpu.put(key, Double.parseDouble(m.group(4)));
      }
    }
    Map<String, Cost> out = new LinkedHashMap<>();
    counts.forEach(
        (k, c) -> {
          String[] vr = k.split(" ", 2);
          out.put(k, new Cost(vr[0], vr[1], c[0], cpu.getOrDefault(k, 0.0)));
        });
    Matcher t = THREAD.matcher(metrics == null ? "" : metrics);
    return new ServerRequestCosts(out, t.find() ? Double.parseDouble(t.group(1)) : 0);
  }

  /** What was served after {@code before} and up to this reading, the costliest first. */
  List<Cost> since(ServerRequestCosts before) {
    List<Cost> out = new ArrayList<>();
    costs.forEach(
        (k, now) -> {
          Cost was = before.costs.get(k);
          long count = now.count() - (was == null ? 0 : was.count());
          double seconds = now.cpuSeconds() - (was == null ? 0 : was.cpuSeconds());
          if (count > 0) out.add(new Cost(now.verb(), now.resource(), count, seconds));
        });
    out.sort(Comparator.comparingDouble(Cost::cpuSeconds).reversed());
    return out;
  }

  static double total(List<Cost> costs) {
    return costs.stream().mapToDouble(Cost::cpuSeconds).sum();
  }

  /** The costliest {@code top}, then the rest summed. */
  static String describe(List<Cost> costs, int top) {
    String head = costs.stream().limit(top).map(Cost::describe).collect(Collectors.joining("; "));
    if (costs.size() <= top) return head;
    double rest = total(costs.subList(top, costs.size()));
    return head + String.format(Locale.ROOT, "; %d other kinds %.1f s", costs.size() - top, rest);
  }

  /** For operator.json: "verb resource" to count and CPU seconds. */
  static Map<String, Map<String, Object>> json(List<Cost> costs) {
    Map<String, Map<String, Object>> out = new LinkedHashMap<>();
    for (Cost c : costs) {
      out.put(
          c.verb() + " " + c.resource(),
          Map.of("count", c.count(), "cpuSeconds", Math.round(c.cpuSeconds() * 1000) / 1000.0));
    }
    return out;
  }
}
