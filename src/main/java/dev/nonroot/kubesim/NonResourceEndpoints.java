package dev.nonroot.kubesim;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.mockwebserver.http.MockResponse;
import java.util.Optional;

/**
 * The GET endpoints that are not resources: {@code /version}, {@code /}, discovery, OpenAPI and
 * health checks. Matched on the path alone, since kubectl adds {@code ?timeout=32s} and the like.
 */
final class NonResourceEndpoints {
  private final DiscoveryDocuments discovery;
  private final OpenApiDocuments openApi;

  NonResourceEndpoints(DiscoveryDocuments discovery, OpenApiDocuments openApi) {
    this.discovery = discovery;
    this.openApi = openApi;
  }

  /** The answer for a path without its query, or empty when the path names a resource. */
  Optional<MockResponse> serve(String path) {
    String p =
        path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    switch (p) {
      case "/version":
        return ok(discovery.version());
      case "/":
        return ok(discovery.rootPaths());
      case "/api":
        return ok(discovery.apiVersions());
      case "/apis":
        return ok(discovery.apiGroupList());
      case "/openapi/v3":
        return ok(openApi.root());
      case "/healthz", "/livez", "/readyz":
        return Optional.of(
            new MockResponse()
                .setResponseCode(200)
                .setHeader("Content-Type", "text/plain")
                .setBody("ok"));
      default:
        break;
    }
    if (p.startsWith("/openapi/v3/")) {
      return okOrNotFound(openApi.document(p));
    }
    if (p.startsWith("/openapi") || p.startsWith("/swagger")) {
      return Optional.of(JsonResponse.notFound()); // no OpenAPI v2
    }
    String[] s = p.substring(1).split("/");
    if (s.length == 2 && s[0].equals("api")) {
      return okOrNotFound(discovery.resourceList("", s[1]));
    }
    if (s.length == 2 && s[0].equals("apis")) {
      return okOrNotFound(discovery.apiGroup(s[1]));
    }
    if (s.length == 3 && s[0].equals("apis")) {
      return okOrNotFound(discovery.resourceList(s[1], s[2]));
    }
    return Optional.empty();
  }

  private static Optional<MockResponse> ok(JsonNode body) {
    return Optional.of(JsonResponse.of(200, body));
  }

  private static Optional<MockResponse> okOrNotFound(Optional<? extends JsonNode> body) {
    return Optional.of(body.map(d -> JsonResponse.of(200, d)).orElseGet(JsonResponse::notFound));
  }
}
