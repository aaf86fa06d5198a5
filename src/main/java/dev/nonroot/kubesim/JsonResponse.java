package dev.nonroot.kubesim;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.mockwebserver.http.MockResponse;

/** A mock-server response carrying a JSON document. */
final class JsonResponse {
  private JsonResponse() {}

  static MockResponse of(int code, JsonNode body) {
    return new MockResponse()
        .setResponseCode(code)
        .setHeader("Content-Type", "application/json")
        .setBody(body.toString());
  }

  static MockResponse notFound() {
    return of(404, ApiStatus.forCode(404));
  }
}
