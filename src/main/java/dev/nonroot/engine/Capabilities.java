package dev.nonroot.engine;

import java.util.Locale;

/** Capability names as Kubernetes compares them: upper case, without the CAP_ prefix. */
final class Capabilities {
  private Capabilities() {}

  static String normalize(String name) {
    String n = name.trim().toUpperCase(Locale.ROOT);
    return n.startsWith("CAP_") ? n.substring(4) : n;
  }
}
