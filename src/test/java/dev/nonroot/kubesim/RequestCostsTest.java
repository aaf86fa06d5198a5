package dev.nonroot.kubesim;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The per-request counters the server serves at /metrics, which the benchmark reads. */
class RequestCostsTest {
  @ParameterizedTest(name = "{0} {1} -> {3} {4}")
  @CsvSource({
    "GET, /api/v1/namespaces/shop/services, false, list, services",
    "GET, /api/v1/namespaces/shop/services, true, watch, services",
    "GET, /api/v1/services, false, list, services",
    "GET, /api/v1/namespaces/shop/services/web, false, get, services",
    "PATCH, /apis/apps/v1/namespaces/shop/deployments/web, false, patch, deployments",
    "PATCH, /apis/nonroot.dev/v1alpha1/nonrootpolicies/p/status, false, patch,"
        + " nonrootpolicies/status",
    "POST, /api/v1/namespaces/shop/events, false, create, events",
    "GET, /api/v1/namespaces, false, list, namespaces",
    "GET, /api/v1/namespaces/shop, false, get, namespaces",
    "PUT, /api/v1/namespaces/shop/status, false, update, namespaces/status",
    "PUT, /api/v1/namespaces/shop/finalize, false, update, namespaces/finalize",
    "GET, /api/v1/namespaces/shop/services/web/proxy, false, get, services/proxy",
    "DELETE, /api/v1/namespaces/shop/configmaps, false, deletecollection, configmaps",
    "GET, /version, false, get, nonresource",
    "GET, /apis/apps/v1, false, get, nonresource"
  })
  void namesTheRbacVerbAndTheResource(
      String method, String path, boolean watch, String verb, String resource) {
    var key = RequestCosts.key(method, path, watch);
    assertThat(key.verb()).isEqualTo(verb);
    assertThat(key.resource()).isEqualTo(resource);
  }

  @Test
  void metricsCountEachRequestAndTheTimeItTook() {
    try (EmbeddedApiServer server = EmbeddedApiServer.start(0)) {
      KubernetesClient client = server.client();
      client
          .configMaps()
          .inNamespace("shop")
          .resource(
              new ConfigMapBuilder()
                  .withNewMetadata()
                  .withName("web")
                  .endMetadata()
                  .addToData("a", "1")
                  .build())
          .create();
      for (int i = 0; i < 3; i++) {
        client
            .configMaps()
            .inNamespace("shop")
            .withName("web")
            .patch(
                PatchContext.of(PatchType.JSON),
                "[{\"op\":\"replace\",\"path\":\"/data/a\",\"value\":\"" + i + "\"}]");
      }
      client.raw(server.url() + "/metrics");
      String metrics = client.raw(server.url() + "/metrics");
      assertThat(metrics).as("reads of /metrics are not counted").doesNotContain("nonresource");
      assertThat(count(metrics, "apiserver_request_total", "create", "configmaps")).isEqualTo(1);
      assertThat(count(metrics, "apiserver_request_total", "patch", "configmaps")).isEqualTo(3);
      assertThat(count(metrics, "kubesim_request_cpu_seconds_total", "patch", "configmaps"))
          .isPositive();
      Matcher thread =
          Pattern.compile("(?m)^kubesim_serving_thread_cpu_seconds_total (\\S+)$").matcher(metrics);
      assertThat(thread.find()).isTrue();
      assertThat(Double.parseDouble(thread.group(1))).isPositive();
    }
  }

  private static double count(String metrics, String name, String verb, String resource) {
    Matcher m =
        Pattern.compile(
                "(?m)^"
                    + name
                    + "\\{verb=\""
                    + verb
                    + "\",resource=\""
                    + Pattern.quote(resource)
                    + "\"\\} (\\S+)$")
            .matcher(metrics);
    return m.find() ? Double.parseDouble(m.group(1)) : -1;
  }
}
