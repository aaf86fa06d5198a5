package dev.nonroot.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nonroot.api.NonRootPolicyStatus;
import dev.nonroot.bench.Fleet;
import dev.nonroot.bench.RecordAudit;
import dev.nonroot.kubesim.EmbeddedApiServer;
import dev.nonroot.kubesim.FaultInjectingDispatcher;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.slf4j.LoggerFactory;

/**
 * The operator against the embedded API server (indexed store; a watch resumed from a
 * resourceVersion gets only what changed after it, as from a real server) behind a {@link
 * FaultInjectingDispatcher}: the operator's own writes (told apart by its user agent) can be made
 * to fail, and every watch can be lost. The workloads are the bench's fleet: non-compliant
 * Deployments over 100 namespaces, one in four serving port 80 behind a Service whose targetPort
 * moves with it.
 */
abstract class FaultyServerTestBase {
  /** Which writes fail, and how, follows from this seed: a failure is reproducible. */
  static final long SEED = 20261203L;

  static final String POLICY = "baseline";

  FaultInjectingDispatcher faults;
  EmbeddedApiServer server;
  KubernetesClient client;
  OperatorHarness harness;

  /** Each workload and Service as created, by API path. */
  private final Map<String, ObjectNode> created = new ConcurrentHashMap<>();

  /**
   * Each injected fault is logged at WARN, with a stack trace from Java Operator SDK: thousands of
   * them would bury the build's output. Errors still show.
   */
  private static final List<String> NOISY =
      List.of("io.javaoperatorsdk", "dev.nonroot.operator", "io.fabric8.kubernetes.client");

  /** The levels before (null: inherited). */
  private final Map<String, Level> levels = new HashMap<>();

  @BeforeEach
  void startServer() throws Exception {
    for (String name : NOISY) {
      Logger logger = (Logger) LoggerFactory.getLogger(name);
      levels.put(name, logger.getLevel());
      logger.setLevel(Level.ERROR);
    }
    faults =
        new FaultInjectingDispatcher(
            SEED, r -> OperatorHarness.USER_AGENT.equals(r.getHeader("User-Agent")));
    server = EmbeddedApiServer.start(0, faults::around);
    client = server.client();
    harness = new OperatorHarness(client);
  }

  @AfterEach
  void stopServer() {
    try {
      harness.close();
      server.close();
    } finally {
      levels.forEach((name, level) -> ((Logger) LoggerFactory.getLogger(name)).setLevel(level));
    }
  }

  static String deploymentPath(int i) {
    return "/apis/apps/v1/namespaces/" + Fleet.namespace(i) + "/deployments/app-" + i;
  }

  static String servicePath(int i) {
    return "/api/v1/namespaces/" + Fleet.namespace(i) + "/services/app-" + i;
  }

  /** Creates app-{@code from} to app-{@code to - 1} (and their Services), remembered as stored. */
  void createFleet(int from, int to) throws Exception {
    createFleet(from, to, UnaryOperator.identity());
  }

  void createFleet(int from, int to, UnaryOperator<HasMetadata> edit) throws Exception {
    List<HasMetadata> objects = new ArrayList<>();
    for (int i = from; i < to; i++) {
      objects.add(edit.apply(Fleet.nonCompliant("app-" + i, i)));
      if (Fleet.web(i)) objects.add(Fleet.service("app-" + i, i));
    }
    for (HasMetadata o : Fleet.create(client, objects, 4)) {
      created.put(pathOf(o), ObjectTrees.of(o));
    }
  }

  /** Deletes app-{@code i} and its Service. */
  void delete(int i) {
    client.apps().deployments().inNamespace(Fleet.namespace(i)).withName("app-" + i).delete();
    created.remove(deploymentPath(i));
    if (Fleet.web(i)) {
      client.services().inNamespace(Fleet.namespace(i)).withName("app-" + i).delete();
      created.remove(servicePath(i));
    }
  }

  HasMetadata deployment(int i) {
    return client.apps().deployments().inNamespace(Fleet.namespace(i)).withName("app-" + i).get();
  }

  /** How many Deployments the store has taken a write of the operator for. */
  long patchedWorkloads() {
    return faults.acceptedWrites().keySet().stream()
        .filter(p -> p.contains("/deployments/"))
        .count();
  }

  /**
   * The policy's status once every one of {@code workloads} is matched, compliant and remediated,
   * nothing failed or waits, and it stayed so for two seconds.
   */
  NonRootPolicyStatus converged(int workloads, Duration within) {
    await()
        .atMost(within)
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> Counters.of(harness.policy(POLICY).getStatus()),
            c -> c.equals(new Counters(workloads, workloads, workloads, 0, 0)));
    return harness.settledStatus(
        POLICY,
        s ->
            s.getMatched() == workloads
                && s.getCompliant() == workloads
                && s.getRemediated() == workloads);
  }

  /** The counters a timeout shows (the status itself prints as an object id). */
  record Counters(
      Integer matched, Integer compliant, Integer remediated, Integer failed, Integer pending) {
    static Counters of(NonRootPolicyStatus s) {
      return s == null
          ? new Counters(null, null, null, null, null)
          : new Counters(
              s.getMatched(), s.getCompliant(), s.getRemediated(), s.getFailed(), s.getPending());
    }
  }

  /**
   * No change without its record, no record twice, for every workload and Service created (and not
   * deleted): see {@link RecordAudit}; each was fixed once. The status is built from the caches:
   * its list of changes may trail the records by a watch event (a lag), so that part may take a few
   * seconds to agree; the rest holds at once and for good.
   */
  void assertEveryChangeRecordedOnce() {
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofSeconds(1))
        .untilAsserted(
            () -> {
              Map<String, ObjectNode> stored = new HashMap<>();
              client.apps().deployments().inAnyNamespace().list().getItems().stream()
                  .forEach(d -> stored.put(pathOf(d), ObjectTrees.of(d)));
              client.services().inAnyNamespace().list().getItems().stream()
                  .forEach(v -> stored.put(pathOf(v), ObjectTrees.of(v)));
              Map<String, RecordAudit.Expected> expected = new HashMap<>();
              created.forEach(
                  (path, tree) -> expected.put(path, RecordAudit.Expected.created(tree)));
              RecordAudit.Findings found =
                  RecordAudit.check(
                      stored,
                      expected,
                      faults::acceptedWritesTo,
                      harness.policy(POLICY).getStatus());
              assertThat(found.violations()).as("violations of the first promise").isEmpty();
              assertThat(found.objects()).isEqualTo(created.size());
            });
  }

  /** The API path of a stored Deployment or Service. */
  private static String pathOf(HasMetadata o) {
    boolean deployment = o instanceof Deployment;
    return (deployment ? "/apis/apps/v1" : "/api/v1")
        + "/namespaces/"
        + o.getMetadata().getNamespace()
        + (deployment ? "/deployments/" : "/services/")
        + o.getMetadata().getName();
  }
}
