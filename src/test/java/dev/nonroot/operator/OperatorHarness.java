package dev.nonroot.operator;

import static org.awaitility.Awaitility.await;

import dev.nonroot.api.NonRootPolicy;
import dev.nonroot.api.NonRootPolicyStatus;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/** Starts operator instances against a CRUD mock server and loads test objects from YAML. */
final class OperatorHarness implements AutoCloseable {
  static final Path CRD = Path.of("crds/nonrootpolicies.nonroot.dev-v1.yml");

  /** The operator's client says who it is, so a server-side fault can pick its requests. */
  static final String USER_AGENT = "nonroot-operator-under-test";

  private final KubernetesClient admin;
  final RequestLog requests = new RequestLog();
  private KubernetesClient operatorClient;
  private NonRootOperator operator;

  OperatorHarness(KubernetesClient admin) throws Exception {
    this(admin, true);
  }

  private OperatorHarness(KubernetesClient admin, boolean installCrd) throws Exception {
    this.admin = admin;
    if (!installCrd) return;
    try (InputStream in = Files.newInputStream(CRD)) {
      CustomResourceDefinition crd =
          admin.apiextensions().v1().customResourceDefinitions().load(in).item();
      admin.apiextensions().v1().customResourceDefinitions().resource(crd).create();
    }
  }

  /** A second operator instance against the same server, with a request log of its own. */
  OperatorHarness another() throws Exception {
    return new OperatorHarness(admin, false);
  }

  KubernetesClient admin() {
    return admin;
  }

  OperatorHarness start(Duration resync) {
    return start(
        NonRootOperator.Settings.defaults().withResyncPeriod(resync).withPatchesPerSecond(0));
  }

  OperatorHarness start(NonRootOperator.Settings settings) {
    operatorClient =
        new KubernetesClientBuilder()
            .withConfig(
                new ConfigBuilder(admin.getConfiguration())
                    .withRequestRetryBackoffLimit(0)
                    .withUserAgent(USER_AGENT)
                    .build())
            .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor("requests", requests))
            .build();
    operator = NonRootOperator.start(operatorClient, settings);
    return this;
  }

  NonRootOperator operator() {
    return operator;
  }

  OperatorMetrics metrics() {
    return operator.metrics();
  }

  void stop() {
    if (operator != null) operator.close();
    if (operatorClient != null) operatorClient.close();
    operator = null;
  }

  /** Creates every object of a classpath YAML file (multi-document). */
  void apply(String resource) throws Exception {
    try (InputStream in = OperatorHarness.class.getResourceAsStream(resource)) {
      if (in == null) throw new IllegalArgumentException("no test resource " + resource);
      for (HasMetadata item : admin.load(in).items()) admin.resource(item).create();
    }
  }

  /**
   * Edits a policy the way a person re-running {@code kubectl edit} would: the operator writes the
   * policy's status and finalizers while a test runs, so an edit that loses the resourceVersion
   * race (409) is read again and applied again.
   */
  NonRootPolicy editPolicy(String name, UnaryOperator<NonRootPolicy> change) {
    return onConflictAgain(() -> admin.resources(NonRootPolicy.class).withName(name).edit(change));
  }

  /** Runs a write again while the server answers 409 Conflict (at most 20 times). */
  static <T> T onConflictAgain(Supplier<T> write) {
    for (int attempt = 1; ; attempt++) {
      try {
        return write.get();
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 || attempt == 20) throw e;
      }
    }
  }

  NonRootPolicy policy(String name) {
    return admin.resources(NonRootPolicy.class).withName(name).get();
  }

  /** The policy's status once it satisfies done and then stays the same for two seconds. */
  NonRootPolicyStatus settledStatus(String name, Predicate<NonRootPolicyStatus> done) {
    var last = new AtomicReference<NonRootPolicyStatus>();
    var since = new AtomicLong();
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              var status = policy(name).getStatus();
              if (status == null || !done.test(status)) {
                last.set(null);
                return false;
              }
              if (!status.equals(last.get())) {
                last.set(status);
                since.set(System.nanoTime());
                return false;
              }
              return System.nanoTime() - since.get() > Duration.ofSeconds(2).toNanos();
            });
    return last.get();
  }

  /**
   * Plays the Deployment controller: it saw the current template, and {@code available} of its 1
   * replica is up.
   */
  void deploymentObserved(String namespace, String name, int available) {
    onConflictAgain(() -> observed(namespace, name, available));
  }

  private Deployment observed(String namespace, String name, int available) {
    Deployment d = admin.apps().deployments().inNamespace(namespace).withName(name).get();
    return admin
        .apps()
        .deployments()
        .inNamespace(namespace)
        .withName(name)
        .editStatus(
            x -> {
              x.setStatus(
                  new DeploymentStatusBuilder()
                      .withObservedGeneration(d.getMetadata().getGeneration())
                      .withReplicas(1)
                      .withUpdatedReplicas(1)
                      .withAvailableReplicas(available)
                      .withReadyReplicas(available)
                      .build());
              return x;
            });
  }

  static <T> T eventually(Supplier<T> read, Predicate<T> done) {
    return await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(read::get, done::test);
  }

  @Override
  public void close() {
    stop();
  }
}
