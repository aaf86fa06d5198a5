package dev.nonroot.engine.policy;

import java.util.List;
import java.util.stream.Collectors;

/** A policy that cannot be applied; the message names every bad field. */
public class InvalidPolicyException extends Exception {
  private final List<PolicyError> errors;

  public InvalidPolicyException(String policyName, List<PolicyError> errors) {
    super(
        "policy "
            + policyName
            + " is invalid: "
            + errors.stream().map(PolicyError::toString).collect(Collectors.joining("; ")));
    this.errors = List.copyOf(errors);
  }

  public List<PolicyError> errors() {
    return errors;
  }
}
