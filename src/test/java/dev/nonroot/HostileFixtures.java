package dev.nonroot;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The hostile policies and workloads of src/test/resources/hostile, shared by the CLI's and the
 * operator's tests. Each fixture says what it expects on the line it is about, in a comment: {@code
 * # expect: FIELD} (a policy: Valid=False, or exit 2, naming FIELD), {@code # finding: TEXT} (a
 * workload: a finding holding TEXT, at that line) or {@code # refused: TEXT} (a workload the CLI
 * refuses with exit 2 at that line, and the operator leaves alone) or {@code # fixed: TEXT} (a
 * workload that looks hostile but is fine: fixed whole, TEXT naming it in the scan). Several texts
 * that must all appear are separated by " | ".
 */
public final class HostileFixtures {
  private static final List<String> MARKERS = List.of("expect", "finding", "refused", "fixed");

  /** One fixture file: its name (without .yaml), bytes, and the line and text it expects. */
  public record Fixture(String name, Path path, int line, String marker, String expected) {
    public String text() {
      try {
        return Files.readString(path, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** What the answer must hold: the expected text, split at " | " where it lists several. */
    public List<String> says() {
      return List.of(expected.split(" \\| "));
    }

    public boolean refused() {
      return marker.equals("refused");
    }

    public boolean fixed() {
      return marker.equals("fixed");
    }

    @Override
    public String toString() {
      return name;
    }
  }

  private HostileFixtures() {}

  public static List<Fixture> policies() {
    return read("policies");
  }

  public static List<Fixture> workloads() {
    return read("workloads");
  }

  /** A directory of src/test/resources/hostile as the test classpath has it. */
  public static Path directory(String name) {
    try {
      return Path.of(HostileFixtures.class.getResource("/hostile/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<Fixture> read(String dir) {
    List<Fixture> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(directory(dir))) {
      for (Path p : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        out.add(fixture(p));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  private static Fixture fixture(Path p) throws IOException {
    String name = p.getFileName().toString().replaceFirst("\\.yaml$", "");
    List<String> lines = Files.readAllLines(p, StandardCharsets.UTF_8);
    for (int i = 0; i < lines.size(); i++) {
      for (String marker : MARKERS) {
        int at = lines.get(i).indexOf("# " + marker + ": ");
        if (at < 0) continue;
        String expected = lines.get(i).substring(at + marker.length() + 4).strip();
        return new Fixture(name, p, i + 1, marker, expected);
      }
    }
    throw new IllegalStateException(
        p + " says nothing it expects (# expect:, # finding:, # refused:)");
  }
}
