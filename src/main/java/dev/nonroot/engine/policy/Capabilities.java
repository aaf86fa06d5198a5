package dev.nonroot.engine.policy;

import java.util.Locale;

/** Capability names as Kubernetes compares them: upper case, without the CAP_ prefix. */
public final class Capabilities {
  private Capabilities() {}

  public static String normalize(String name) {
    String n = name.trim().toUpperCase(Locale.ROOT);
    return n.startsWith("CAP_") ? n.substring(4) : n;
  }
}
