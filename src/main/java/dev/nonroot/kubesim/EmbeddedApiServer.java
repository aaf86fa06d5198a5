package dev.nonroot.kubesim;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.Dispatcher;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A stand-in Kubernetes API server on 127.0.0.1 for {@code demo}: the fabric8 mock server in CRUD
 * mode behind {@link ApiServerDispatcher}, good enough for the real kubectl (discovery, Table
 * printing, create / apply / get / patch (strategic, merge, json) / edit / delete) and for fabric8
 * clients and informers.
 *
 * <p>Not served: server-side apply (415), {@code kubectl get -w} (watches stream over WebSocket
 * only), dry-run (400), schema validation, OpenAPI schemas.
 */
public final class EmbeddedApiServer implements AutoCloseable {
  public static final String CONTEXT = "nonroot-demo";
  private static final String LOOPBACK = "127.0.0.1";

  /** Held strongly: java.util.logging forgets the level of a logger nobody references. */
  private static final List<Logger> QUIETED =
      List.of(Logger.getLogger("io.fabric8.mockwebserver"), Logger.getLogger("okhttp3"));

  private final KubernetesMockServer server;
  private final IndexedCrudStore store;
  private final KubernetesClient client;
  private final String url;
  private final AtomicBoolean closed = new AtomicBoolean();

  private EmbeddedApiServer(
      KubernetesMockServer server, IndexedCrudStore store, KubernetesClient client, String url) {
    this.server = server;
    this.store = store;
    this.client = client;
    this.url = url;
  }

  /**
   * Starts listening on 127.0.0.1 only.
   *
   * @param port 0 for any free port
   * @throws IllegalStateException with a one-line reason when the port cannot be bound
   */
  public static EmbeddedApiServer start(int port) {
    return start(port, UnaryOperator.identity());
  }

  /**
   * Like {@link #start(int)}, with {@code around} put in front of the server's dispatcher (e.g. a
   * {@link FaultInjectingDispatcher}): every request goes through what it returns.
   */
  public static EmbeddedApiServer start(int port, UnaryOperator<Dispatcher> around) {
    QUIETED.forEach(
        logger -> logger.setLevel(Level.WARNING)); // the mock logs every request at INFO
    AtomicInteger boundPort = new AtomicInteger();
    ResourceCatalog catalog = new ResourceCatalog(BuiltInResources.all());
    DiscoveryDocuments discovery =
        new DiscoveryDocuments(catalog, () -> LOOPBACK + ":" + boundPort.get());
    Map<ServerRequest, Queue<ServerResponse>> expectations = new ConcurrentHashMap<>();
    ApiServerDispatcher dispatcher =
        new ApiServerDispatcher(catalog, discovery, expectations, Clock.systemUTC());
    KubernetesMockServer server =
        new KubernetesMockServer(
            new Context(), new MockWebServer(), expectations, around.apply(dispatcher), false);
    try {
      server.start(InetAddress.getByName(LOOPBACK), port);
    } catch (IOException | RuntimeException e) {
      shutdownQuietly(server);
      throw new IllegalStateException(
          "cannot listen on " + LOOPBACK + ":" + port + ": " + rootMessage(e), e);
    }
    // The mock's own canned "/" and "/version" answers would shadow the dispatcher's.
    server.clearExpectations();
    boundPort.set(server.getPort());
    String url = "http://" + LOOPBACK + ":" + server.getPort();
    KubernetesClient client = newClient(url);
    EmbeddedApiServer embedded = new EmbeddedApiServer(server, dispatcher.store(), client, url);
    try {
      client
          .namespaces()
          .resource(
              new NamespaceBuilder().withNewMetadata().withName("default").endMetadata().build())
          .create();
    } catch (RuntimeException e) {
      embedded.close();
      throw new IllegalStateException("embedded API server did not answer: " + rootMessage(e), e);
    }
    return embedded;
  }

  /**
   * A fabric8 client (JDK HTTP client) for this server, namespace "default"; closed by {@link
   * #close()}.
   */
  public KubernetesClient client() {
    return client;
  }

  /** {@code http://127.0.0.1:PORT}. */
  public String url() {
    return url;
  }

  public int port() {
    return server.getPort();
  }

  /**
   * The underlying mock server, for tests: {@code mockServer().expect()...} answers are served
   * before the store (fault injection), and {@code getRequestCount()} / {@code takeRequest()} see
   * every request.
   */
  public KubernetesMockServer mockServer() {
    return server;
  }

  /** The indexed store behind the server, for tests that count what requests look at. */
  IndexedCrudStore store() {
    return store;
  }

  /**
   * Stores the CRD (replacing one of the same name) and registers its types for discovery and Table
   * printing; custom resources of it get a working {@code /status} subresource if the CRD declares
   * one.
   */
  public void installCrd(CustomResourceDefinition crd) {
    client
        .apiextensions()
        .v1()
        .customResourceDefinitions()
        .resource(crd)
        .createOr(NonDeletingOperation::update);
  }

  /**
   * Writes a kubeconfig whose current context ({@value #CONTEXT}) points kubectl at this server.
   */
  public Path writeKubeconfig(Path file) {
    return KubeconfigWriter.write(file, url, CONTEXT);
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      try {
        client.close();
      } finally {
        shutdownQuietly(server);
      }
    }
  }

  /**
   * Smoke path: {@code java -cp ... dev.nonroot.kubesim.EmbeddedApiServer [port] [kubeconfig]}
   * serves until interrupted, with the NonRootPolicy CRD installed when it is on the classpath.
   */
  public static void main(String[] args) throws InterruptedException {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
    Path kubeconfig = Path.of(args.length > 1 ? args[1] : "nonroot-demo.kubeconfig");
    EmbeddedApiServer server = start(port);
    try (InputStream crd =
        Optional.ofNullable(
                EmbeddedApiServer.class.getResourceAsStream(
                    "/crds/nonrootpolicies.nonroot.dev-v1.yml"))
            .orElseGet(
                () ->
                    EmbeddedApiServer.class.getResourceAsStream(
                        "/META-INF/fabric8/nonrootpolicies.nonroot.dev-v1.yml"))) {
      if (crd != null) {
        server.installCrd(
            server
                .client()
                .getKubernetesSerialization()
                .unmarshal(crd, CustomResourceDefinition.class));
      }
    } catch (IOException e) {
      System.err.println("could not read the NonRootPolicy CRD: " + e.getMessage());
    }
    server.writeKubeconfig(kubeconfig);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.close();
                  stopped.countDown();
                }));
    System.out.println(
        "API server at " + server.url() + "; export KUBECONFIG=" + kubeconfig.toAbsolutePath());
    stopped.await();
  }

  private static KubernetesClient newClient(String url) {
    Config config =
        new ConfigBuilder(Config.empty())
            .withMasterUrl(url)
            .withNamespace("default")
            .withHttp2Disable(true)
            .withRequestRetryBackoffLimit(
                0) // nothing transient on loopback; failures should surface at once
            .build();
    return new KubernetesClientBuilder()
        .withConfig(config)
        .withHttpClientFactory(new JdkHttpClientFactory())
        .build();
  }

  private static void shutdownQuietly(KubernetesMockServer server) {
    try {
      server.shutdown();
    } catch (RuntimeException e) {
      // already stopped, or never started
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
  }
}
