package dev.nonroot.bench;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.DoublePredicate;

/** The table {@code bench-cli} prints: median, the range over the rounds, target and verdict. */
final class CliBenchTable {
  private record Row(String label, String key, String target, DoublePredicate ok) {}

  private static final List<Row> IN_PROCESS =
      List.of(
          new Row("floor: read, parse, write back", "floorSeconds", "", null),
          new Row(
              "fix",
              "fixSeconds",
              "< " + CliBenchCommand.TARGET_FIX_SECONDS,
              v -> v < CliBenchCommand.TARGET_FIX_SECONDS),
          new Row("  read+parse", "fixReadParseSeconds", "", null),
          new Row("  evaluate+apply", "fixEvaluateApplySeconds", "", null),
          new Row("  render+write", "fixRenderWriteSeconds", "", null),
          new Row(
              "fix / floor (same round)",
              "fixOverFloor",
              "<= " + CliBenchCommand.TARGET_FLOOR_RATIO,
              v -> v <= CliBenchCommand.TARGET_FLOOR_RATIO),
          new Row("floor, every document re-rendered", "rewriteSeconds", "", null),
          new Row("fix / that floor (same round)", "fixOverRewrite", "", null),
          new Row("scan", "scanSeconds", "", null),
          new Row("scan / floor", "scanOverFloor", "", null),
          new Row("SnakeYAML compose + serialize", "snakeyamlSeconds", "", null),
          new Row("fix / SnakeYAML", "fixOverSnakeyaml", "", null));

  private static final List<Row> WHOLE_PROCESS =
      List.of(
          new Row("java -jar … fix", "processFixSeconds", "", null),
          new Row("java -jar … scan", "processScanSeconds", "", null),
          new Row("SnakeYAML program", "processSnakeyamlSeconds", "", null),
          new Row(
              "fix / SnakeYAML (same round)",
              "processFixOverSnakeyaml",
              "<= " + CliBenchCommand.TARGET_PROCESS_RATIO,
              v -> v <= CliBenchCommand.TARGET_PROCESS_RATIO));

  private CliBenchTable() {}

  static String render(Map<String, Object> report) {
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "%-36s %8s  %-15s %-8s%n",
            "in process, s (" + report.get("rounds") + " rounds)",
            "median",
            "min-max",
            "target"));
    rows(b, IN_PROCESS, report);
    if (report.containsKey("processFixSeconds")) {
      b.append(
          String.format(
              Locale.ROOT,
              "%-36s %8s  %-15s %-8s%n",
              "whole process, wall s (" + report.get("processRounds") + " rounds)",
              "median",
              "min-max",
              "target"));
      rows(b, WHOLE_PROCESS, report);
    }
    b.append(
        String.format(
            Locale.ROOT,
            "load average %.1f at start, %.1f at end (2 cores: compare ratios, not seconds)%n",
            number(report, "loadAverageAtStart"),
            number(report, "loadAverageAtEnd")));
    return b.toString();
  }

  private static void rows(StringBuilder b, List<Row> rows, Map<String, Object> report) {
    for (Row r : rows) {
      if (!report.containsKey(r.key())) continue;
      double v = number(report, r.key());
      String range =
          report.containsKey(r.key() + "Min")
              ? String.format(
                  Locale.ROOT,
                  "%.3f-%.3f",
                  number(report, r.key() + "Min"),
                  number(report, r.key() + "Max"))
              : "";
      String verdict = r.ok() == null ? "" : r.ok().test(v) ? "PASS" : "FAIL";
      b.append(
          String.format(
                  Locale.ROOT,
                  "%-36s %8.3f  %-15s %-8s %s",
                  r.label(),
                  v,
                  range,
                  r.target(),
                  verdict)
              .stripTrailing());
      b.append('\n');
    }
  }

  private static double number(Map<String, Object> report, String key) {
    return report.get(key) instanceof Number n ? n.doubleValue() : Double.NaN;
  }
}
