package dev.nonroot.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * A fresh CRUD mock server with the CRD installed for each test; the operator is started by the
 * test.
 */
@EnableKubernetesMockClient(crud = true)
abstract class OperatorTestBase {
  KubernetesClient client;
  KubernetesMockServer server;
  OperatorHarness harness;

  @BeforeEach
  void installCrd() throws Exception {
    harness = new OperatorHarness(client);
  }

  @AfterEach
  void stopOperator() {
    harness.close();
  }
}
