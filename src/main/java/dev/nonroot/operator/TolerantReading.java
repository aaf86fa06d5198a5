package dev.nonroot.operator;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import com.fasterxml.jackson.databind.deser.ValueInstantiator;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.lang.reflect.Method;

/**
 * Makes the operator's client read objects with values of the wrong type (only a server without a
 * schema, such as the mock, stores them for built-in kinds) instead of failing the informer that
 * lists them, which would stop the operator. The value is kept in the object's additionalProperties
 * under its own name, so the object, serialized back into the tree the engine reads, shows the
 * value where the server has it, and the engine reports it as a malformed field and fixes only
 * around it.
 *
 * <p>fabric8's UnmatchedFieldTypeModule does this for scalars (capabilities: "x", containerPort:
 * "eighty"). For an object or list where a scalar or another structure belongs it would keep only
 * the first token and misread what follows (a runAsUser: 0 next to it would vanish); the problem
 * handler here reads such a value whole first.
 */
final class TolerantReading extends DeserializationProblemHandler {
  private static final ObjectMapper PLAIN = new ObjectMapper();

  private TolerantReading() {}

  /** Configures the client's serialization; idempotent. */
  static void install(KubernetesClient client) {
    KubernetesSerialization serialization = client.getKubernetesSerialization();
    serialization.getUnmatchedFieldTypeModule().setRestrictToTemplates(false);
    ObjectMapper mapper = mapperOf(serialization);
    mapper.clearProblemHandlers();
    mapper.addHandler(new TolerantReading());
  }

  /**
   * fabric8 7.5 exposes its ObjectMapper only to its own package; a client built elsewhere cannot
   * be handed another one without losing its HTTP configuration.
   */
  private static ObjectMapper mapperOf(KubernetesSerialization serialization) {
    try {
      Method getter = KubernetesSerialization.class.getDeclaredMethod("getMapper");
      getter.setAccessible(true);
      return (ObjectMapper) getter.invoke(serialization);
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new IllegalStateException("cannot configure the client's JSON reading", e);
    }
  }

  @Override
  public Object handleUnexpectedToken(
      DeserializationContext ctxt, JavaType targetType, JsonToken t, JsonParser p, String msg)
      throws IOException {
    if (t != JsonToken.START_OBJECT && t != JsonToken.START_ARRAY) return NOT_HANDLED;
    JsonNode value = ctxt.readTree(p);
    keep(p.getParsingContext(), value);
    return null;
  }

  /**
   * A plain value where a list item must be an object ({@code containers: ["nginx"]}). Thrown, the
   * error would leave the parser inside the list, the rest of the object would be misread as
   * another object without metadata, and the informer would stop on the whole list (the operator
   * with it). The item reads as null instead: the engine names it, and no patch writes into it.
   */
  @Override
  public Object handleMissingInstantiator(
      DeserializationContext ctxt,
      Class<?> instClass,
      ValueInstantiator valueInsts,
      JsonParser p,
      String msg) {
    JsonToken t = p.currentToken();
    if (t != null && t.isScalarValue() && p.getParsingContext().inArray()) return null;
    return NOT_HANDLED;
  }

  /** Puts the value into the enclosing object's additionalProperties, when it has them. */
  private static void keep(JsonStreamContext context, JsonNode value) {
    if (context == null || !context.inObject()) return;
    Object owner = context.getCurrentValue();
    String name = context.getCurrentName();
    if (owner == null || name == null) return;
    try {
      Method setter =
          owner.getClass().getMethod("setAdditionalProperty", String.class, Object.class);
      setter.invoke(owner, name, PLAIN.treeToValue(value, Object.class));
    } catch (ReflectiveOperationException | IOException | RuntimeException e) {
      // No additionalProperties: the value is left out, and the engine sees the field as unset.
    }
  }
}
