package dev.nonroot.engine.policy;

/** One invalid field of a policy, named by its path (e.g. spec.ports.offset). */
public record PolicyError(String field, String message) {
  @Override
  public String toString() {
    return field + ": " + message;
  }
}
