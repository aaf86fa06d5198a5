package dev.nonroot.kubesim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.ByteString;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * Faults between the clients and an API server test double (the embedded server's dispatcher, or
 * the fabric8 mock's): a share of the writes answered 500 or 409, and the loss of every watch
 * connection with 410 Gone on the resume. For tests and the soak, no part of the product.
 *
 * <ul>
 *   <li><b>Writes</b> ({@code POST}, {@code PUT}, {@code PATCH}, {@code DELETE}) of the requests
 *       {@code subject} selects: a fraction answered {@code 500}, half of them without touching the
 *       store and half after the store applied the write (an etcd timeout can come either side of
 *       the commit: the client cannot tell whether it was written), and a fraction answered {@code
 *       409} after the store <em>really</em> changed, as when another writer came first: a patch or
 *       an update first bumps an annotation ({@value #BUMP_ANNOTATION}) of its object, so a cache
 *       sees a newer version; a create is applied and answered {@code 409 AlreadyExists}. A canned
 *       409 with nothing changed would stall a client that waits for a newer version, which no real
 *       server does.
 *   <li><b>Reproducible</b>: whether the n-th such write to a path fails, and how, depends only on
 *       the seed, the path and n, not on how the client's threads interleave.
 *   <li><b>Watch lag</b>: {@link #delayWatchEvents} holds every watch event back for a while (in
 *       order), as a loaded API server or network does: a client's cache then lags behind its own
 *       writes.
 *   <li><b>Watches</b>: {@link #loseWatches()} closes every open watch and answers watch requests
 *       {@code 500} until {@link #restoreWatches()}; from then on a watch that resumes from a
 *       resourceVersion older than the restore gets {@code 410 Gone} (the server forgot that
 *       history) as kube-apiserver sends it, an ERROR event on the accepted watch, so its client
 *       must list again; a watch from a newer version (after that list) is served.
 * </ul>
 */
public final class FaultInjectingDispatcher extends Dispatcher {
  /** The annotation an injected conflict changes on the object before answering 409. */
  public static final String BUMP_ANNOTATION = "faults.nonroot.dev/bumped";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String MARKER_NAMESPACE = "default";

  /** What was injected so far, and how many of the selected writes the store accepted. */
  public record Counts(
      long writes,
      long serverErrors,
      long appliedThenFailed,
      long conflicts,
      long accepted,
      long watchesLost,
      long watchesRefused,
      long watchesGone) {
    public long faults() {
      return serverErrors + conflicts;
    }
  }

  private final long seed;
  private final Predicate<RecordedRequest> subject;
  private volatile Dispatcher delegate;
  private volatile double serverErrors;
  private volatile double conflicts;

  private final Map<String, AtomicLong> writesByPath = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> acceptedByPath = new ConcurrentHashMap<>();
  private final Map<String, List<Integer>> answersByPath = new ConcurrentHashMap<>();
  private final AtomicLong writes = new AtomicLong();
  private final AtomicLong injectedErrors = new AtomicLong();
  private final AtomicLong appliedThenFailed = new AtomicLong();
  private final AtomicLong injectedConflicts = new AtomicLong();
  private final AtomicLong accepted = new AtomicLong();
  private final AtomicLong bumps = new AtomicLong();
  private final AtomicLong restores = new AtomicLong();

  private final Set<TrackedWatch> watches = ConcurrentHashMap.newKeySet();
  private final AtomicLong watchesLost = new AtomicLong();
  private final AtomicLong watchesRefused = new AtomicLong();
  private final AtomicLong watchesGone = new AtomicLong();
  private volatile boolean watchesDown;

  private volatile Duration watchLag = Duration.ZERO;

  /** Sends delayed watch events, in the order they were sent (one thread, same delay for all). */
  private final ScheduledExecutorService lagging =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "fault-injection-watch-lag");
            t.setDaemon(true);
            return t;
          });

  /** Watches resuming from a resourceVersion below this are answered 410 (0: none). */
  private volatile long forgottenBefore;

  /**
   * @param seed decides, with a write's path and its number, whether it fails
   * @param subject the requests whose writes may fail (say, the operator's own)
   */
  public FaultInjectingDispatcher(long seed, Predicate<RecordedRequest> subject) {
    this.seed = seed;
    this.subject = Objects.requireNonNull(subject, "subject");
  }

  /**
   * Wraps {@code server}'s dispatcher, once: e.g. {@code EmbeddedApiServer.start(0,
   * faults::around)}.
   */
  public synchronized Dispatcher around(Dispatcher server) {
    if (delegate != null) throw new IllegalStateException("already wraps a dispatcher");
    delegate = Objects.requireNonNull(server, "server");
    return this;
  }

  /**
   * From now on, this fraction of the selected writes is answered 500 and this fraction 409 (0 and
   * 0: none; the two together at most 1).
   */
  public void failWrites(double serverErrorShare, double conflictShare) {
    if (serverErrorShare < 0 || conflictShare < 0 || serverErrorShare + conflictShare > 1) {
      throw new IllegalArgumentException(
          "fault shares must be between 0 and 1: " + serverErrorShare + ", " + conflictShare);
    }
    this.serverErrors = serverErrorShare;
    this.conflicts = conflictShare;
  }

  /**
   * Every event of a watch opened from now on reaches its client {@code lag} late (zero: at once);
   * one watch keeps one lag, so its events stay in order.
   */
  public void delayWatchEvents(Duration lag) {
    if (lag.isNegative()) throw new IllegalArgumentException("a lag cannot be negative: " + lag);
    watchLag = lag;
  }

  /** Closes every open watch; watch requests are refused (500) until {@link #restoreWatches()}. */
  public int loseWatches() {
    watchesDown = true;
    int closed = 0;
    for (TrackedWatch w : List.copyOf(watches)) {
      if (w.drop()) closed++;
    }
    watchesLost.addAndGet(closed);
    return closed;
  }

  /**
   * Serves watches again, except resumes from before now: those get 410 Gone, and their clients
   * must list again.
   */
  public void restoreWatches() {
    forgottenBefore = marker();
    watchesDown = false;
  }

  public Counts counts() {
    return new Counts(
        writes.get(),
        injectedErrors.get(),
        appliedThenFailed.get(),
        injectedConflicts.get(),
        accepted.get(),
        watchesLost.get(),
        watchesRefused.get(),
        watchesGone.get());
  }

  /**
   * Selected writes to {@code path} (no query) that the store applied, whatever the answer said
   * (those answered 500 after they were applied included).
   */
  public long acceptedWritesTo(String path) {
    AtomicLong n = acceptedByPath.get(path);
    return n == null ? 0 : n.get();
  }

  /**
   * The HTTP codes the selected writes to {@code path} (no query) were answered with, in order:
   * injected faults and the store's own refusals (a stale resourceVersion's 409) alike.
   */
  public List<Integer> answersTo(String path) {
    return List.copyOf(answersByPath.getOrDefault(path, List.of()));
  }

  /** Every path with its count of accepted selected writes. */
  public Map<String, Long> acceptedWrites() {
    Map<String, Long> out = new ConcurrentHashMap<>();
    acceptedByPath.forEach((path, n) -> out.put(path, n.get()));
    return out;
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    Dispatcher server = delegate;
    if (server == null) throw new IllegalStateException("wraps no dispatcher yet");
    String rawPath = request.getPath();
    int q = rawPath.indexOf('?');
    String path = q < 0 ? rawPath : rawPath.substring(0, q);
    String query = q < 0 ? "" : rawPath.substring(q + 1);
    HttpMethod method = request.method();
    if (method == HttpMethod.GET && "true".equals(parameter(query, "watch"))) {
      return watch(server, request, query);
    }
    boolean write =
        method == HttpMethod.POST
            || method == HttpMethod.PUT
            || method == HttpMethod.PATCH
            || method == HttpMethod.DELETE;
    if (!write || !subject.test(request)) return server.dispatch(request);
    MockResponse answer = write(server, request, path, method);
    answersByPath
        .computeIfAbsent(path, p -> new CopyOnWriteArrayList<>())
        .add(answer == null ? 0 : answer.code());
    return answer;
  }

  private MockResponse write(
      Dispatcher server, RecordedRequest request, String path, HttpMethod method) {
    writes.incrementAndGet();
    long n = writesByPath.computeIfAbsent(path, p -> new AtomicLong()).incrementAndGet();
    double draw = new SplittableRandom(mix(seed, path, n)).nextDouble();
    if (draw < serverErrors / 2) {
      injectedErrors.incrementAndGet();
      return timedOut();
    }
    if (draw < serverErrors + conflicts && draw >= serverErrors && method != HttpMethod.DELETE) {
      MockResponse conflict = conflict(server, request, path, method);
      if (conflict != null) {
        injectedConflicts.incrementAndGet();
        return conflict;
      }
    }
    MockResponse response = server.dispatch(request);
    boolean applied = response != null && response.code() >= 200 && response.code() < 300;
    if (applied) {
      accepted.incrementAndGet();
      acceptedByPath.computeIfAbsent(path, p -> new AtomicLong()).incrementAndGet();
      if (draw < serverErrors) {
        // Written, but the answer says otherwise.
        injectedErrors.incrementAndGet();
        appliedThenFailed.incrementAndGet();
        return timedOut();
      }
    }
    return response;
  }

  private static MockResponse timedOut() {
    return JsonResponse.of(
        500,
        ApiStatus.failure(500, "InternalError", "injected fault: etcdserver: request timed out"));
  }

  @Override
  public void shutdown() {
    lagging.shutdownNow();
    Dispatcher server = delegate;
    if (server != null) server.shutdown();
    super.shutdown();
  }

  /**
   * A 409 after a real change: the object's annotation bumped (patch, update), or the object
   * created (create: AlreadyExists). Null when the store refused that change itself (no object to
   * bump): then the request is served as it is.
   */
  private MockResponse conflict(
      Dispatcher server, RecordedRequest request, String path, HttpMethod method) {
    if (method == HttpMethod.POST) {
      MockResponse created = server.dispatch(request);
      if (created == null || created.code() >= 300) return created;
      return JsonResponse.of(
          409,
          ApiStatus.failure(409, "AlreadyExists", "injected fault: the object already exists"));
    }
    String object = path.replaceFirst("/(status|scale)$", "");
    ObjectNode patch = JSON.createObjectNode();
    patch
        .putObject("metadata")
        .putObject("annotations")
        .put(BUMP_ANNOTATION, String.valueOf(bumps.incrementAndGet()));
    MockResponse bumped =
        server.dispatch(
            new RecordedRequest(
                request.getHttpVersion(),
                HttpMethod.PATCH,
                object,
                Headers.builder().add("Content-Type", "application/merge-patch+json").build(),
                new Buffer(patch.toString().getBytes(StandardCharsets.UTF_8))));
    if (bumped == null || bumped.code() >= 300) return null;
    return JsonResponse.of(409, ApiStatus.forCode(409));
  }

  private MockResponse watch(Dispatcher server, RecordedRequest request, String query) {
    if (watchesDown) {
      watchesRefused.incrementAndGet();
      return JsonResponse.of(
          500, ApiStatus.failure(500, "InternalError", "injected fault: watches unavailable"));
    }
    long since = version(parameter(query, "resourceVersion"));
    if (since > 0 && since < forgottenBefore) {
      watchesGone.incrementAndGet();
      // As kube-apiserver answers it: the watch is accepted and its one event is an ERROR whose
      // object is a 410 Status (client-go and fabric8 relist on exactly this).
      ObjectNode event = JSON.createObjectNode().put("type", "ERROR");
      event.set(
          "object",
          ApiStatus.failure(
              410, "Expired", "too old resource version: " + since + " (" + forgottenBefore + ")"));
      return new MockResponse().withWebSocketUpgrade(new ExpiredWatch(event.toString()));
    }
    MockResponse response = server.dispatch(request);
    WebSocketListener listener = response == null ? null : response.getWebSocketListener();
    if (listener != null) response.withWebSocketUpgrade(new TrackedWatch(listener));
    return response;
  }

  /**
   * A write that moves the store's resourceVersion on (a ConfigMap in "default"), so a list made
   * after it reports a version no older than the one returned.
   */
  private long marker() {
    ObjectNode cm = JSON.createObjectNode().put("apiVersion", "v1").put("kind", "ConfigMap");
    cm.putObject("metadata")
        .put("name", "watch-restored-" + restores.incrementAndGet())
        .put("namespace", MARKER_NAMESPACE);
    MockResponse created =
        delegate.dispatch(
            new RecordedRequest(
                "HTTP/1.1",
                HttpMethod.POST,
                "/api/v1/namespaces/" + MARKER_NAMESPACE + "/configmaps",
                Headers.builder().add("Content-Type", "application/json").build(),
                new Buffer(cm.toString().getBytes(StandardCharsets.UTF_8))));
    try {
      JsonNode body =
          created == null || created.getBody() == null
              ? null
              : JSON.readTree(created.getBody().getBytes());
      long v = body == null ? 0 : version(body.at("/metadata/resourceVersion").asText(""));
      if (v <= 0) throw new IllegalStateException("the marker write was not stored: " + body);
      return v;
    } catch (IOException e) {
      throw new IllegalStateException("the marker write's answer cannot be read", e);
    }
  }

  private static long version(String v) {
    if (v == null || v.isEmpty()) return 0;
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static String parameter(String query, String name) {
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      String key = eq < 0 ? pair : pair.substring(0, eq);
      if (key.equals(name)) {
        return eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  private static long mix(long seed, String path, long n) {
    long h = seed * 0x9E3779B97F4A7C15L;
    h ^= path.hashCode() * 0xC2B2AE3D27D4EB4FL;
    return h + n * 0x165667B19E3779F9L;
  }

  /** A watch connection whose events go out the lag set when it opened late. */
  private final class LaggingSocket implements WebSocket {
    private final WebSocket socket;
    private final Duration lag = watchLag;

    LaggingSocket(WebSocket socket) {
      this.socket = socket;
    }

    @Override
    public RecordedRequest request() {
      return socket.request();
    }

    @Override
    public boolean send(String text) {
      if (lag.isZero()) return socket.send(text);
      try {
        lagging.schedule(() -> socket.send(text), lag.toMillis(), TimeUnit.MILLISECONDS);
        return true;
      } catch (RejectedExecutionException e) {
        return false; // shut down
      }
    }

    @Override
    public boolean send(byte[] bytes) {
      return socket.send(bytes);
    }

    @Override
    public boolean close(int code, String reason) {
      return socket.close(code, reason);
    }
  }

  /** A watch whose history is gone: one ERROR event; the client is to close it and list. */
  private static final class ExpiredWatch extends WebSocketListener {
    private final String event;

    ExpiredWatch(String event) {
      this.event = event;
    }

    @Override
    public void onOpen(WebSocket webSocket, Response response) {
      webSocket.send(event);
    }
  }

  /** A watch connection that can be cut from the server side. */
  private final class TrackedWatch extends WebSocketListener {
    private final WebSocketListener store;
    private volatile WebSocket socket;

    TrackedWatch(WebSocketListener store) {
      this.store = store;
    }

    /** Closes the connection; false when it had not opened or is already gone. */
    boolean drop() {
      WebSocket s = socket;
      if (s == null || !watches.remove(this)) return false;
      s.close(1001, "injected fault: watch connection lost");
      // The store stops sending to it even if the close handshake never completes.
      store.onClosed(s, 1001, "injected fault: watch connection lost");
      return true;
    }

    @Override
    public void onBeforeAccept(WebSocket webSocket, Response response) {
      store.onBeforeAccept(webSocket, response);
    }

    @Override
    public void onOpen(WebSocket webSocket, Response response) {
      socket = webSocket;
      watches.add(this);
      store.onOpen(new LaggingSocket(webSocket), response);
    }

    @Override
    public void onMessage(WebSocket webSocket, String text) {
      store.onMessage(webSocket, text);
    }

    @Override
    public void onMessage(WebSocket webSocket, ByteString bytes) {
      store.onMessage(webSocket, bytes);
    }

    @Override
    public void onMessage(WebSocket webSocket, byte[] bytes) {
      store.onMessage(webSocket, bytes);
    }

    @Override
    public void onClosing(WebSocket webSocket, int code, String reason) {
      watches.remove(this);
      store.onClosing(webSocket, code, reason);
    }

    @Override
    public void onClosed(WebSocket webSocket, int code, String reason) {
      watches.remove(this);
      store.onClosed(webSocket, code, reason);
    }

    @Override
    public void onFailure(WebSocket webSocket, Throwable error, Response response) {
      watches.remove(this);
      store.onFailure(webSocket, error, response);
    }
  }
}
