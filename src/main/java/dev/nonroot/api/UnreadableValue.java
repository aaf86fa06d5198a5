package dev.nonroot.api;

/**
 * A value of a policy that could not be read (wrong type, out of range) and was left out, named by
 * its path from the policy's root, e.g. spec.match.namespaces.
 */
public record UnreadableValue(String field, String message) {}
