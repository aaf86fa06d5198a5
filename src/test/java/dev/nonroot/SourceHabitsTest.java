package dev.nonroot;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Habits the formatter cannot enforce: imports instead of inline names, and time read through a
 * {@link java.time.Clock} (made once, where the program is assembled) so tests can move it.
 */
class SourceHabitsTest {
  private static final Pattern INLINE_NAME =
      Pattern.compile("(?<![\\w.\"/])(?:java|javax|io|dev|com|org)\\.(?:[a-z0-9_]+\\.)+[A-Z]\\w*");

  /** Reading the wall clock directly; product code takes a java.time.Clock instead. */
  private static final Pattern WALL_CLOCK =
      Pattern.compile(
          "(Instant|LocalDateTime|ZonedDateTime|OffsetDateTime|LocalDate)\\.now\\(\\)"
              + "|System\\.currentTimeMillis\\(\\)");

  @Test
  void noInlineFullyQualifiedNames() throws IOException {
    assertThat(offenders(Path.of("src"), INLINE_NAME)).isEmpty();
  }

  @Test
  void productCodeReadsTimeFromItsClock() throws IOException {
    assertThat(offenders(Path.of("src/main/java"), WALL_CLOCK)).isEmpty();
  }

  /** Code lines (not imports, comments or string literals) that match. */
  private static List<String> offenders(Path root, Pattern pattern) throws IOException {
    List<String> out = new ArrayList<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        List<String> lines = Files.readAllLines(f);
        for (int i = 0; i < lines.size(); i++) {
          String code = lines.get(i).strip();
          if (code.startsWith("import ")
              || code.startsWith("package ")
              || code.startsWith("*")
              || code.startsWith("/*")
              || code.startsWith("//")) {
            continue;
          }
          code = code.replaceAll("\"(?:\\\\.|[^\"\\\\])*\"", "\"\"").replaceAll("//.*", "");
          if (pattern.matcher(code).find())
            out.add(f + ":" + (i + 1) + ": " + lines.get(i).strip());
        }
      }
    }
    return out;
  }
}
