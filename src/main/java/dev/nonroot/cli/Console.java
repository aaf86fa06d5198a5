package dev.nonroot.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Standard input, output and error of one CLI run. Text goes out as UTF-8 bytes whatever the
 * platform's default charset, so fix's output is byte for byte what it read.
 */
public record Console(InputStream in, PrintStream out, PrintStream err) {

  /** Writes text to standard output as is. */
  public void print(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    out.write(bytes, 0, bytes.length);
    out.flush();
  }

  public void println(String line) {
    print(line + "\n");
  }

  /** One line on standard error. */
  public void error(String line) {
    byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
    err.write(bytes, 0, bytes.length);
    err.flush();
  }
}
