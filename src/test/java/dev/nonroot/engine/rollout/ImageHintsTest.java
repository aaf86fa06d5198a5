package dev.nonroot.engine.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ImageHintsTest {
  @Test
  void everyRowNamesARepositoryAndAHint() {
    assertThat(ImageHints.table())
        .isNotEmpty()
        .allSatisfy(
            h -> {
              assertThat(h.repository()).isNotBlank().doesNotContain(":");
              assertThat(h.hint()).isNotBlank();
            });
  }

  @Test
  void anImageIsKnownByItsRepositoryWhateverItsRegistryTagOrDigest() {
    for (String image :
        new String[] {
          "nginx",
          "nginx:1.27",
          "docker.io/library/nginx:1.27",
          "library/nginx@sha256:0123",
          "mirror.example.com:5000/nginx:1.27"
        }) {
      assertThat(ImageHints.forImage(image)).as(image).get().asString().contains("unprivileged");
    }
    assertThat(ImageHints.forImage("nginxinc/nginx-unprivileged:1.27")).isEmpty();
    assertThat(ImageHints.forImage("example.com/team/app:1")).isEmpty();
  }
}
