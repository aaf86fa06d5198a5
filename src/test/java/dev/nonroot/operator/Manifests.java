package dev.nonroot.operator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The documents of the repository's manifests/, as the tests about RBAC and the Deployment read
 * them.
 */
final class Manifests {
  static final Path DIR = Path.of("manifests");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private Manifests() {}

  /** Every document of every YAML file in manifests/ (kustomization.yaml included). */
  static List<JsonNode> documents() {
    List<JsonNode> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(DIR)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
        try (YAMLParser parser = (YAMLParser) YAML.getFactory().createParser(f.toFile())) {
          YAML.readValues(parser, JsonNode.class)
              .forEachRemaining(
                  d -> {
                    if (d != null && !d.isNull()) out.add(d);
                  });
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  static List<JsonNode> ofKind(String kind) {
    return documents().stream().filter(d -> d.path("kind").asText().equals(kind)).toList();
  }

  /** The one document of this kind; fails when there are none or several. */
  static JsonNode only(String kind) {
    List<JsonNode> found = ofKind(kind);
    if (found.size() != 1) {
      throw new AssertionError("manifests/ should hold one " + kind + ", holds " + found.size());
    }
    return found.get(0);
  }

  /**
   * A role's grants as "group resource verb" (with " name=N" for each resourceName), so that a test
   * can compare them with an exact list.
   */
  static Set<String> grants(JsonNode role) {
    Set<String> out = new TreeSet<>();
    for (JsonNode rule : role.path("rules")) {
      for (JsonNode g : rule.path("apiGroups")) {
        for (JsonNode r : rule.path("resources")) {
          for (JsonNode v : rule.path("verbs")) {
            String grant = g.asText() + " " + r.asText() + " " + v.asText();
            if (rule.path("resourceNames").isEmpty()) out.add(grant);
            for (JsonNode n : rule.path("resourceNames")) out.add(grant + " name=" + n.asText());
          }
        }
      }
    }
    return out;
  }
}
