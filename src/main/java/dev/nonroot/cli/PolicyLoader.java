package dev.nonroot.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.nonroot.api.NonRootPolicy;
import dev.nonroot.engine.policy.EffectivePolicy;
import dev.nonroot.engine.policy.InvalidPolicyException;
import dev.nonroot.engine.policy.PolicyError;
import dev.nonroot.engine.policy.PolicyResolver;
import dev.nonroot.manifest.LineLocator;
import dev.nonroot.manifest.ManifestDocument;
import dev.nonroot.manifest.ManifestFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Reads --policy files: each holds one or more NonRootPolicy documents. Unknown fields, wrong types
 * and values the engine refuses are errors naming the file, the line and the field, so a typo never
 * silently turns a rule off.
 */
public final class PolicyLoader {
  static final String API_VERSION = NonRootPolicy.GROUP + "/" + NonRootPolicy.VERSION;

  /** Built on first use: scan and fix with the default policy never need it. */
  private static final class Mapper {
    static final ObjectMapper INSTANCE =
        JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            // 8000.5 is not silently read as 8000.
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .build();
  }

  private PolicyLoader() {}

  /** The policies in these files, or the all-defaults policy when there are none. */
  public static List<EffectivePolicy> load(List<Path> files) {
    if (files == null || files.isEmpty()) return List.of(PolicyResolver.defaults());
    List<EffectivePolicy> out = new ArrayList<>();
    for (Path p : files) {
      String name = p.toString();
      if (!p.toFile().exists()) throw new BadInputException(name + ": no such file (--policy)");
      if (p.toFile().isDirectory())
        throw new BadInputException(name + ": is a directory; --policy takes a file");
      ManifestFile file = InputLoader.loadFile(name, p);
      int before = out.size();
      for (ManifestDocument doc : file.documents()) {
        if (doc.tree() == null || doc.tree().isNull()) continue;
        out.add(resolve(file, doc));
      }
      if (out.size() == before)
        throw new BadInputException(name + ": no NonRootPolicy in this file");
    }
    return List.copyOf(out);
  }

  private static EffectivePolicy resolve(ManifestFile file, ManifestDocument doc) {
    JsonNode tree = doc.tree();
    String where = file.name() + ":";
    if (!tree.isObject()) {
      throw new BadInputException(
          where
              + doc.contentLine()
              + ": not a NonRootPolicy (expected a mapping with apiVersion: "
              + API_VERSION
              + " and kind: NonRootPolicy)");
    }
    String kind = tree.path("kind").asText("");
    if (!kind.equals("NonRootPolicy")) {
      throw new BadInputException(
          where
              + LineLocator.line(doc, "/kind")
              + ": not a NonRootPolicy (kind: "
              + (kind.isEmpty() ? "missing" : kind)
              + "); --policy takes a NonRootPolicy (apiVersion: "
              + API_VERSION
              + ")");
    }
    String apiVersion = tree.path("apiVersion").asText("");
    if (!apiVersion.equals(API_VERSION)) {
      throw new BadInputException(
          where
              + LineLocator.line(doc, "/apiVersion")
              + ": apiVersion must be "
              + API_VERSION
              + ", got "
              + (apiVersion.isEmpty() ? "none" : apiVersion));
    }
    NonRootPolicy policy;
    try {
      policy =
          Mapper.INSTANCE
              .readerFor(NonRootPolicy.class)
              .withAttribute(NonRootPolicy.STRICT_READING, true)
              .treeToValue(tree, NonRootPolicy.class);
    } catch (UnrecognizedPropertyException e) {
      String field = field(e);
      throw new BadInputException(
          where
              + LineLocator.line(doc, pointer(e))
              + ": unknown field "
              + field
              + known(e.getKnownPropertyIds()));
    } catch (MismatchedInputException e) {
      JsonNode value = tree.at(pointer(e));
      throw new BadInputException(
          where
              + LineLocator.line(doc, pointer(e))
              + ": "
              + field(e)
              + ": expected "
              + expected(e.getTargetType())
              + ", got "
              + (e instanceof InvalidFormatException f && f.getValue() != null
                  ? "\"" + f.getValue() + "\""
                  : value.isMissingNode() ? "an invalid value" : value.toString()));
    } catch (JsonMappingException e) {
      throw new BadInputException(
          where
              + LineLocator.line(doc, pointer(e))
              + ": "
              + field(e)
              + ": "
              + e.getOriginalMessage());
    } catch (JsonProcessingException e) {
      throw new BadInputException(where + doc.contentLine() + ": " + e.getOriginalMessage());
    }
    checkNoExtraFields(doc, policy);
    if (policy.getMetadata().getName() == null || policy.getMetadata().getName().isEmpty()) {
      policy.getMetadata().setName(file.name());
    }
    try {
      return PolicyResolver.resolve(policy);
    } catch (InvalidPolicyException e) {
      int line =
          e.errors().isEmpty()
              ? doc.contentLine()
              : LineLocator.line(doc, fieldPointer(e.errors().get(0)));
      throw new BadInputException(where + line + ": " + e.getMessage());
    }
  }

  /**
   * fabric8's model types keep unknown fields instead of failing. Those in selectors are the
   * resolver's to name (the operator reads policies the same way); metadata is the file's.
   */
  private static void checkNoExtraFields(ManifestDocument doc, NonRootPolicy policy) {
    extra(doc, "metadata", policy.getMetadata().getAdditionalProperties());
  }

  private static void extra(ManifestDocument doc, String field, Map<String, Object> extra) {
    if (extra == null || extra.isEmpty()) return;
    String name = field + "." + extra.keySet().iterator().next();
    throw new BadInputException(
        doc.file().name()
            + ":"
            + LineLocator.line(doc, fieldPointer(name))
            + ": unknown field "
            + name);
  }

  private static String field(JsonMappingException e) {
    StringBuilder b = new StringBuilder();
    for (JsonMappingException.Reference r : e.getPath()) {
      if (r.getFieldName() != null) {
        if (b.length() > 0) b.append('.');
        b.append(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        b.append('[').append(r.getIndex()).append(']');
      }
    }
    return b.toString();
  }

  private static String pointer(JsonMappingException e) {
    StringBuilder b = new StringBuilder();
    for (JsonMappingException.Reference r : e.getPath()) {
      if (r.getFieldName() != null)
        b.append('/').append(r.getFieldName().replace("~", "~0").replace("/", "~1"));
      else if (r.getIndex() >= 0) b.append('/').append(r.getIndex());
    }
    return b.toString();
  }

  /** spec.ports.map["53"] or spec.match.kinds[0] as a JSON pointer. */
  static String fieldPointer(PolicyError error) {
    return fieldPointer(error.field());
  }

  static String fieldPointer(String field) {
    StringBuilder b = new StringBuilder();
    for (String part : field.split("\\.(?![^\\[]*\\])")) {
      int bracket = part.indexOf('[');
      String key = bracket < 0 ? part : part.substring(0, bracket);
      if (!key.isEmpty()) b.append('/').append(key);
      while (bracket >= 0) {
        int close = part.indexOf(']', bracket);
        if (close < 0) break;
        String inner = part.substring(bracket + 1, close);
        if (inner.startsWith("\"") && inner.endsWith("\"") && inner.length() >= 2)
          inner = inner.substring(1, inner.length() - 1);
        b.append('/').append(inner.replace("~", "~0").replace("/", "~1"));
        bracket = part.indexOf('[', close);
      }
    }
    return b.toString();
  }

  private static String known(Collection<Object> ids) {
    if (ids == null || ids.isEmpty()) return "";
    return " (known fields: "
        + ids.stream().map(String::valueOf).sorted().collect(Collectors.joining(", "))
        + ")";
  }

  private static String expected(Class<?> type) {
    if (type == null) return "another type";
    if (type == Integer.class || type == int.class || type == Long.class || type == long.class)
      return "an integer";
    if (type == Boolean.class || type == boolean.class) return "true or false";
    if (type == String.class) return "a string";
    if (List.class.isAssignableFrom(type) || Collection.class.isAssignableFrom(type))
      return "a list";
    if (Map.class.isAssignableFrom(type)) return "a mapping";
    return "a " + type.getSimpleName() + " mapping";
  }
}
