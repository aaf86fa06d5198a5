package dev.nonroot.kubesim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.server.mock.KubernetesAttributesExtractor;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesResponseComposer;
import io.fabric8.mockwebserver.crud.Attribute;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.crud.AttributeType;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;

/**
 * The fabric8 CRUD store with an index by resource type, namespace and name, so that a get, a
 * create, a patch, a namespace list and a watch event cost the same at 100 objects and at 100,000.
 * The fabric8 store compares every stored object's attributes with every request's on the server's
 * one event-loop thread; at 10,000 Deployments creating them alone took minutes.
 *
 * <p>fabric8's handlers still do the writing (resourceVersion and 409 on stale writes, generation
 * bumps on spec changes only, the status subresource, finalizers), and its map stays the source of
 * truth; this class only finds keys in that map without scanning it, and serves reads, deletes and
 * watches from the index. Within the candidates the index yields, fabric8's own attribute matching
 * still decides (label and field selectors included). A request whose path names no resource type
 * falls back to fabric8's scan; {@link #comparisons()} and {@link #fullScans()} let tests prove
 * that ordinary requests never do.
 *
 * <p>Watches: objects are sent as ADDED when the watch opens, all of them without a resourceVersion
 * (as the fabric8 store does), else only those changed after it, as a real API server sends the
 * events a watcher missed; events go only to watchers of the object's type.
 */
final class IndexedCrudStore extends KubernetesCrudDispatcher {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String API = KubernetesAttributesExtractor.API;
  private static final String VERSION = KubernetesAttributesExtractor.VERSION;
  private static final String PLURAL = KubernetesAttributesExtractor.PLURAL;
  private static final String NAMESPACE = KubernetesAttributesExtractor.NAMESPACE;
  private static final String NAME = KubernetesAttributesExtractor.NAME;
  private static final String CLUSTER_SCOPED = "";

  private final Clock clock;
  private final KubernetesAttributesExtractor extractor =
      (KubernetesAttributesExtractor) attributeExtractor;
  private final KubernetesResponseComposer lists = new KubernetesResponseComposer();

  /** Guards the index and orders writes with the reads and watch openings that see them. */
  private final ReadWriteLock lock = new ReentrantReadWriteLock();

  /** Type → namespace ({@value #CLUSTER_SCOPED} for cluster-scoped) → name → the map's key. */
  private final Map<TypeKey, Map<String, Map<String, Indexed>>> index = new HashMap<>();

  /** Keys the index cannot place (no type or name in them); every lookup also considers these. */
  private final Set<AttributeSet> unplaced = new LinkedHashSet<>();

  private final Map<TypeKey, Set<WatchStream>> watchesByType = new ConcurrentHashMap<>();
  private final Set<WatchStream> watchesOfAnything = new CopyOnWriteArraySet<>();
  private final AtomicLong latestVersion = new AtomicLong();
  private final AtomicLong comparisons = new AtomicLong();
  private final AtomicLong fullScans = new AtomicLong();

  IndexedCrudStore(Clock clock) {
    this.clock = clock;
  }

  /** How many stored keys requests have been compared with, in total. */
  long comparisons() {
    return comparisons.get();
  }

  /** How many requests fell back to comparing with every stored key. */
  long fullScans() {
    return fullScans.get();
  }

  @Override
  public long requestResourceVersion() {
    long version = super.requestResourceVersion();
    latestVersion.accumulateAndGet(version, Math::max);
    return version;
  }

  /**
   * A write that changes nothing keeps its resourceVersion. fabric8 decides that from a JSON diff
   * of the two versions, whose list comparison is quadratic: a policy status listing 1,000 changes
   * held the server's one thread for about 100 ms a write. Equality says the same in linear time.
   */
  @Override
  public void touchResourceVersion(JsonNode current, JsonNode updated) {
    if (!current.equals(updated)) {
      ((ObjectNode) updated.get("metadata"))
          .put("resourceVersion", String.valueOf(requestResourceVersion()));
    }
  }

  /**
   * metadata.generation counts changes to anything but metadata and status, as fabric8's diff does
   * (and kube-apiserver), compared field by field instead of diffed.
   */
  @Override
  public void touchGeneration(JsonNode current, JsonNode updated) {
    Set<String> fields = new LinkedHashSet<>();
    current.fieldNames().forEachRemaining(fields::add);
    updated.fieldNames().forEachRemaining(fields::add);
    fields.remove("metadata");
    fields.remove("status");
    for (String field : fields) {
      if (!Objects.equals(current.get(field), updated.get(field))) {
        ((ObjectNode) updated.get("metadata"))
            .put("generation", current.path("metadata").path("generation").asInt(0) + 1);
        return;
      }
    }
  }

  @Override
  public Map.Entry<AttributeSet, String> findResource(AttributeSet query) {
    Lookup lookup = Lookup.of(query);
    if (lookup == null) {
      fullScans.incrementAndGet();
      return super.findResource(query);
    }
    lock.readLock().lock();
    try {
      for (AttributeSet key : matching(lookup, query)) {
        String value = map.get(key);
        if (value != null) {
          return new AbstractMap.SimpleImmutableEntry<>(key, value);
        }
      }
      return null;
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public MockResponse handleGet(String path) {
    if (isWatch(path)) {
      return handleWatch(path);
    }
    AttributeSet query = extractor.fromPath(path);
    Lookup lookup = Lookup.of(query);
    if (lookup == null) {
      fullScans.incrementAndGet();
      return super.handleGet(path);
    }
    List<String> items = new ArrayList<>();
    String version;
    lock.readLock().lock();
    try {
      for (AttributeSet key : matching(lookup, query)) {
        String value = map.get(key);
        if (value != null) {
          items.add(value);
        }
      }
      version = String.valueOf(latestVersion.get());
    } finally {
      lock.readLock().unlock();
    }
    return answer(query, items, version);
  }

  @Override
  public MockResponse handleDelete(String path) {
    AttributeSet query = extractor.fromPath(path);
    Lookup lookup = Lookup.of(query);
    if (lookup == null) {
      fullScans.incrementAndGet();
      return super.handleDelete(path);
    }
    List<String> items = new ArrayList<>();
    lock.writeLock().lock();
    try {
      for (AttributeSet key : matching(lookup, query)) {
        String value = map.get(key);
        if (value != null) {
          items.add(value);
          delete(path, query, key, value);
        }
      }
      return answer(query, items, String.valueOf(latestVersion.get()));
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public MockResponse handleWatch(String path) {
    AttributeSet query = extractor.fromPath(path);
    WatchStream stream = new WatchStream(query, Lookup.of(query), sinceVersion(path));
    return new MockResponse().withWebSocketUpgrade(stream);
  }

  @Override
  public void processEvent(
      String path,
      AttributeSet pathAttributes,
      AttributeSet oldAttributes,
      GenericKubernetesResource resource,
      String newState) {
    lock.writeLock().lock();
    try {
      String existing = oldAttributes == null ? null : map.get(oldAttributes);
      AttributeSet newKey = null;
      if (newState != null) {
        // The key fabric8 stores the new state under, computed as it does (before a stored CRD
        // changes how keys are made).
        newKey = resource != null ? extractor.extract(resource) : extractor.fromResource(newState);
        if (!newKey.containsKey(PLURAL)) {
          newKey = AttributeSet.merge(pathAttributes, newKey);
        }
      }
      super.processEvent(path, pathAttributes, oldAttributes, resource, newState);
      if (oldAttributes != null) {
        unindex(oldAttributes);
      }
      if (newKey != null) {
        if (!map.containsKey(newKey)) {
          throw new IllegalStateException("the store did not keep " + path + " under its key");
        }
        index(newKey, resourceVersionOf(resource, newState));
      }
      if (!Objects.equals(existing, newState)) {
        fanOut(oldAttributes, existing, newKey, newState);
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public void reset() {
    lock.writeLock().lock();
    try {
      super.reset();
      index.clear();
      unplaced.clear();
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** As fabric8 deletes: at once without finalizers, else marked with a deletionTimestamp once. */
  private void delete(String path, AttributeSet query, AttributeSet key, String value) {
    JsonNode object = parse(value);
    JsonNode metadata = object == null ? null : object.get("metadata");
    JsonNode finalizers = metadata == null ? null : metadata.get("finalizers");
    if (finalizers == null || !finalizers.isArray() || finalizers.isEmpty()) {
      processEvent(path, query, key, null, null);
      return;
    }
    JsonNode deletionTimestamp = metadata.get("deletionTimestamp");
    if (deletionTimestamp != null && !deletionTimestamp.isNull()) {
      return; // already marked; the last finalizer's removal deletes it
    }
    ObjectNode marked = ((ObjectNode) metadata);
    marked.put("deletionTimestamp", Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString());
    marked.put("resourceVersion", String.valueOf(requestResourceVersion()));
    processEvent(path, query, key, null, object.toString());
  }

  /** A single object (by the path's name) or a list, as fabric8's store answers. */
  private MockResponse answer(AttributeSet query, List<String> items, String version) {
    MockResponse response = new MockResponse();
    if (query.containsKey(NAME)) {
      if (items.isEmpty()) {
        return response.setResponseCode(404);
      }
      return response.setResponseCode(200).setBody(items.get(0));
    }
    return response.setResponseCode(200).setBody(lists.compose(items, version));
  }

  /** The stored keys in the lookup's slice of the index that match the query. Under a lock. */
  private List<AttributeSet> matching(Lookup lookup, AttributeSet query) {
    List<AttributeSet> matches = new ArrayList<>();
    Consumer<AttributeSet> consider =
        key -> {
          comparisons.incrementAndGet();
          if (key.matches(query)) {
            matches.add(key);
          }
        };
    forEachCandidate(lookup, indexed -> consider.accept(indexed.key()));
    unplaced.forEach(consider);
    return matches;
  }

  private void forEachCandidate(Lookup lookup, Consumer<Indexed> action) {
    Map<String, Map<String, Indexed>> byNamespace = index.get(lookup.type());
    if (byNamespace == null) {
      return;
    }
    if (lookup.namespace() != null) {
      forEachIn(byNamespace.get(lookup.namespace()), lookup.name(), action);
    } else {
      byNamespace.values().forEach(byName -> forEachIn(byName, lookup.name(), action));
    }
  }

  private static void forEachIn(
      Map<String, Indexed> byName, String name, Consumer<Indexed> action) {
    if (byName == null) {
      return;
    }
    if (name == null) {
      byName.values().forEach(action);
    } else {
      Indexed one = byName.get(name);
      if (one != null) {
        action.accept(one);
      }
    }
  }

  private void index(AttributeSet key, long resourceVersion) {
    Place place = Place.of(key);
    if (place == null) {
      unplaced.add(key);
      return;
    }
    Indexed displaced =
        index
            .computeIfAbsent(place.type(), t -> new TreeMap<>())
            .computeIfAbsent(place.namespace(), n -> new TreeMap<>())
            .put(place.name(), new Indexed(key, resourceVersion));
    if (displaced != null && !displaced.key().equals(key) && map.containsKey(displaced.key())) {
      unplaced.add(displaced.key()); // two stored objects at one place: keep finding both
    }
  }

  private void unindex(AttributeSet key) {
    if (unplaced.remove(key)) {
      return;
    }
    Place place = Place.of(key);
    if (place == null) {
      return;
    }
    Map<String, Map<String, Indexed>> byNamespace = index.get(place.type());
    Map<String, Indexed> byName = byNamespace == null ? null : byNamespace.get(place.namespace());
    if (byName == null) {
      return;
    }
    Indexed current = byName.get(place.name());
    if (current != null && current.key().equals(key)) {
      byName.remove(place.name());
      if (byName.isEmpty()) {
        byNamespace.remove(place.namespace());
      }
    }
  }

  /** Sends the change to the watchers of its type whose query it matches, before or after. */
  private void fanOut(AttributeSet oldKey, String oldState, AttributeSet newKey, String newState) {
    Place place = Place.of(newKey != null ? newKey : oldKey);
    List<WatchStream> watchers = new ArrayList<>(watchesOfAnything);
    if (place != null) {
      watchers.addAll(watchesByType.getOrDefault(place.type(), Set.of()));
    }
    for (WatchStream watcher : watchers) {
      boolean matchesOld = oldKey != null && oldKey.matches(watcher.query);
      boolean matchesNew = newKey != null && newKey.matches(watcher.query);
      if (matchesOld && matchesNew) {
        watcher.send("MODIFIED", newState);
      } else if (matchesOld) {
        watcher.send("DELETED", oldState);
      } else if (matchesNew) {
        watcher.send("ADDED", newState);
      }
    }
  }

  /**
   * Registers the watch and sends what it should see of the present state, atomically with respect
   * to writes (their events go out under the write lock).
   */
  private void open(WatchStream stream) {
    lock.readLock().lock();
    try {
      List<AttributeSet> present = new ArrayList<>();
      if (stream.lookup == null) {
        fullScans.incrementAndGet();
        map.keySet().stream().filter(key -> key.matches(stream.query)).forEach(present::add);
      } else {
        forEachCandidate(
            stream.lookup,
            indexed -> {
              comparisons.incrementAndGet();
              if (indexed.resourceVersion() > stream.since && indexed.key().matches(stream.query)) {
                present.add(indexed.key());
              }
            });
        unplaced.stream().filter(key -> key.matches(stream.query)).forEach(present::add);
      }
      for (AttributeSet key : present) {
        String value = map.get(key);
        if (value != null) {
          stream.send("ADDED", value);
        }
      }
      if (stream.lookup == null) {
        watchesOfAnything.add(stream);
      } else {
        watchesByType
            .computeIfAbsent(stream.lookup.type(), t -> new CopyOnWriteArraySet<>())
            .add(stream);
      }
    } finally {
      lock.readLock().unlock();
    }
  }

  private void close(WatchStream stream) {
    watchesOfAnything.remove(stream);
    if (stream.lookup != null) {
      Set<WatchStream> ofType = watchesByType.get(stream.lookup.type());
      if (ofType != null) {
        ofType.remove(stream);
      }
    }
  }

  private static boolean isWatch(String path) {
    String watch = queryParameter(path, "watch");
    return "true".equals(watch) || "1".equals(watch);
  }

  /** The watch's resourceVersion; -1 (send everything) when absent, empty or "0". */
  private static long sinceVersion(String path) {
    String version = queryParameter(path, "resourceVersion");
    if (version == null || version.isEmpty()) {
      return -1;
    }
    try {
      long since = Long.parseLong(version);
      return since == 0 ? -1 : since;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static String queryParameter(String path, String name) {
    int q = path.indexOf('?');
    if (q < 0) {
      return null;
    }
    for (String pair : path.substring(q + 1).split("&")) {
      int eq = pair.indexOf('=');
      String key = eq < 0 ? pair : pair.substring(0, eq);
      if (key.equals(name)) {
        return eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  private static long resourceVersionOf(GenericKubernetesResource resource, String json) {
    String version;
    if (resource != null && resource.getMetadata() != null) {
      version = String.valueOf(resource.getMetadata().getResourceVersion());
    } else {
      JsonNode object = parse(json);
      version = object == null ? "" : object.at("/metadata/resourceVersion").asText("");
    }
    try {
      return Long.parseLong(version);
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE; // unknown: always sent to a watch that starts from a version
    }
  }

  private static JsonNode parse(String json) {
    try {
      return json == null ? null : JSON.readTree(json);
    } catch (IOException e) {
      return null;
    }
  }

  /** A resource type as the store's keys name it: API group ("" for core), version, plural. */
  record TypeKey(String api, String version, String plural) {}

  /** A stored key and the resourceVersion of the state stored under it. */
  private record Indexed(AttributeSet key, long resourceVersion) {}

  /** Where a stored key sits in the index. */
  private record Place(TypeKey type, String namespace, String name) {
    static Place of(AttributeSet key) {
      String version = value(key, VERSION);
      String plural = value(key, PLURAL);
      String name = value(key, NAME);
      if (version == null || plural == null || name == null) {
        return null;
      }
      String api = value(key, API);
      String namespace = value(key, NAMESPACE);
      return new Place(
          new TypeKey(api == null ? "" : api, version, plural),
          namespace == null ? CLUSTER_SCOPED : namespace,
          name);
    }
  }

  /**
   * The slice of the index a request's attributes can match: its type, and its namespace and name
   * when the path or an equality field selector names them. Null when the request names no type
   * (then only a scan is faithful).
   */
  private record Lookup(TypeKey type, String namespace, String name) {
    static Lookup of(AttributeSet query) {
      String version = value(query, VERSION);
      String plural = value(query, PLURAL);
      if (version == null || plural == null) {
        return null;
      }
      String api = value(query, API);
      String namespace = value(query, NAMESPACE);
      if (namespace == null) {
        namespace = value(query, "metadata.namespace");
      }
      String name = value(query, NAME);
      if (name == null) {
        name = value(query, "metadata.name");
      }
      return new Lookup(new TypeKey(api == null ? "" : api, version, plural), namespace, name);
    }
  }

  /** The attribute's single value when it must equal it, else null. */
  private static String value(AttributeSet set, String key) {
    Attribute attribute = set.getAttribute(key);
    if (attribute == null
        || attribute.getType() != AttributeType.WITH
        || attribute.getValues().size() != 1) {
      return null;
    }
    return attribute.getValues().get(0).toString();
  }

  /**
   * One watch over a WebSocket. Events are sent from its own thread, in order, so that a slow
   * client never holds up the server's event loop.
   */
  private final class WatchStream extends WebSocketListener {
    private final AttributeSet query;
    private final Lookup lookup;
    private final long since;
    private final ExecutorService sender =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread thread = new Thread(r, "embedded-api-server-watch");
              thread.setDaemon(true);
              return thread;
            });
    private volatile WebSocket socket;

    WatchStream(AttributeSet query, Lookup lookup, long since) {
      this.query = query;
      this.lookup = lookup;
      this.since = since;
    }

    void send(String type, String object) {
      String event = "{\"type\":\"" + type + "\",\"object\":" + object + "}";
      try {
        sender.execute(
            () -> {
              if (socket != null) {
                socket.send(event);
              }
            });
      } catch (RejectedExecutionException e) {
        // closed meanwhile
      }
    }

    @Override
    public void onOpen(WebSocket webSocket, Response response) {
      socket = webSocket;
      open(this);
    }

    @Override
    public void onClosing(WebSocket webSocket, int code, String reason) {
      webSocket.close(code, reason);
      stop();
    }

    @Override
    public void onClosed(WebSocket webSocket, int code, String reason) {
      stop();
    }

    @Override
    public void onFailure(WebSocket webSocket, Throwable error, Response response) {
      webSocket.close(1000, String.valueOf(error.getMessage()));
      stop();
    }

    private void stop() {
      close(this);
      sender.shutdown();
    }
  }
}
