package dev.nonroot.engine.policy;

import java.util.Locale;

/**
 * The canonical spelling of a capability name: upper case, without the CAP_ prefix. Pod Security
 * admission compares names exactly and accepts only this spelling, so policy names are kept in it
 * and the engine writes no other; a workload's own entries are judged as written.
 */
public final class Capabilities {
  private Capabilities() {}

  public static String normalize(String name) {
    String n = name.trim().toUpperCase(Locale.ROOT);
    return n.startsWith("CAP_") ? n.substring(4) : n;
  }
}
