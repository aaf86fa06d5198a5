package dev.nonroot.engine.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The table of well-known images that need root and what runs without it, read from {@code
 * image-hints.yaml} beside this class: a failed rollout of such an image names the alternative in
 * its Event and in the policy status, so the person who reads it knows what to change.
 */
public final class ImageHints {
  /** One row: a repository (ending in "/" for a whole namespace of images) and its hint. */
  public record Hint(String repository, String hint) {}

  private static final List<Hint> TABLE = load();

  private ImageHints() {}

  public static List<Hint> table() {
    return TABLE;
  }

  /** The hint for an image reference such as {@code docker.io/library/nginx:1.27}, if any. */
  public static Optional<String> forImage(String image) {
    String repo = repository(image);
    for (Hint h : TABLE) {
      if (h.repository().endsWith("/")
          ? repo.startsWith(h.repository())
          : repo.equals(h.repository())) return Optional.of(h.hint());
    }
    return Optional.empty();
  }

  /** The first hint among a pod template's container images (containers before initContainers). */
  public static Optional<String> forTemplate(JsonNode podSpec) {
    for (String list : List.of("containers", "initContainers")) {
      for (JsonNode c : podSpec.path(list)) {
        Optional<String> hint = forImage(c.path("image").asText(""));
        if (hint.isPresent()) return hint;
      }
    }
    return Optional.empty();
  }

  /**
   * The repository of an image reference, without registry, tag or digest, and without Docker Hub's
   * implicit {@code library/}: {@code docker.io/library/nginx:1.27@sha256:..} is nginx.
   */
  static String repository(String image) {
    String s = image;
    int at = s.indexOf('@');
    if (at >= 0) s = s.substring(0, at);
    int slash = s.lastIndexOf('/');
    int colon = s.lastIndexOf(':');
    if (colon > slash) s = s.substring(0, colon);
    int first = s.indexOf('/');
    if (first > 0) {
      String host = s.substring(0, first);
      if (host.contains(".") || host.contains(":") || host.equals("localhost")) {
        s = s.substring(first + 1);
      }
    }
    if (s.startsWith("library/")) s = s.substring("library/".length());
    return s;
  }

  private static List<Hint> load() {
    try (InputStream in = ImageHints.class.getResourceAsStream("image-hints.yaml")) {
      if (in == null) throw new IllegalStateException("image-hints.yaml is missing from the jar");
      List<Hint> out = new ArrayList<>();
      for (JsonNode row : new ObjectMapper(new YAMLFactory()).readTree(in)) {
        out.add(new Hint(row.path("repository").asText(), row.path("hint").asText()));
      }
      return List.copyOf(out);
    } catch (IOException e) {
      throw new UncheckedIOException("image-hints.yaml cannot be read", e);
    }
  }
}
