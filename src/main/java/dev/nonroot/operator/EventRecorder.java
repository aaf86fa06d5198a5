package dev.nonroot.operator;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes Events (core/v1) on workloads, aggregated the way {@code kubectl describe} shows them:
 * a repeat of the same event is counted, not sent as a new object.
 *
 * <ul>
 *   <li>The event's name is {@code <object name>.<16 hex>}, the hex being the first 8 bytes of the
 *       SHA-256 of (involved kind, namespace, name, uid, type, reason, message): the same event on
 *       the same object always has the same name, in every replica and after every restart.
 *   <li>The first occurrence is CREATEd with count 1. A repeat is one JSON Patch (RFC 6902) setting
 *       {@code count} and {@code lastTimestamp}, sent without reading the event first (no GET).
 *   <li>The last known count of each event name is kept in a bounded LRU map ({@value
 *       #MAX_REMEMBERED} names). An unknown name is created; a 409 AlreadyExists on create (the
 *       event was written before a restart, by another replica, or has been evicted from the map)
 *       is answered with a patch to count = (known count or 1) + 1. A 404 on patch (the API server
 *       expired the event, after about an hour) is answered with a new create, count 1.
 *   <li>Approximation: the recorder never reads events, so after a restart (or an eviction from the
 *       map) the count starts again from 2 on the first repeat, even if the stored event said more.
 *       {@code firstTimestamp} is kept, since the patch does not touch it.
 *   <li>Best effort: a failure is logged at WARN with the object's kind/namespace/name and the
 *       event's reason, never thrown. Timestamps come from the given {@link Clock}, in whole
 *       seconds.
 *   <li>Thread-safe: emissions of one event name are serialized (striped locks), so concurrent
 *       repeats of the same event count exactly within one process; other events do not wait for it
 *       except on a stripe collision.
 *   <li>Off the reconcile's path: the operator's recorder sends on a few threads of its own, as
 *       client-go's broadcaster does, so a remediation's patch does not wait for its Event. The
 *       line is bounded; when it is full the caller sends itself (slower, never lost), and {@link
 *       #close} sends what is left before the operator stops.
 * </ul>
 */
final class EventRecorder {
  static final String REMEDIATED = "Remediated";
  static final String FAILED = "RemediationFailed";
  static final String VIOLATION = "PolicyViolation";
  static final String ROLLED_OUT = "RolloutVerified";
  static final String ROLLED_OUT_UNVERIFIED = "RolloutUnverified";
  static final String REVERTED = "RemediationReverted";
  static final String REVERT_FAILED = "RevertFailed";
  static final String RESTORED = "Restored";
  static final String CONFLICT = "RemediationConflict";
  static final String RESTORE_KEPT = "RestoreKeptChanges";
  static final String RESTORE_ROLLED_OUT = "RestoreRolledOut";
  static final String RESTORE_FAILED = "RestoreFailed";
  static final int MAX_REMEMBERED = 10_000;
  static final int MAX_MESSAGE = 1024;

  /**
   * Threads sending queued events. One sent about 50 a second against a busy API server (a round
   * trip each), so the Events of a mass remediation trailed its patches by minutes; a few keep up
   * without taking the patches' share. Repeats of one event still count exactly (striped locks).
   */
  private static final int SENDERS = 4;

  private static final int MAX_NAME = 253;

  /**
   * Locks that keep repeats of one event name in order. Two senders on one stripe wait a round trip
   * for each other: with 64, a mass remediation's Events waited 10 s in all (JFR).
   */
  private static final int STRIPES = 1024;

  private static final Logger LOG = LoggerFactory.getLogger(EventRecorder.class);

  private final KubernetesClient client;
  private final String instance;
  private final Clock clock;
  private final IntConsumer apiErrors;

  /** Event name → last count the API server accepted. Access-ordered (LRU); guarded by itself. */
  private final Map<String, Integer> counts =
      new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
          return size() > MAX_REMEMBERED;
        }
      };

  private static final AtomicInteger THREADS = new AtomicInteger();

  private final Object[] stripes = new Object[STRIPES];
  private final ExecutorService sender;

  /**
   * Sends each event before returning. {@code apiErrors} hears the HTTP code of each refused call
   * (0 or less: no answer).
   */
  EventRecorder(KubernetesClient client, String instance, Clock clock, IntConsumer apiErrors) {
    this(client, instance, clock, apiErrors, null);
  }

  private EventRecorder(
      KubernetesClient client,
      String instance,
      Clock clock,
      IntConsumer apiErrors,
      ExecutorService sender) {
    this.client = client;
    this.instance = instance;
    this.clock = clock;
    this.apiErrors = apiErrors;
    this.sender = sender;
    for (int i = 0; i < STRIPES; i++) stripes[i] = new Object();
  }

  /** A recorder that sends on threads of its own, at most {@code backlog} events behind. */
  static EventRecorder queued(
      KubernetesClient client, String instance, Clock clock, IntConsumer apiErrors, int backlog) {
    ThreadPoolExecutor sender =
        new ThreadPoolExecutor(
            SENDERS,
            SENDERS,
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(backlog),
            r -> {
              Thread t = new Thread(r, "nonroot-events-" + THREADS.incrementAndGet());
              t.setDaemon(true);
              return t;
            },
            (send, pool) -> {
              // Full: the reconcile sends its Event itself. Stopped: said, not silently dropped.
              if (!pool.isShutdown()) send.run();
              else LOG.warn("an event was not sent: the operator is stopping");
            });
    return new EventRecorder(client, instance, clock, apiErrors, sender);
  }

  /**
   * Sends the events still in line, for at most {@code wait}; those left then are logged and
   * dropped. Events are history, not state: a stop must not hang on them.
   */
  void close(Duration wait) {
    if (sender == null) return;
    sender.shutdown();
    try {
      if (!sender.awaitTermination(wait.toMillis(), TimeUnit.MILLISECONDS)) {
        int left = sender.shutdownNow().size();
        LOG.warn("{} events not sent: the operator stopped before they were", left);
      }
    } catch (InterruptedException e) {
      sender.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  void normal(HasMetadata about, String reason, String message) {
    emit(about, "Normal", reason, message);
  }

  void warning(HasMetadata about, String reason, String message) {
    emit(about, "Warning", reason, message);
  }

  private void emit(HasMetadata about, String type, String reason, String message) {
    String where = "?";
    try {
      where = describe(about);
      String namespace = about.getMetadata().getNamespace();
      // Events about cluster-scoped objects live in "default", as kubectl and client-go put them.
      String eventNamespace = namespace == null || namespace.isEmpty() ? "default" : namespace;
      String text = cut(message);
      String name =
          eventName(
              about.getKind(),
              namespace,
              about.getMetadata().getName(),
              about.getMetadata().getUid(),
              type,
              reason,
              text);
      String now = Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
      // Read now: the object may be another version by the time the event is sent.
      ObjectReference involved =
          new ObjectReferenceBuilder()
              .withApiVersion(about.getApiVersion())
              .withKind(about.getKind())
              .withNamespace(about.getMetadata().getNamespace())
              .withName(about.getMetadata().getName())
              .withUid(about.getMetadata().getUid())
              .build();
      String on = where;
      Runnable send =
          () -> {
            try {
              synchronized (stripes[Math.floorMod(name.hashCode(), STRIPES)]) {
                send(involved, eventNamespace, name, type, reason, text, now);
              }
            } catch (RuntimeException e) {
              LOG.warn("could not record event {} on {}: {}", reason, on, failure(e));
            }
          };
      if (sender == null) send.run();
      else sender.execute(send);
    } catch (RuntimeException e) {
      // Events are best effort: losing one must never fail a remediation.
      LOG.warn("could not record event {} on {}: {}", reason, where, failure(e));
    }
  }

  /** At most three calls: create → 409 → patch, or patch → 404 → create → 409 → patch. */
  private void send(
      ObjectReference involved,
      String namespace,
      String name,
      String type,
      String reason,
      String text,
      String now) {
    Integer known = remembered(name);
    Integer next = known == null ? null : known + 1; // null: create
    for (int call = 1; ; call++) {
      try {
        if (next == null) {
          create(involved, namespace, name, type, reason, text, now);
          remember(name, 1);
        } else {
          patch(namespace, name, next, now);
          remember(name, next);
        }
        return;
      } catch (KubernetesClientException e) {
        // Counted even when answered (409 on create, 404 on patch): each is a refused call.
        apiErrors.accept(e.getCode());
        if (call >= 3) throw e;
        if (next == null && e.getCode() == 409) {
          next = (known == null ? 1 : known) + 1;
        } else if (next != null && e.getCode() == 404) {
          forgetName(name);
          known = null;
          next = null;
        } else {
          throw e;
        }
      }
    }
  }

  private void create(
      ObjectReference involved,
      String namespace,
      String name,
      String type,
      String reason,
      String text,
      String now) {
    Event event =
        new EventBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(namespace)
            .endMetadata()
            .withInvolvedObject(involved)
            .withType(type)
            .withReason(reason)
            .withMessage(text)
            .withNewSource()
            .withComponent("nonroot-operator")
            .endSource()
            .withReportingComponent("nonroot.dev/operator")
            .withReportingInstance(instance)
            .withFirstTimestamp(now)
            .withLastTimestamp(now)
            .withCount(1)
            .build();
    client.v1().events().inNamespace(namespace).resource(event).create();
  }

  /**
   * One JSON Patch, no read: {@code resource(stub).patch(...)} sends the body as is, whereas {@code
   * withName(n).patch(...)} would GET the event first. "add" sets a member whether or not it exists
   * (an event written by another component may lack {@code count}).
   */
  private void patch(String namespace, String name, int count, String now) {
    Event stub =
        new EventBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(namespace)
            .endMetadata()
            .build();
    String body =
        "[{\"op\":\"add\",\"path\":\"/count\",\"value\":"
            + count
            + "},"
            + "{\"op\":\"add\",\"path\":\"/lastTimestamp\",\"value\":\""
            + now
            + "\"}]";
    client
        .v1()
        .events()
        .inNamespace(namespace)
        .resource(stub)
        .patch(PatchContext.of(PatchType.JSON), body);
  }

  private Integer remembered(String name) {
    synchronized (counts) {
      return counts.get(name);
    }
  }

  private void remember(String name, int count) {
    synchronized (counts) {
      counts.put(name, count);
    }
  }

  private void forgetName(String name) {
    synchronized (counts) {
      counts.remove(name);
    }
  }

  /**
   * {@code <object name>.<16 hex>}: a valid DNS subdomain of at most 253 characters. The
   * object-name part is lowercased, stripped of characters a subdomain cannot hold, and truncated
   * if needed.
   */
  static String eventName(
      String kind,
      String namespace,
      String name,
      String uid,
      String type,
      String reason,
      String message) {
    String hash = hash(kind, namespace, name, uid, type, reason, message);
    String prefix =
        name == null ? "" : name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.-]", "-");
    int max = MAX_NAME - 1 - hash.length();
    if (prefix.length() > max) prefix = prefix.substring(0, max);
    // Each dot-separated label must start and end with an alphanumeric character.
    StringBuilder labels = new StringBuilder();
    for (String label : prefix.split("\\.")) {
      String l = label.replaceAll("^-+|-+$", "");
      if (l.isEmpty()) continue;
      if (labels.length() > 0) labels.append('.');
      labels.append(l);
    }
    return labels.length() == 0 ? hash : labels + "." + hash;
  }

  /**
   * First 8 bytes of SHA-256 over the fields, each length-prefixed so no two inputs collide by
   * joining.
   */
  private static String hash(String... fields) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (String f : fields) {
        byte[] bytes = (f == null ? "" : f).getBytes(StandardCharsets.UTF_8);
        sha.update((bytes.length + ":").getBytes(StandardCharsets.US_ASCII));
        sha.update(bytes);
      }
      byte[] digest = sha.digest();
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JRE", e);
    }
  }

  private static String cut(String message) {
    if (message == null) return "";
    return message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE - 3) + "..." : message;
  }

  private static String describe(HasMetadata about) {
    return about.getKind()
        + " "
        + about.getMetadata().getNamespace()
        + "/"
        + about.getMetadata().getName();
  }

  /** The failure, without any request body: status code and the first line of the message. */
  private static String failure(RuntimeException e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    int nl = message.indexOf('\n');
    if (nl >= 0) message = message.substring(0, nl);
    if (message.length() > 300) message = message.substring(0, 300) + "...";
    return e instanceof KubernetesClientException k && k.getCode() > 0
        ? k.getCode() + " " + message
        : message;
  }
}
