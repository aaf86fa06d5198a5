package dev.nonroot.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.nonroot.api.NonRootPolicy;
import dev.nonroot.engine.policy.EffectivePolicy;
import dev.nonroot.engine.policy.InvalidPolicyException;
import dev.nonroot.engine.policy.PolicyResolver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * One engine case read from src/test/resources/engine/cases/NAME.yaml. The file's first YAML
 * document is the header: either {@code policy} + {@code expect} (one case), or {@code cases}, a
 * list of {@code name}, {@code policy}, {@code expect} run against the same input. The other
 * documents are the input: the workload, Services and Namespaces. An optional {@code imageUsers}
 * (in the header or a case, the case's winning) is what running pods report: a map of container
 * name to UID, or {@code fail} for a case in which the engine must not ask.
 */
record Fixture(
    String id, JsonNode policySpec, JsonNode expect, JsonNode imageUsers, List<ObjectNode> input) {
  static final YAMLMapper YAML = new YAMLMapper();
  static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Every case of every fixture file, sorted by file name: the source of the parameterized tests.
   */
  static Stream<Fixture> all() {
    Path dir;
    try {
      dir = Path.of(Fixture.class.getResource("/engine/cases").toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> sorted = files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
      return sorted.stream().flatMap(Fixture::load).toList().stream();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The cases whose workload the policy matches: the ones the engine evaluates. */
  static Stream<Fixture> evaluated() {
    return all().filter(Fixture::evaluates);
  }

  static Stream<Fixture> load(Path file) {
    String base = file.getFileName().toString().replaceFirst("\\.yaml$", "");
    List<ObjectNode> docs = new ArrayList<>();
    try (var it = YAML.readerFor(JsonNode.class).<JsonNode>readValues(file.toFile())) {
      while (it.hasNext()) {
        JsonNode d = it.next();
        if (d instanceof ObjectNode o) docs.add(o);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read fixture " + file, e);
    }
    if (docs.isEmpty()) throw new IllegalArgumentException(file + ": no header document");
    ObjectNode header = docs.get(0);
    List<ObjectNode> input = List.copyOf(docs.subList(1, docs.size()));
    if (header.has("cases")) {
      List<Fixture> out = new ArrayList<>();
      for (JsonNode c : header.get("cases")) {
        out.add(
            new Fixture(
                base + "#" + c.path("name").asText(),
                c.path("policy"),
                required(c, file),
                c.has("imageUsers") ? c.get("imageUsers") : header.path("imageUsers"),
                input));
      }
      return out.stream();
    }
    return Stream.of(
        new Fixture(
            base, header.path("policy"), required(header, file), header.path("imageUsers"), input));
  }

  private static JsonNode required(JsonNode header, Path file) {
    JsonNode expect = header.get("expect");
    if (expect == null || !expect.isObject())
      throw new IllegalArgumentException(file + ": every case needs 'expect'");
    return expect;
  }

  /**
   * A NonRootPolicy with this name and spec (absent or null spec: none), read as the API model
   * reads it.
   */
  static NonRootPolicy policyObject(String name, JsonNode spec) {
    ObjectNode p = JsonNodeFactory.instance.objectNode();
    p.put("apiVersion", "nonroot.dev/v1alpha1").put("kind", "NonRootPolicy");
    p.putObject("metadata").put("name", name);
    if (spec != null && spec.isObject()) p.set("spec", spec);
    try {
      return JSON.treeToValue(p, NonRootPolicy.class);
    } catch (IOException e) {
      throw new IllegalArgumentException(name + ": bad policy in fixture: " + e.getMessage(), e);
    }
  }

  EffectivePolicy policy() {
    try {
      return PolicyResolver.resolve(policyObject(id, policySpec));
    } catch (InvalidPolicyException e) {
      throw new IllegalArgumentException(id + ": fixture policy is invalid: " + e.getMessage(), e);
    }
  }

  /** A fresh deep copy of the input, so each run starts from the file's content. */
  FixtureObjects objects() {
    return new FixtureObjects(input.stream().map(ObjectNode::deepCopy).toList(), imageUsers);
  }

  boolean expectsNoWorkload() {
    return expect.path("workload").asText("").equals("none");
  }

  boolean expectsMatch() {
    return expect.path("matched").asBoolean(true);
  }

  boolean evaluates() {
    return !expectsNoWorkload() && expectsMatch();
  }

  @Override
  public String toString() {
    return id;
  }
}
