package dev.nonroot.kubesim;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes a kubeconfig with one cluster, user and context, over plain HTTP with no credentials. */
final class KubeconfigWriter {
  private KubeconfigWriter() {}

  static Path write(Path file, String serverUrl, String contextName) {
    String yaml =
        String.join(
            "\n",
            "# Written by nonroot-operator demo: an embedded API server on loopback, no credentials needed.",
            "apiVersion: v1",
            "kind: Config",
            "clusters:",
            "- name: " + contextName,
            "  cluster:",
            "    server: " + serverUrl,
            "users:",
            "- name: " + contextName,
            "  user: {}",
            "contexts:",
            "- name: " + contextName,
            "  context:",
            "    cluster: " + contextName,
            "    user: " + contextName,
            "    namespace: default",
            "current-context: " + contextName,
            "preferences: {}",
            "");
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(file, yaml, StandardCharsets.UTF_8);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write kubeconfig " + file + ": " + e.getMessage(), e);
    }
  }
}
