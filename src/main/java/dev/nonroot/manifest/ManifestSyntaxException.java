package dev.nonroot.manifest;

/** A document that is not valid YAML (or not one we can represent); names the line. */
public class ManifestSyntaxException extends Exception {
  private final int line;
  private final String problem;

  public ManifestSyntaxException(int line, String problem) {
    super(line > 0 ? line + ": " + problem : problem);
    this.line = line;
    this.problem = problem;
  }

  /** 1-based line in the file, or 0 when unknown. */
  public int line() {
    return line;
  }

  public String problem() {
    return problem;
  }
}
