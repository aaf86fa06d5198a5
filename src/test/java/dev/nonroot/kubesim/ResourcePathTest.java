package dev.nonroot.kubesim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ResourcePathTest {

  @Test
  void splitsResourceUrls() {
    assertThat(ResourcePath.parse("/apis/apps/v1/namespaces/shop/deployments/web/status"))
        .hasValue(new ResourcePath("apps", "v1", "shop", "deployments", "web", "status"));
    assertThat(ResourcePath.parse("/api/v1/namespaces/shop/pods"))
        .hasValue(new ResourcePath("", "v1", "shop", "pods", null, null));
    assertThat(ResourcePath.parse("/apis/nonroot.dev/v1alpha1/nonrootpolicies/p"))
        .hasValue(new ResourcePath("nonroot.dev", "v1alpha1", null, "nonrootpolicies", "p", null));
    assertThat(ResourcePath.parse("/api/v1/namespaces/shop"))
        .hasValue(new ResourcePath("", "v1", null, "namespaces", "shop", null));
    assertThat(ResourcePath.parse("/api/v1/namespaces/shop/status"))
        .hasValue(new ResourcePath("", "v1", null, "namespaces", "shop", "status"));
    assertThat(ResourcePath.parse("/apis/apps/v1")).isEmpty();
    assertThat(ResourcePath.parse("/version")).isEmpty();
  }

  @Test
  void rebuildsObjectAndCollectionPaths() {
    ResourcePath status =
        ResourcePath.parse("/apis/apps/v1/namespaces/shop/deployments/web/status").orElseThrow();
    assertThat(status.isStatus()).isTrue();
    assertThat(status.objectPath()).isEqualTo("/apis/apps/v1/namespaces/shop/deployments/web");
    assertThat(status.collectionPath()).isEqualTo("/apis/apps/v1/namespaces/shop/deployments");
    assertThat(ResourcePath.parse("/api/v1/namespaces").orElseThrow().withName("x").objectPath())
        .isEqualTo("/api/v1/namespaces/x");
  }
}
