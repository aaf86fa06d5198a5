package dev.nonroot.operator;

import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/** Every request a client sends (retries included), as "METHOD path?query". */
final class RequestLog implements Interceptor {
  record Request(String method, String path, String query) {
    boolean isWrite() {
      return !method.equals("GET");
    }

    boolean isWatch() {
      return query != null && query.contains("watch=true");
    }

    /** A GET of one object (not a list or watch): what "reads from caches only" forbids. */
    boolean isSingleGet() {
      if (!method.equals("GET") || isWatch()) return false;
      String rest =
          path.startsWith("/api/v1")
              ? path.substring("/api/v1".length())
              : path.replaceFirst("^/apis/[^/]+/[^/]+", "");
      String[] segments = rest.replaceFirst("^/", "").split("/");
      return segments.length % 2 == 0;
    }
  }

  private final List<Request> requests = new CopyOnWriteArrayList<>();

  @Override
  public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
    requests.add(new Request(request.method(), request.uri().getPath(), request.uri().getQuery()));
  }

  List<Request> matching(Predicate<Request> p) {
    return requests.stream().filter(p).toList();
  }

  long count(Predicate<Request> p) {
    return requests.stream().filter(p).count();
  }

  /** Writes to one object, e.g. "/apis/apps/v1/namespaces/shop/deployments/web". */
  long writesTo(String objectPath) {
    return count(r -> r.isWrite() && r.path().equals(objectPath));
  }

  long writesUnder(String prefix) {
    return count(r -> r.isWrite() && r.path().startsWith(prefix) && !r.path().contains("/events"));
  }

  void clear() {
    requests.clear();
  }
}
