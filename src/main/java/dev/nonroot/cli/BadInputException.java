package dev.nonroot.cli;

/**
 * A user mistake (bad YAML, a missing file, an invalid policy). The message is the whole one-line
 * report, naming the file and the line or field; the CLI prints it and exits 2.
 */
public class BadInputException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public BadInputException(String message) {
    super(message, null, false, false);
  }
}
