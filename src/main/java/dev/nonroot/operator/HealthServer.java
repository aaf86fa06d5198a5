package dev.nonroot.operator;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * /healthz (liveness), /readyz (caches synced, controllers running) and /metrics over plain HTTP.
 * With leader election both probes name the role ("ok: leader", "ok: standby"): a standby is live
 * and ready, it only waits for the Lease.
 */
public final class HealthServer implements AutoCloseable {
  private final HttpServer server;

  private HealthServer(HttpServer server) {
    this.server = server;
  }

  public static HealthServer start(
      int port,
      BooleanSupplier live,
      BooleanSupplier ready,
      Supplier<String> role,
      Supplier<String> metrics)
      throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
    server.createContext("/healthz", ex -> probe(ex, live.getAsBoolean(), role.get(), "stopped"));
    server.createContext("/readyz", ex -> probe(ex, ready.getAsBoolean(), role.get(), "starting"));
    server.createContext("/metrics", ex -> respond(ex, 200, metrics.get()));
    server.start();
    return new HealthServer(server);
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private static void probe(HttpExchange ex, boolean ok, String role, String notOk)
      throws IOException {
    String body = ok ? (role.isEmpty() ? "ok" : "ok: " + role) : notOk;
    respond(ex, ok ? 200 : 503, body + "\n");
  }

  private static void respond(HttpExchange ex, int code, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    ex.sendResponseHeaders(code, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
