package dev.nonroot.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The pair each Service is indexed under. Which pair does not change what is found (every pod label
 * is looked up; {@code SharedPortsOperatorTest} shows the right Services move), only how many
 * candidates a lookup returns.
 */
class ServiceSelectorIndexTest {
  @Test
  void aServiceWithoutASelectorIsNotIndexed() {
    assertThat(CacheInventory.selectorIndexKeys(service(null))).isEmpty();
    assertThat(CacheInventory.selectorIndexKeys(service(Map.of()))).isEmpty();
    assertThat(
            CacheInventory.selectorIndexKeys(
                new ServiceBuilder()
                    .withNewMetadata()
                    .withName("s")
                    .withNamespace("shop")
                    .endMetadata()
                    .build()))
        .isEmpty();
  }

  @Test
  void oneServiceIsIndexedUnderOnePairWhateverTheOrderOfItsSelector() {
    Map<String, String> selector = new LinkedHashMap<>();
    selector.put("tier", "front");
    selector.put("app", "web");
    assertThat(CacheInventory.selectorIndexKeys(service(selector))).containsExactly("shop/app=web");
  }

  /**
   * A Helm release's Services all select its instance: indexed by the instance, each workload of
   * the release would look at every one of them.
   */
  @Test
  void aPairWholeReleasesShareIsIndexedOnlyWhenThereIsNoOther() {
    Map<String, String> release = new LinkedHashMap<>();
    release.put("app.kubernetes.io/instance", "shop");
    release.put("app.kubernetes.io/name", "cart");
    assertThat(CacheInventory.selectorIndexKeys(service(release)))
        .containsExactly("shop/app.kubernetes.io/name=cart");
    assertThat(
            CacheInventory.selectorIndexKeys(
                service(Map.of("release", "shop", "heritage", "Helm"))))
        .containsExactly("shop/heritage=Helm");
  }

  private static Service service(Map<String, String> selector) {
    return new ServiceBuilder()
        .withNewMetadata()
        .withName("s")
        .withNamespace("shop")
        .endMetadata()
        .withNewSpec()
        .withSelector(selector)
        .endSpec()
        .build();
  }
}
