package dev.nonroot.kubesim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.internal.MockDispatcher;
import io.fabric8.mockwebserver.internal.SimpleRequest;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Puts an API-server front on the fabric8 CRUD mock store, so the real kubectl works against it:
 * discovery for any query string, Table responses for {@code kubectl get}, {@code /status} decided
 * on the path without its query, status kept apart from spec for built-in kinds, RFC 7386 merge and
 * strategic merge patches, managedFields (which manager owns which field), namespaces created on
 * demand, and v1 Status bodies on errors. Recorded expectations ({@code server.expect()}) are
 * served first, so tests can still inject faults on resource paths.
 */
final class ApiServerDispatcher extends Dispatcher {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CONTENT_TYPE = "Content-Type";
  private static final String APPLICATION_JSON = "application/json";
  private static final String CRD_GROUP = "apiextensions.k8s.io";

  private final ResourceCatalog catalog;
  private final NonResourceEndpoints nonResource;
  private final Map<ServerRequest, Queue<ServerResponse>> expectations;
  private final MockDispatcher expectationDispatcher;
  private final IndexedCrudStore store;
  private final TableRenderer tables;
  private final ServerSideDefaults defaults;
  private final RequestCosts costs = new RequestCosts();

  /**
   * Writes run one at a time so that read-modify-write steps around the store see a stable object.
   */
  private final ReentrantLock writes = new ReentrantLock();

  ApiServerDispatcher(
      ResourceCatalog catalog,
      DiscoveryDocuments discovery,
      Map<ServerRequest, Queue<ServerResponse>> expectations,
      Clock clock) {
    this.catalog = catalog;
    this.nonResource = new NonResourceEndpoints(discovery, new OpenApiDocuments(catalog));
    this.expectations = expectations;
    this.expectationDispatcher = new MockDispatcher(expectations);
    this.tables = new TableRenderer(clock);
    this.defaults = new ServerSideDefaults(clock);
    this.store = new IndexedCrudStore(clock);
    // Built-in kinds get a status subresource in the store, so a main-resource write keeps status.
    for (ResourceType type : catalog.all()) {
      if (type.statusSubresource() && !type.custom()) {
        store.expectCustomResource(
            new CustomResourceDefinitionContext.Builder()
                .withGroup(type.group().isEmpty() ? null : type.group())
                .withVersion(type.version())
                .withPlural(type.plural())
                .withKind(type.kind())
                .withScope(type.namespaced() ? "Namespaced" : "Cluster")
                .withStatusSubresource(true)
                .build());
      }
    }
  }

  /** The store, for tests that count how much of it requests look at. */
  IndexedCrudStore store() {
    return store;
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    long cpu = costs.start();
    MockResponse response = answer(request);
    String rawPath = request.getPath();
    int q = rawPath.indexOf('?');
    String path = q < 0 ? rawPath : rawPath.substring(0, q);
    if (!path.equals(RequestCosts.PATH)) {
      costs.served(
          request.method().name(), path, q >= 0 && rawPath.indexOf("watch=true", q) > 0, cpu);
    }
    return response;
  }

  private MockResponse answer(RecordedRequest request) {
    MockResponse response;
    try {
      response = route(request);
    } catch (RuntimeException e) {
      // The store throws on e.g. a failing JSON Patch "test" op; without this the client waits
      // forever.
      boolean patchError = e.getClass().getName().contains("JsonPatch");
      response =
          json(
              patchError ? 422 : 500,
              ApiStatus.failure(
                  patchError ? 422 : 500,
                  patchError ? "Invalid" : "InternalError",
                  String.valueOf(e.getMessage())));
    }
    if (response == null) {
      response = json(405, ApiStatus.forCode(405));
    }
    if (response.getWebSocketListener() == null
        && response.getBody() != null
        && response.getBody().size() > 0
        && response.header(CONTENT_TYPE) == null) {
      response.setHeader(CONTENT_TYPE, APPLICATION_JSON);
    }
    return response;
  }

  @Override
  public void shutdown() {
    expectationDispatcher.shutdown();
    super.shutdown();
  }

  private MockResponse route(RecordedRequest request) {
    String rawPath = request.getPath();
    int q = rawPath.indexOf('?');
    String path = q < 0 ? rawPath : rawPath.substring(0, q);
    Map<String, String> query = parseQuery(q < 0 ? "" : rawPath.substring(q + 1));
    HttpMethod method = request.method();

    if (method == HttpMethod.GET && path.equals(RequestCosts.PATH)) {
      return new MockResponse()
          .setResponseCode(200)
          .setHeader(CONTENT_TYPE, "text/plain; version=0.0.4")
          .setBody(costs.prometheus());
    }
    if (method == HttpMethod.GET) {
      Optional<MockResponse> served = nonResource.serve(path);
      if (served.isPresent()) {
        return served.get();
      }
    }
    if (method == HttpMethod.POST && AccessReviews.handles(path)) {
      return json(201, AccessReviews.answer(path, parse(bodyOf(request))));
    }
    if (hasExpectation(method, rawPath)) {
      return expectationDispatcher.dispatch(request);
    }
    Optional<ResourcePath> resource = ResourcePath.parse(path);
    ResourceType type =
        resource.flatMap(r -> catalog.find(r.group(), r.version(), r.plural())).orElse(null);
    if (resource.isPresent() && ScaleSubresource.applies(resource.get(), type)) {
      return scale(request, resource.get(), type, query);
    }
    return switch (method) {
      case GET -> read(request, resource.orElse(null), type, query);
      case POST, PUT, PATCH, DELETE -> write(request, path, resource.orElse(null), type, query);
      default -> store.dispatch(request);
    };
  }

  private MockResponse read(
      RecordedRequest request,
      ResourcePath resource,
      ResourceType type,
      Map<String, String> query) {
    String watch = query.getOrDefault("watch", "");
    if (watch.equals("true") || watch.equals("1")) {
      String upgrade = request.getHeader("Upgrade");
      if (upgrade == null || !upgrade.equalsIgnoreCase("websocket")) {
        return json(
            405,
            ApiStatus.failure(
                405,
                "MethodNotAllowed",
                "the nonroot demo API server streams watches over WebSocket only (fabric8 clients); "
                    + "kubectl get -w is not supported, run kubectl get again instead"));
      }
      return store.dispatch(request);
    }
    MockResponse response = store.dispatch(request);
    if (resource == null) {
      return response;
    }
    if (response.code() == 404 && isEmpty(response)) {
      return json(404, ApiStatus.notFound(resource));
    }
    if (response.code() != 200 || isEmpty(response)) {
      return response;
    }
    JsonNode body = parse(response.getBody().getBytes());
    if (body == null) {
      return response;
    }
    if (resource.isCollection() && type != null && body.isObject()) {
      // The store answers every list as kind "List"; a real server names the list's kind.
      ((ObjectNode) body).put("apiVersion", type.groupVersion());
      ((ObjectNode) body).put("kind", type.kind() + "List");
    }
    Optional<String> tableVersion = TableRenderer.requestedVersion(request.getHeader("Accept"));
    if (tableVersion.isPresent()) {
      List<JsonNode> objects = new ArrayList<>();
      if (resource.isCollection()) {
        body.path("items").forEach(objects::add);
      } else {
        objects.add(body);
      }
      List<TableColumn> columns = type == null ? BuiltInColumns.nameAndAge() : type.columns();
      return json(
          200,
          tables.render(
              columns,
              objects,
              body.at("/metadata/resourceVersion").asText(""),
              TableRenderer.IncludeObject.parse(query.get("includeObject")),
              tableVersion.get()));
    }
    return json(200, body);
  }

  private MockResponse write(
      RecordedRequest request,
      String path,
      ResourcePath resource,
      ResourceType type,
      Map<String, String> query) {
    if (query.containsKey("dryRun")) {
      return json(
          400,
          ApiStatus.failure(
              400,
              "BadRequest",
              "the nonroot demo API server does not support dry-run; the request was not applied"));
    }
    writes.lock();
    try {
      HttpMethod method = request.method();
      JsonNode before =
          resource != null && resource.name() != null && method != HttpMethod.POST
              ? stored(resource.objectPath())
              : null;
      RecordedRequest forStore;
      if (method == HttpMethod.PATCH) {
        String contentType =
            Optional.ofNullable(request.getHeader(CONTENT_TYPE))
                .orElse("")
                .toLowerCase(Locale.ROOT);
        boolean strategic = contentType.contains("strategic-merge-patch");
        if (strategic && (type == null || type.custom())) {
          return json(
              415,
              ApiStatus.failure(
                  415,
                  "UnsupportedMediaType",
                  "strategic merge patch is not supported for custom resources; use --type=merge or --type=json"));
        }
        if (contentType.contains("apply-patch")) {
          return json(
              415,
              ApiStatus.failure(
                  415,
                  "UnsupportedMediaType",
                  "the nonroot demo API server does not support server-side apply; use kubectl create, apply or patch"));
        }
        if (strategic || contentType.contains("merge-patch")) {
          // The store mishandles both (and knows no strategic merge): patch here, store the whole
          // result.
          if (before == null) {
            return json(
                404, resource == null ? ApiStatus.forCode(404) : ApiStatus.notFound(resource));
          }
          JsonNode patch = parse(bodyOf(request));
          if (patch == null || (strategic && !patch.isObject())) {
            return json(
                400, ApiStatus.failure(400, "BadRequest", "the patch is not a valid JSON object"));
          }
          JsonNode patched =
              strategic
                  ? StrategicMergePatch.apply(before, patch)
                  : MergePatch.apply(before, patch);
          forStore =
              new RecordedRequest(
                  request.getHttpVersion(),
                  HttpMethod.PUT,
                  path,
                  request.getHeaders().newBuilder().set(CONTENT_TYPE, APPLICATION_JSON).build(),
                  new Buffer(patched.toString().getBytes(StandardCharsets.UTF_8)));
        } else {
          forStore = withPath(request, path);
        }
      } else {
        forStore = withPath(request, path);
      }
      if (type != null
          && type.schema() != null
          && forStore.method() != HttpMethod.PATCH
          && forStore.method() != HttpMethod.DELETE) {
        forStore = withDefaults(forStore, type);
      }
      if (method == HttpMethod.POST && resource != null && resource.namespace() != null) {
        provisionNamespace(resource.namespace());
      }
      MockResponse response = store.dispatch(forStore);
      if (response == null) {
        return null;
      }
      int code = response.code();
      if (code >= 400) {
        if (isEmpty(response)) {
          return json(
              code,
              code == 404 && resource != null
                  ? ApiStatus.notFound(resource)
                  : ApiStatus.forCode(code));
        }
        return response;
      }
      if (method == HttpMethod.PATCH && code == 202) {
        response.setResponseCode(200); // the store answers 202; API servers answer 200
      }
      if (resource != null && method != HttpMethod.DELETE && !isEmpty(response)) {
        finishWrite(resource, type, manager(request, query), before, response);
      }
      if (method == HttpMethod.DELETE
          && resource != null
          && isCrd(resource)
          && resource.name() != null
          && stored(resource.objectPath()) == null) {
        catalog.removeCrd(resource.name());
      }
      return response;
    } finally {
      writes.unlock();
    }
  }

  /** Reads or writes the autoscaling/v1 Scale view of a workload's spec.replicas. */
  private MockResponse scale(
      RecordedRequest request,
      ResourcePath resource,
      ResourceType type,
      Map<String, String> query) {
    HttpMethod method = request.method();
    if (method == HttpMethod.GET) {
      JsonNode object = stored(resource.objectPath());
      return object == null
          ? json(404, ApiStatus.notFound(resource))
          : json(200, ScaleSubresource.view(object));
    }
    if (method != HttpMethod.PUT && method != HttpMethod.PATCH) {
      return json(405, ApiStatus.forCode(405));
    }
    if (query.containsKey("dryRun")) {
      return json(
          400,
          ApiStatus.failure(
              400,
              "BadRequest",
              "the nonroot demo API server does not support dry-run; the request was not applied"));
    }
    writes.lock();
    try {
      JsonNode before = stored(resource.objectPath());
      if (before == null) {
        return json(404, ApiStatus.notFound(resource));
      }
      String contentType =
          Optional.ofNullable(request.getHeader(CONTENT_TYPE)).orElse("").toLowerCase(Locale.ROOT);
      int replicas =
          ScaleSubresource.requestedReplicas(
              ScaleSubresource.view(before),
              method == HttpMethod.PUT,
              contentType,
              parse(bodyOf(request)));
      if (replicas < 0) {
        return json(422, ApiStatus.failure(422, "Invalid", "spec.replicas: Required value"));
      }
      ObjectNode op =
          JSON.createObjectNode()
              .put("op", "add")
              .put("path", "/spec/replicas")
              .put("value", replicas);
      MockResponse response =
          store.dispatch(
              new RecordedRequest(
                  request.getHttpVersion(),
                  HttpMethod.PATCH,
                  resource.objectPath(),
                  Headers.builder().add(CONTENT_TYPE, "application/json-patch+json").build(),
                  new Buffer(
                      JSON.createArrayNode().add(op).toString().getBytes(StandardCharsets.UTF_8))));
      if (response == null || response.code() >= 400 || isEmpty(response)) {
        return response == null || isEmpty(response) ? json(500, ApiStatus.forCode(500)) : response;
      }
      finishWrite(resource, type, manager(request, query), before, response);
      JsonNode written = parse(response.getBody().getBytes());
      return json(200, ScaleSubresource.view(written == null ? before : written));
    } finally {
      writes.unlock();
    }
  }

  /**
   * Adds what the store leaves out (see {@link ServerSideDefaults}) to the stored object and the
   * response.
   */
  private void finishWrite(
      ResourcePath resource,
      ResourceType type,
      String manager,
      JsonNode before,
      MockResponse response) {
    byte[] bytes = response.getBody().getBytes(); // getBytes, not readUtf8, leaves the body
    String body = new String(bytes, StandardCharsets.UTF_8);
    JsonNode written = parse(bytes);
    if (written == null || !written.isObject() || "Status".equals(written.path("kind").asText())) {
      return;
    }
    String name = written.at("/metadata/name").asText("");
    if (name.isEmpty()) {
      return;
    }
    ResourcePath object = resource.withName(name);
    AttributeSet key = store.getKey(object.objectPath());
    Map.Entry<AttributeSet, String> entry = store.findResource(key);
    if (entry == null) {
      return; // deleted by this write (finalizers removed from an object marked for deletion)
    }
    // Usually the store answered with what it stored: parse it once.
    JsonNode current =
        entry.getValue().equals(body)
            ? written
            : parse(entry.getValue().getBytes(StandardCharsets.UTF_8));
    if (current == null || !current.isObject()) {
      return;
    }
    ObjectNode finished = (ObjectNode) current;
    if (type != null && type.schema() != null) {
      SchemaDefaults.apply(type.schema(), finished); // JSON patches reach the store without them
    }
    defaults.apply(before, finished, type, manager, resource.subresource());
    String json = finished.toString();
    // Same resourceVersion: this completes the write the store just made rather than making
    // another.
    store.getMap().replace(entry.getKey(), entry.getValue(), json);
    response.setBody(json);
    if (isCrd(resource)) {
      catalog.putCrd(finished);
    }
  }

  /**
   * Creates a missing Namespace before a namespaced create, like kube-apiserver's
   * NamespaceAutoProvision admission plugin: objects may name any namespace, and kubectl, which
   * checks that a namespace exists when a get finds nothing, then reports "not found" for the
   * object rather than for its namespace.
   */
  private void provisionNamespace(String namespace) {
    ResourcePath namespaces = new ResourcePath("", "v1", null, "namespaces", null, null);
    if (store.findResource(store.getKey(namespaces.withName(namespace).objectPath())) != null) {
      return; // checked on every namespaced create: look it up, do not parse it
    }
    ObjectNode body = JSON.createObjectNode();
    body.put("apiVersion", "v1");
    body.put("kind", "Namespace");
    body.putObject("metadata").put("name", namespace);
    MockResponse created =
        store.dispatch(
            new RecordedRequest(
                "HTTP/1.1",
                HttpMethod.POST,
                namespaces.collectionPath(),
                Headers.builder().add(CONTENT_TYPE, APPLICATION_JSON).build(),
                new Buffer(body.toString().getBytes(StandardCharsets.UTF_8))));
    if (created != null && created.code() == 201 && !isEmpty(created)) {
      finishWrite(
          namespaces,
          catalog.find("", "v1", "namespaces").orElse(null),
          "namespace-autoprovision",
          null,
          created);
    }
  }

  private static boolean isCrd(ResourcePath resource) {
    return resource.group().equals(CRD_GROUP)
        && resource.plural().equals("customresourcedefinitions");
  }

  /**
   * The {@code fieldManager} parameter, else the User-Agent's product, as a real API server does.
   */
  private static String manager(RecordedRequest request, Map<String, String> query) {
    String manager = query.get("fieldManager");
    if (manager != null && !manager.isEmpty()) {
      return manager;
    }
    String agent = request.getHeader("User-Agent");
    if (agent == null || agent.isBlank()) {
      return "unknown";
    }
    int slash = agent.indexOf('/');
    return (slash < 0 ? agent : agent.substring(0, slash)).trim();
  }

  private JsonNode stored(String objectPath) {
    Map.Entry<AttributeSet, String> entry = store.findResource(store.getKey(objectPath));
    return entry == null ? null : parse(entry.getValue().getBytes(StandardCharsets.UTF_8));
  }

  private boolean hasExpectation(HttpMethod method, String rawPath) {
    Queue<ServerResponse> exact = expectations.get(new SimpleRequest(method, rawPath));
    Queue<ServerResponse> any = expectations.get(new SimpleRequest(rawPath));
    return (exact != null && !exact.isEmpty()) || (any != null && !any.isEmpty());
  }

  /** The request with the CRD schema's defaults filled into its body (a whole object). */
  private static RecordedRequest withDefaults(RecordedRequest request, ResourceType type) {
    JsonNode body = parse(bodyOf(request));
    if (body == null || !body.isObject()) {
      return request;
    }
    SchemaDefaults.apply(type.schema(), body);
    return new RecordedRequest(
        request.getHttpVersion(),
        request.method(),
        request.getPath(),
        request.getHeaders(),
        new Buffer(body.toString().getBytes(StandardCharsets.UTF_8)));
  }

  private static RecordedRequest withPath(RecordedRequest request, String path) {
    return new RecordedRequest(
        request.getHttpVersion(),
        request.method(),
        path,
        request.getHeaders(),
        new Buffer(bodyOf(request)));
  }

  private static byte[] bodyOf(RecordedRequest request) {
    return request.getBody() == null ? new byte[0] : request.getBody().getBytes();
  }

  private static boolean isEmpty(MockResponse response) {
    return response.getBody() == null || response.getBody().size() == 0;
  }

  private static JsonNode parse(byte[] bytes) {
    if (bytes == null || bytes.length == 0) {
      return null;
    }
    try {
      return JSON.readTree(bytes);
    } catch (IOException e) {
      return null;
    }
  }

  private static MockResponse json(int code, JsonNode body) {
    return JsonResponse.of(code, body);
  }

  private static Map<String, String> parseQuery(String query) {
    Map<String, String> params = new HashMap<>();
    if (query.isEmpty()) {
      return params;
    }
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String value =
          eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      params.putIfAbsent(key, value);
    }
    return params;
  }
}
