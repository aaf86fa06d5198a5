package dev.nonroot.operator;

import static dev.nonroot.operator.OperatorHarness.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A workload with a value of the wrong type (which only a server without a schema stores, such as
 * the mock) never stops the operator: it is decided on what it really holds, the bad value is left
 * as it is, and the other workloads are served as usual.
 */
class UnreadableWorkloadTest extends OperatorTestBase {
  private static final ObjectMapper JSON = new ObjectMapper();

  private void createRaw(String collection, String json) {
    client.raw(client.getMasterUrl() + collection.substring(1), "POST", json);
  }

  private JsonNode getRaw(String path) throws Exception {
    return JSON.readTree(client.raw(client.getMasterUrl() + path.substring(1)));
  }

  @Test
  void aWorkloadWithAValueOfTheWrongTypeDoesNotStopTheOthers() throws Exception {
    harness.apply("/operator/shop.yaml");
    createRaw(
        "/apis/apps/v1/namespaces/shop/deployments",
        """
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"odd","namespace":"shop"},
         "spec":{"selector":{"matchLabels":{"app":"odd"}},
          "template":{"metadata":{"labels":{"app":"odd"}},
           "spec":{"containers":[{"name":"app","image":"busybox",
            "ports":[{"containerPort":"eighty"}],
            "securityContext":{"capabilities":"x"}}]}}}}
        """);
    // A list where an object belongs, with a root UID beside it that must not be misread away.
    createRaw(
        "/apis/apps/v1/namespaces/shop/deployments",
        """
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"odder","namespace":"shop"},
         "spec":{"selector":{"matchLabels":{"app":"odder"}},
          "template":{"metadata":{"labels":{"app":"odder"}},
           "spec":{"containers":[{"name":"app","image":"busybox",
            "securityContext":{"capabilities":["x",{"y":1}],"runAsUser":0}}]}}}}
        """);
    harness.apply("/operator/policy-enforce.yaml");
    harness.start(Duration.ofSeconds(30));

    eventually(
        () -> harness.policy("baseline"),
        p -> p.getStatus() != null && p.getStatus().getMatched() == 5);
    eventually(
        () -> harness.policy("baseline"),
        p -> p.getStatus() != null && p.getStatus().getRemediated() == 5);
    // What could be fixed around the bad values was fixed; the bad values are still there.
    JsonNode odd =
        eventually(
            () -> {
              try {
                return getRaw("/apis/apps/v1/namespaces/shop/deployments/odd");
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            },
            d -> d.at("/spec/template/spec/securityContext/runAsNonRoot").asBoolean(false));
    JsonNode container = odd.at("/spec/template/spec/containers/0");
    assertThat(container.at("/securityContext/capabilities").asText()).isEqualTo("x");
    assertThat(container.at("/ports/0/containerPort").asText()).isEqualTo("eighty");
    assertThat(harness.requests.writesTo("/apis/apps/v1/namespaces/shop/deployments/odd"))
        .isEqualTo(1);
    JsonNode odder =
        getRaw("/apis/apps/v1/namespaces/shop/deployments/odder")
            .at("/spec/template/spec/containers/0/securityContext");
    assertThat(odder.at("/runAsUser").asLong()).isEqualTo(65532);
    assertThat(odder.at("/capabilities").toString()).isEqualTo("[\"x\",{\"y\":1}]");
  }
}
