package dev.nonroot.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Binds one part of a NonRootPolicy (spec or status) without ever failing: a value of the wrong
 * type or out of range (what a real API server's schema lets through, e.g. an int64 priority, or
 * anything on a server without a schema) is left out and reported with its path, and the rest binds
 * as usual. A policy that cannot be read therefore reaches the resolver as an invalid spec instead
 * of stopping the informer that lists it. A reader with the attribute {@link
 * NonRootPolicy#STRICT_READING} (the CLI reads files and names the line of a mistake) gets the
 * usual strict binding instead.
 */
abstract class TolerantReader<T> extends StdDeserializer<T> {
  private static final ObjectMapper LENIENT =
      JsonMapper.builder()
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
          .build();

  /**
   * For the spec: a real API server prunes fields its schema does not know, a server without a
   * schema keeps them, and a typo (dropCapabilites) silently ignored would switch a rule back to
   * its default. Each one is named instead.
   */
  private static final ObjectMapper NO_UNKNOWN_FIELDS =
      JsonMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          // 8000.5 is not silently read as 8000.
          .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
          .build();

  /** No object has more bad values than this; the loop cannot run away. */
  private static final int MAX_PROBLEMS = 100;

  private final Class<T> type;
  private final String root;
  private final ObjectMapper mapper;

  TolerantReader(Class<T> type, String root, ObjectMapper mapper) {
    super(type);
    this.type = type;
    this.root = root;
    this.mapper = mapper;
  }

  /** Hands the value its problems (an empty list when it bound cleanly). */
  abstract T withProblems(T value, List<UnreadableValue> problems);

  abstract T empty();

  @Override
  public T deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
    JsonNode tree = ctxt.readTree(p);
    // A strict reader (the CLI, which reports a file's mistakes with their line) binds strictly.
    if (Boolean.TRUE.equals(ctxt.getAttribute(NonRootPolicy.STRICT_READING))) {
      return ctxt.readTreeAsValue(tree, type);
    }
    return read(tree);
  }

  T read(JsonNode tree) {
    List<UnreadableValue> problems = new ArrayList<>();
    if (!tree.isObject()) {
      problems.add(new UnreadableValue(root, "must be an object, got " + tree.getNodeType()));
      return withProblems(empty(), problems);
    }
    JsonNode work = tree.deepCopy();
    while (problems.size() < MAX_PROBLEMS) {
      try {
        return withProblems(mapper.treeToValue(work, type), List.copyOf(problems));
      } catch (JsonProcessingException e) {
        List<JsonMappingException.Reference> path =
            e instanceof JsonMappingException m ? m.getPath() : List.of();
        problems.add(new UnreadableValue(render(path), message(e)));
        if (path.isEmpty() || !remove(work, path)) break;
      } catch (IllegalArgumentException e) {
        problems.add(new UnreadableValue(root, message(e)));
        break;
      }
    }
    return withProblems(empty(), List.copyOf(problems));
  }

  private String render(List<JsonMappingException.Reference> path) {
    StringBuilder out = new StringBuilder(root);
    for (JsonMappingException.Reference r : path) {
      if (r.getFieldName() != null) out.append('.').append(r.getFieldName());
      else out.append('[').append(r.getIndex()).append(']');
    }
    return out.toString();
  }

  private static boolean remove(JsonNode tree, List<JsonMappingException.Reference> path) {
    JsonNode parent = tree;
    for (int i = 0; i < path.size() - 1; i++) {
      JsonMappingException.Reference r = path.get(i);
      parent = r.getFieldName() != null ? parent.get(r.getFieldName()) : parent.get(r.getIndex());
      if (parent == null) return false;
    }
    JsonMappingException.Reference last = path.get(path.size() - 1);
    if (last.getFieldName() != null && parent instanceof ObjectNode o) {
      return o.remove(last.getFieldName()) != null;
    }
    if (last.getFieldName() == null && parent instanceof ArrayNode a && last.getIndex() >= 0) {
      if (last.getIndex() >= a.size()) return false;
      a.remove(last.getIndex());
      return true;
    }
    return false;
  }

  private static String message(Exception e) {
    if (e instanceof UnrecognizedPropertyException u) {
      return "unknown field, so it is left out"
          + (u.getKnownPropertyIds() == null || u.getKnownPropertyIds().isEmpty()
              ? ""
              : " (known fields: "
                  + u.getKnownPropertyIds().stream()
                      .map(String::valueOf)
                      .sorted()
                      .collect(Collectors.joining(", "))
                  + ")");
    }
    String m = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
    if (m == null) m = e.getClass().getSimpleName();
    int nl = m.indexOf('\n');
    return "cannot be read, so it is left out: " + (nl < 0 ? m : m.substring(0, nl));
  }

  /** The spec: problems become Valid=False through the resolver. */
  static final class Spec extends TolerantReader<NonRootPolicySpec> {
    Spec() {
      super(NonRootPolicySpec.class, "spec", NO_UNKNOWN_FIELDS);
    }

    @Override
    NonRootPolicySpec withProblems(NonRootPolicySpec value, List<UnreadableValue> problems) {
      value.setUnreadable(problems);
      return value;
    }

    @Override
    NonRootPolicySpec empty() {
      return new NonRootPolicySpec();
    }
  }

  /** The status: the operator writes it again from scratch, so bad values are simply dropped. */
  static final class Status extends TolerantReader<NonRootPolicyStatus> {
    Status() {
      super(NonRootPolicyStatus.class, "status", LENIENT);
    }

    @Override
    NonRootPolicyStatus withProblems(NonRootPolicyStatus value, List<UnreadableValue> problems) {
      return value;
    }

    @Override
    NonRootPolicyStatus empty() {
      return new NonRootPolicyStatus();
    }
  }
}
