package dev.nonroot.engine.policy;

import java.util.List;
import java.util.stream.Collectors;

/** A policy that cannot be applied; the message names every bad field. */
public class InvalidPolicyException extends Exception {
  private final List<PolicyError> errors;

  /**
   * The message names this many errors at most, each cut to {@link #MAX_ERROR_LENGTH}: it goes into
   * the policy's status condition, and a hostile policy may hold a million bad entries.
   */
  static final int MAX_ERRORS = 10;

  static final int MAX_ERROR_LENGTH = 300;

  public InvalidPolicyException(String policyName, List<PolicyError> errors) {
    super("policy " + policyName + " is invalid: " + describe(errors));
    this.errors = List.copyOf(errors);
  }

  private static String describe(List<PolicyError> errors) {
    String shown =
        errors.stream()
            .limit(MAX_ERRORS)
            .map(PolicyError::toString)
            .map(e -> e.length() > MAX_ERROR_LENGTH ? e.substring(0, MAX_ERROR_LENGTH) + "..." : e)
            .collect(Collectors.joining("; "));
    return errors.size() > MAX_ERRORS
        ? shown + "; and " + (errors.size() - MAX_ERRORS) + " more"
        : shown;
  }

  public List<PolicyError> errors() {
    return errors;
  }
}
