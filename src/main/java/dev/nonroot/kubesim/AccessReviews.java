package dev.nonroot.kubesim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Answers SelfSubjectAccessReview and SelfSubjectRulesReview: the demo server has no authorization,
 * so everything is allowed ({@code kubectl auth can-i}, and JOSDK's permission check before leader
 * election, get a yes instead of the store's 422).
 */
final class AccessReviews {
  private AccessReviews() {}

  static final String PATH = "/apis/authorization.k8s.io/v1/";

  static boolean handles(String path) {
    return path.equals(PATH + "selfsubjectaccessreviews")
        || path.equals(PATH + "selfsubjectrulesreviews");
  }

  static ObjectNode answer(String path, JsonNode request) {
    ObjectNode review =
        request != null && request.isObject()
            ? ((ObjectNode) request).deepCopy()
            : JsonNodeFactory.instance.objectNode();
    review.put("apiVersion", "authorization.k8s.io/v1");
    if (path.endsWith("selfsubjectaccessreviews")) {
      review.put("kind", "SelfSubjectAccessReview");
      ObjectNode status = review.putObject("status");
      status.put("allowed", true);
      status.put("reason", "the nonroot demo API server authorizes every request");
    } else {
      review.put("kind", "SelfSubjectRulesReview");
      ObjectNode status = review.putObject("status");
      ObjectNode rule = status.putArray("resourceRules").addObject();
      rule.putArray("verbs").add("*");
      rule.putArray("apiGroups").add("*");
      rule.putArray("resources").add("*");
      ObjectNode nonResource = status.putArray("nonResourceRules").addObject();
      nonResource.putArray("verbs").add("*");
      nonResource.putArray("nonResourceURLs").add("*");
      status.put("incomplete", false);
    }
    if (!review.path("metadata").isObject()) {
      review.putObject("metadata");
    }
    return review;
  }
}
