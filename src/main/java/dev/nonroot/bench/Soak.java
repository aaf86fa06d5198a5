package dev.nonroot.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nonroot.api.NonRootPolicy;
import dev.nonroot.api.NonRootPolicyStatus;
import dev.nonroot.cli.Console;
import dev.nonroot.kubesim.FaultInjectingDispatcher;
import dev.nonroot.operator.NonRootOperator;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.RollableScalableResource;
import io.fabric8.kubernetes.client.dsl.ServiceResource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The soak's rounds. Each round churns the cluster (new workloads, deletions, a fix taken back),
 * every fourth loses every watch while the new workloads are created, every fifth restarts the
 * operator halfway; then it waits for the operator to converge and checks every live workload with
 * {@link RecordAudit}. The churn follows the seed.
 */
final class Soak {
  private static final String POLICY = "baseline";

  /** The fix the churn takes back: the operator must put it back, and record it once more. */
  private static final String DRIFTED = "allowPrivilegeEscalation";

  private static final String DRIFT =
      "[{\"op\":\"remove\",\"path\":\"/spec/template/spec/containers/0/securityContext/"
          + DRIFTED
          + "\"}]";

  private static final int CREATED_PER_ROUND = 20;
  private static final int DELETED_PER_ROUND = 5;
  private static final int DRIFTED_PER_ROUND = 5;
  private static final Duration SETTLED = Duration.ofSeconds(2);

  /**
   * @param watchLag how late watch events arrive: the status's list of changes may trail the
   *     records by that much
   */
  record Plan(
      int workloads, Duration length, Duration roundTimeout, long seed, Duration watchLag) {}

  /** What a run did and found. */
  record Result(
      Duration took,
      int rounds,
      int created,
      int deleted,
      int drifted,
      int live,
      int watchLosses,
      int restarts,
      long objectsChecked,
      long entriesChecked,
      List<String> violations) {
    void print(Console console, FaultInjectingDispatcher.Counts faults) {
      console.println("");
      console.println("summary");
      line(
          console,
          "duration",
          "%d min %02d s, %d rounds",
          took.toMinutes(),
          took.toSecondsPart(),
          rounds);
      line(
          console,
          "workloads",
          "%d created, %d deleted, %d live at the end; %d fixes taken back (drift)",
          created,
          deleted,
          live,
          drifted);
      line(console, "operator writes", "%d (%d applied)", faults.writes(), faults.accepted());
      line(
          console,
          "faults injected",
          "%d: %d answered 500 (%d of them after the write was applied), %d answered 409",
          faults.faults(),
          faults.serverErrors(),
          faults.appliedThenFailed(),
          faults.conflicts());
      line(
          console,
          "watch losses",
          "%d (%d watches closed, %d resumes answered 410 Gone, %d refused while down)",
          watchLosses,
          faults.watchesLost(),
          faults.watchesGone(),
          faults.watchesRefused());
      line(console, "operator restarts", "%d", restarts);
      line(
          console,
          "records checked",
          "%d objects, %d record entries (after every round)",
          objectsChecked,
          entriesChecked);
      line(console, "violations", "%d", violations.size());
      violations.stream().limit(20).forEach(v -> console.println("  " + v));
    }

    private static void line(Console console, String what, String format, Object... args) {
      console.println(String.format(Locale.ROOT, "  %-18s %s", what, String.format(format, args)));
    }
  }

  private final KubernetesClient admin;
  private final FaultInjectingDispatcher faults;
  private final Function<String, KubernetesClient> operatorClient;
  private final Plan plan;
  private final Console console;
  private final SplittableRandom random;

  /** The live objects and what each should show, by API path. */
  private final Map<String, RecordAudit.Expected> expected = new TreeMap<>();

  /** The live workloads' numbers. */
  private final List<Integer> live = new ArrayList<>();

  /** The workloads whose fix was taken back once. */
  private final Set<Integer> drifted = new HashSet<>();

  private int next;
  private KubernetesClient client;
  private NonRootOperator operator;

  Soak(
      KubernetesClient admin,
      FaultInjectingDispatcher faults,
      Function<String, KubernetesClient> operatorClient,
      Plan plan,
      Console console) {
    this.admin = admin;
    this.faults = faults;
    this.operatorClient = operatorClient;
    this.plan = plan;
    this.console = console;
    this.random = new SplittableRandom(plan.seed());
  }

  Result run(String url) throws Exception {
    long started = System.nanoTime();
    long deadline = started + plan.length().toNanos();
    create(plan.workloads());
    start(url);
    int rounds = 0;
    int deleted = 0;
    int drifts = 0;
    int losses = 0;
    int restarts = 0;
    long objects = 0;
    long entries = 0;
    List<String> violations = new ArrayList<>();
    try {
      // Round 0 is the start (the first fleet fixed); then at least one round of churn.
      for (int round = 0; round <= 1 || System.nanoTime() < deadline; round++) {
        rounds = round;
        long began = System.nanoTime();
        boolean loseWatches = round > 0 && round % 4 == 0;
        boolean restart = round > 0 && round % 5 == 0;
        if (round > 0) {
          if (loseWatches) {
            faults.loseWatches();
            losses++;
          }
          create(CREATED_PER_ROUND);
          if (loseWatches) faults.restoreWatches();
          deleted += delete(DELETED_PER_ROUND);
          if (restart) {
            stop();
            start(url);
            restarts++;
          }
          drifts += drift(DRIFTED_PER_ROUND);
        }
        NonRootPolicyStatus status = converged();
        String outcome;
        if (status == null) {
          violations.add("round " + round + ": did not converge within " + plan.roundTimeout());
          outcome = "NOT CONVERGED: " + counters(policyStatus());
        } else {
          RecordAudit.Findings found = audit();
          objects += found.objects();
          entries += found.entries();
          String label = "round " + round + ": ";
          found.violations().forEach(v -> violations.add(label + v));
          outcome =
              String.format(
                  Locale.ROOT,
                  "%d objects, %d entries checked, %d violations",
                  found.objects(),
                  found.entries(),
                  found.violations().size());
        }
        console.println(
            String.format(
                Locale.ROOT,
                "round %3d: %d live%s%s; converged in %.1f s; %s",
                round,
                live.size(),
                round == 0 ? " (the first fleet)" : "",
                (loseWatches ? ", watches lost" : "") + (restart ? ", operator restarted" : ""),
                (System.nanoTime() - began) / 1e9,
                outcome));
        if (status == null) break;
      }
    } finally {
      stop();
    }
    return new Result(
        Duration.ofNanos(System.nanoTime() - started),
        rounds,
        next,
        deleted,
        drifts,
        live.size(),
        losses,
        restarts,
        objects,
        entries,
        violations);
  }

  private void start(String url) {
    client = operatorClient.apply(url);
    operator =
        NonRootOperator.start(
            client,
            NonRootOperator.Settings.defaults()
                .withResyncPeriod(Duration.ofMinutes(10))
                .withPatchesPerSecond(0));
  }

  private void stop() {
    if (operator != null) operator.close();
    if (client != null) client.close();
    operator = null;
    client = null;
  }

  /** Creates {@code n} more of the bench's workloads (one in four with a port-80 Service). */
  private void create(int n) throws Exception {
    List<HasMetadata> objects = new ArrayList<>();
    for (int k = 0; k < n; k++, next++) {
      objects.add(Fleet.nonCompliant("app-" + next, next));
      if (Fleet.web(next)) objects.add(Fleet.service("app-" + next, next));
      live.add(next);
    }
    // As the create answers show them: a read-back could already see the operator's fix.
    for (HasMetadata o : Fleet.create(admin, objects, 4)) {
      expected.put(pathOf(o), RecordAudit.Expected.created(tree(o)));
    }
  }

  private int delete(int n) {
    int done = 0;
    for (int k = 0; k < n && live.size() > 1; k++) {
      int i = live.remove(random.nextInt(live.size()));
      deployments(i).delete();
      expected.remove(deploymentPath(i));
      if (Fleet.web(i)) {
        services(i).delete();
        expected.remove(servicePath(i));
      }
      done++;
    }
    return done;
  }

  /**
   * Takes a fix back on {@code n} workloads fixed in an earlier round, each once: a fix set back
   * again after the operator re-applied it is a fight, which the operator stops (Conflict).
   */
  private int drift(int n) {
    // This round's new ones are not fixed yet: only those from earlier rounds.
    List<Integer> candidates = new ArrayList<>(live.subList(0, live.size() - CREATED_PER_ROUND));
    candidates.removeAll(drifted);
    int done = 0;
    while (done < n && !candidates.isEmpty()) {
      int i = candidates.remove(random.nextInt(candidates.size()));
      deployments(i).patch(PatchContext.of(PatchType.JSON), DRIFT);
      expected.computeIfPresent(deploymentPath(i), (p, e) -> e.drifted(DRIFTED));
      drifted.add(i);
      done++;
    }
    return done;
  }

  /**
   * The audit of every live object. The status is built from the caches, so its list of changes may
   * trail the records by a watch event: found wanting, it is made again a little later (twice at
   * most); what the last one finds counts.
   */
  private RecordAudit.Findings audit() throws InterruptedException {
    RecordAudit.Findings found = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      if (attempt > 0) Thread.sleep(plan.watchLag().plus(SETTLED).toMillis());
      found = RecordAudit.check(stored(), expected, faults::acceptedWritesTo, policyStatus());
      if (found.violations().isEmpty()) break;
    }
    return found;
  }

  /** The status once it shows every live workload fixed and stays so; null after the timeout. */
  private NonRootPolicyStatus converged() throws InterruptedException {
    long deadline = System.nanoTime() + plan.roundTimeout().toNanos();
    NonRootPolicyStatus last = null;
    long since = 0;
    while (System.nanoTime() < deadline) {
      NonRootPolicyStatus s = policyStatus();
      int n = live.size();
      boolean done =
          s != null
              && Objects.equals(s.getMatched(), n)
              && Objects.equals(s.getCompliant(), n)
              && Objects.equals(s.getRemediated(), n)
              && Objects.equals(s.getFailed(), 0)
              && Objects.equals(s.getPending(), 0);
      if (!done) {
        last = null;
      } else if (!s.equals(last)) {
        last = s;
        since = System.nanoTime();
      } else if (System.nanoTime() - since >= SETTLED.toNanos()) {
        return s;
      }
      Thread.sleep(250);
    }
    return null;
  }

  private NonRootPolicyStatus policyStatus() {
    NonRootPolicy p = admin.resources(NonRootPolicy.class).withName(POLICY).get();
    return p == null ? null : p.getStatus();
  }

  private static String counters(NonRootPolicyStatus s) {
    return s == null
        ? "no status"
        : String.format(
            Locale.ROOT,
            "matched %s, compliant %s, remediated %s, failed %s, pending %s",
            s.getMatched(),
            s.getCompliant(),
            s.getRemediated(),
            s.getFailed(),
            s.getPending());
  }

  /** Every Deployment and Service as stored now, by API path. */
  private Map<String, ObjectNode> stored() {
    Map<String, ObjectNode> out = new HashMap<>();
    for (Deployment d : admin.apps().deployments().inAnyNamespace().list().getItems()) {
      out.put(pathOf(d), tree(d));
    }
    for (Service s : admin.services().inAnyNamespace().list().getItems()) {
      out.put(pathOf(s), tree(s));
    }
    return out;
  }

  /** The API path of a Deployment or Service. */
  static String pathOf(HasMetadata o) {
    boolean deployment = o instanceof Deployment;
    return (deployment ? "/apis/apps/v1" : "/api/v1")
        + "/namespaces/"
        + o.getMetadata().getNamespace()
        + (deployment ? "/deployments/" : "/services/")
        + o.getMetadata().getName();
  }

  private ObjectNode tree(HasMetadata o) {
    return admin.getKubernetesSerialization().convertValue(o, ObjectNode.class);
  }

  private RollableScalableResource<Deployment> deployments(int i) {
    return admin.apps().deployments().inNamespace(Fleet.namespace(i)).withName("app-" + i);
  }

  private ServiceResource<Service> services(int i) {
    return admin.services().inNamespace(Fleet.namespace(i)).withName("app-" + i);
  }

  static String deploymentPath(int i) {
    return "/apis/apps/v1/namespaces/" + Fleet.namespace(i) + "/deployments/app-" + i;
  }

  static String servicePath(int i) {
    return "/api/v1/namespaces/" + Fleet.namespace(i) + "/services/app-" + i;
  }
}
