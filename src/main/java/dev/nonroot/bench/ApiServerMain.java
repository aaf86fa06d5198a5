package dev.nonroot.bench;

import dev.nonroot.kubesim.EmbeddedApiServer;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * The child JVM of {@code bench}: the embedded API server with the NonRootPolicy CRD, on a free
 * loopback port. Prints {@value #READY} and the URL on one line, then serves until its standard
 * input ends (the parent closed it, or died), so a killed benchmark leaves no server behind.
 */
public final class ApiServerMain {
  static final String READY = "nonroot-bench-apiserver ";

  private ApiServerMain() {}

  public static void main(String[] args) throws IOException {
    EmbeddedApiServer server = EmbeddedApiServer.start(0);
    try (InputStream crd =
        ApiServerMain.class.getResourceAsStream("/crds/nonrootpolicies.nonroot.dev-v1.yml")) {
      server.installCrd(
          server
              .client()
              .getKubernetesSerialization()
              .unmarshal(Objects.requireNonNull(crd), CustomResourceDefinition.class));
    }
    System.out.println(READY + server.url());
    System.out.flush();
    while (System.in.read() != -1) {
      // the parent writes nothing; end of input is the stop signal
    }
    server.close();
    System.exit(0);
  }
}
