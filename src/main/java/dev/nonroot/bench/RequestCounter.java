package dev.nonroot.bench;

import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Sees every request of the operator's client (retries included): writes by what they touch,
 * single-object GETs (anything but a list or a watch), when each policy status write was sent, and
 * when each accepted Deployment patch was answered.
 */
final class RequestCounter implements Interceptor {
  /** What a write touches. */
  enum Target {
    DEPLOYMENT,
    SERVICE,
    POLICY_STATUS,
    EVENT,
    OTHER
  }

  private final LongSupplier nanos;
  private final Map<Target, AtomicLong> writes = new EnumMap<>(Target.class);
  private final AtomicLong singleGets = new AtomicLong();
  private final Map<String, ConcurrentLinkedQueue<Long>> statusWrites = new ConcurrentHashMap<>();
  private final Map<String, Long> patchAccepted = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> refused = new ConcurrentHashMap<>();

  RequestCounter(LongSupplier nanos) {
    this.nanos = nanos;
    for (Target t : Target.values()) writes.put(t, new AtomicLong());
  }

  @Override
  public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
    ApiPath path = ApiPath.parse(request.uri().getPath());
    if (request.method().equals("GET")) {
      String query = request.uri().getQuery();
      boolean watch = query != null && query.contains("watch=true");
      if (!watch && path.name() != null) singleGets.incrementAndGet();
      return;
    }
    Target target = path.target();
    writes.get(target).incrementAndGet();
    if (target == Target.POLICY_STATUS) {
      statusWrites
          .computeIfAbsent(path.name(), k -> new ConcurrentLinkedQueue<>())
          .add(nanos.getAsLong());
    }
  }

  @Override
  public void after(
      HttpRequest request,
      HttpResponse<?> response,
      AsyncBody.Consumer<List<ByteBuffer>> consumer) {
    if (request.method().equals("GET")) return;
    ApiPath path = ApiPath.parse(request.uri().getPath());
    if (response.code() / 100 != 2) {
      refused
          .computeIfAbsent(path.target() + " " + response.code(), k -> new AtomicLong())
          .incrementAndGet();
      return;
    }
    if (!request.method().equals("PATCH")) return;
    if (path.target() == Target.DEPLOYMENT && path.name() != null) {
      patchAccepted.putIfAbsent(path.namespace() + "/" + path.name(), nanos.getAsLong());
    }
  }

  /** Writes so far, by target. */
  Map<Target, Long> writes() {
    Map<Target, Long> out = new EnumMap<>(Target.class);
    writes.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  long writes(Target target) {
    return writes.get(target).get();
  }

  long totalWrites() {
    return writes.values().stream().mapToLong(AtomicLong::get).sum();
  }

  /** Writes the server refused, by target and status code ("DEPLOYMENT 409"). */
  Map<String, Long> refused() {
    Map<String, Long> out = new TreeMap<>();
    refused.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  long singleGets() {
    return singleGets.get();
  }

  /** Send times of every status write so far, by policy name. */
  Map<String, long[]> statusWriteTimes() {
    Map<String, long[]> out = new ConcurrentHashMap<>();
    statusWrites.forEach(
        (policy, times) ->
            out.put(policy, new ArrayList<>(times).stream().mapToLong(Long::longValue).toArray()));
    return out;
  }

  /** When the last accepted Deployment patch so far was answered, or 0. */
  long lastPatchAccepted() {
    return patchAccepted.values().stream().mapToLong(Long::longValue).max().orElse(0);
  }

  /** When the first accepted patch of {@code namespace/name} was answered, or null. */
  Long patchAccepted(String namespaceAndName) {
    return patchAccepted.get(namespaceAndName);
  }

  /**
   * A request path split into what the counter needs. Cluster-scoped or namespaced, core or group:
   * {@code /api/v1/namespaces/NS/services/NAME}, {@code
   * /apis/nonroot.dev/v1/nonrootpolicies/NAME/status}.
   */
  record ApiPath(String namespace, String resource, String name, String subresource) {
    static ApiPath parse(String path) {
      String[] parts = path.replaceFirst("^/", "").split("/");
      int i = parts.length > 0 && parts[0].equals("api") ? 2 : 3;
      String namespace = null;
      if (parts.length > i + 1 && parts[i].equals("namespaces") && parts.length > i + 2) {
        namespace = parts[i + 1];
        i += 2;
      }
      String resource = parts.length > i ? parts[i] : null;
      String name = parts.length > i + 1 ? parts[i + 1] : null;
      String sub = parts.length > i + 2 ? parts[i + 2] : null;
      return new ApiPath(namespace, resource, name, sub);
    }

    Target target() {
      if (resource == null) return Target.OTHER;
      return switch (resource) {
        case "deployments" -> Target.DEPLOYMENT;
        case "services" -> Target.SERVICE;
        case "events" -> Target.EVENT;
        case "nonrootpolicies" ->
            "status".equals(subresource) ? Target.POLICY_STATUS : Target.OTHER;
        default -> Target.OTHER;
      };
    }
  }
}
