package dev.nonroot.kubesim;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Ages the way a Kubernetes API server renders them in Table cells ("45s", "3m12s", "5h", "2d3h").
 * The server, not kubectl, turns timestamps into ages, so this server must do it too. It also reads
 * durations written that way, as Go's time.ParseDuration does ("3s", "500ms", "1m30s", "0").
 */
public final class HumanDuration {
  private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h|d)");

  private HumanDuration() {}

  /**
   * "0", or numbers with units ms, s, m, h, d, largest first or not ("1m30s", "500ms").
   *
   * @throws IllegalArgumentException naming the value when it is not a duration
   */
  public static Duration parse(String value) {
    String v = value == null ? "" : value.strip();
    if (v.equals("0")) {
      return Duration.ZERO;
    }
    Matcher m = PART.matcher(v);
    Duration total = Duration.ZERO;
    int end = 0;
    try {
      while (m.find() && m.start() == end) {
        long n = Long.parseLong(m.group(1));
        total =
            total.plus(
                switch (m.group(2)) {
                  case "ms" -> Duration.ofMillis(n);
                  case "s" -> Duration.ofSeconds(n);
                  case "m" -> Duration.ofMinutes(n);
                  case "h" -> Duration.ofHours(n);
                  default -> Duration.ofDays(n);
                });
        end = m.end();
      }
    } catch (ArithmeticException | NumberFormatException e) {
      end = -1; // too large
    }
    if (end != v.length() || v.isEmpty()) {
      throw new IllegalArgumentException(
          "'" + value + "' is not a duration (e.g. 3s, 500ms, 1m30s, 0)");
    }
    return total;
  }

  /**
   * The age of an RFC 3339 timestamp, "{@code <unknown>}" when it is missing, "{@code <invalid>}"
   * when unreadable.
   */
  public static String since(String timestamp, Clock clock) {
    if (timestamp == null || timestamp.isEmpty()) {
      return "<unknown>";
    }
    try {
      return of(Duration.between(Instant.parse(timestamp), clock.instant()));
    } catch (DateTimeParseException e) {
      return "<invalid>";
    }
  }

  public static String of(Duration d) {
    long seconds = d.getSeconds();
    if (seconds < -1) {
      return "<invalid>"; // tolerate a second of clock skew, like the API server
    }
    if (seconds < 0) {
      return "0s";
    }
    if (seconds < 120) {
      return seconds + "s";
    }
    long minutes = seconds / 60;
    if (minutes < 10) {
      long s = seconds % 60;
      return s == 0 ? minutes + "m" : minutes + "m" + s + "s";
    }
    if (minutes < 180) {
      return minutes + "m";
    }
    long hours = minutes / 60;
    if (hours < 8) {
      long m = minutes % 60;
      return m == 0 ? hours + "h" : hours + "h" + m + "m";
    }
    if (hours < 48) {
      return hours + "h";
    }
    if (hours < 24 * 8) {
      long h = hours % 24;
      return h == 0 ? hours / 24 + "d" : hours / 24 + "d" + h + "h";
    }
    if (hours < 24 * 365 * 2) {
      return hours / 24 + "d";
    }
    long years = hours / 24 / 365;
    if (hours < 24 * 365 * 8) {
      long days = (hours / 24) % 365;
      return days == 0 ? years + "y" : years + "y" + days + "d";
    }
    return years + "y";
  }
}
