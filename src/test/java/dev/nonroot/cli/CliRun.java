package dev.nonroot.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** One in-process run of the CLI through {@link Main#execute}: exit status, stdout and stderr. */
record CliRun(int exit, String out, String err) {

  static CliRun run(String... args) {
    return withStdin("", args);
  }

  static CliRun withStdin(String stdin, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    InputStream in = new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8));
    int exit =
        Main.execute(
            args,
            in,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new CliRun(
        exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /**
   * Copies test fixtures from src/test/resources/cli into {@code dir}; returns the copies, in
   * order.
   */
  static Path[] fixtures(Path dir, String... names) {
    Path[] out = new Path[names.length];
    for (int i = 0; i < names.length; i++) {
      out[i] = dir.resolve(Path.of(names[i]).getFileName().toString());
      try {
        Files.write(out[i], fixture(names[i]).getBytes(StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return out;
  }

  static String fixture(String name) {
    try (InputStream in = CliRun.class.getResourceAsStream("/cli/" + name)) {
      if (in == null) throw new IllegalArgumentException("no fixture cli/" + name);
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String read(Path p) {
    try {
      return Files.readString(p, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** stderr without its final newline: most messages are exactly one line. */
  String errLine() {
    return err.stripTrailing();
  }
}
