package dev.nonroot.kubesim;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * {@code v1 Status} bodies, so kubectl prints "Error from server (NotFound): ..." as with a real
 * server.
 */
final class ApiStatus {
  private ApiStatus() {}

  static ObjectNode failure(int code, String reason, String message) {
    ObjectNode status = JsonNodeFactory.instance.objectNode();
    status.put("kind", "Status");
    status.put("apiVersion", "v1");
    status.putObject("metadata");
    status.put("status", "Failure");
    status.put("message", message);
    status.put("reason", reason);
    status.put("code", code);
    return status;
  }

  static ObjectNode notFound(ResourcePath path) {
    String what = path.group().isEmpty() ? path.plural() : path.plural() + "." + path.group();
    ObjectNode status =
        failure(
            404,
            "NotFound",
            path.name() == null
                ? "the server could not find the requested resource"
                : what + " \"" + path.name() + "\" not found");
    ObjectNode details = status.putObject("details");
    if (path.name() != null) {
      details.put("name", path.name());
    }
    details.put("group", path.group());
    details.put("kind", path.plural());
    return status;
  }

  /** A generic status for an error response whose body the store left empty. */
  static ObjectNode forCode(int code) {
    return switch (code) {
      case 400 -> failure(code, "BadRequest", "the server rejected the request");
      case 404 -> failure(code, "NotFound", "the server could not find the requested resource");
      case 405 ->
          failure(
              code,
              "MethodNotAllowed",
              "the server does not allow this method on the requested resource");
      case 409 ->
          failure(
              code,
              "Conflict",
              "the object has been modified; please apply your changes to the latest version and try again");
      case 415 ->
          failure(
              code, "UnsupportedMediaType", "the demo API server does not support this patch type");
      case 422 -> failure(code, "Invalid", "the request is invalid");
      default ->
          failure(
              code, code >= 500 ? "InternalError" : "Unknown", "request failed with HTTP " + code);
    };
  }
}
