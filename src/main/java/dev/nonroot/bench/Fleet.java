package dev.nonroot.bench;

import dev.nonroot.api.MatchSpec;
import dev.nonroot.api.NonRootPolicy;
import dev.nonroot.api.NonRootPolicySpec;
import dev.nonroot.api.RolloutSpec;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The benchmark's cluster: {@value #NAMESPACES} namespaces, Deployments spread over them round
 * robin, one in four serving port 80 behind a Service (its port and its PORT setting move, and the
 * Service's targetPort with them), and P Enforce policies that split the namespaces between them.
 */
public final class Fleet {
  static final int NAMESPACES = 100;

  private Fleet() {}

  public static String namespace(int i) {
    return "ns-" + (i % NAMESPACES);
  }

  /** Whether workload i serves port 80 behind a Service. */
  public static boolean web(int i) {
    return i % 4 == 1;
  }

  public static int webCount(int n) {
    return (n + 2) / 4;
  }

  /** A Deployment that runs as root with the defaults: every rule has something to fix. */
  public static Deployment nonCompliant(String name, int i) {
    Container main =
        new ContainerBuilder()
            .withName("main")
            .withImage("nginx:1.27")
            // A listen setting that the default port strategy (Auto) moves with the port, so the
            // port-80 apps move and their Services follow.
            .addNewEnv()
            .withName("PORT")
            .withValue(web(i) ? "80" : "8080")
            .endEnv()
            .addNewPort()
            .withContainerPort(web(i) ? 80 : 8080)
            .endPort()
            .build();
    return deployment(name, i, null, main);
  }

  /** A Deployment the default policy has nothing to change on. */
  public static Deployment compliant(String name, int i) {
    PodSecurityContext pod =
        new PodSecurityContextBuilder()
            .withRunAsNonRoot(true)
            .withRunAsUser(1000L)
            .withNewSeccompProfile()
            .withType("RuntimeDefault")
            .endSeccompProfile()
            .build();
    Container main =
        new ContainerBuilder()
            .withName("main")
            .withImage("nginx:1.27")
            .addNewPort()
            .withContainerPort(8080)
            .endPort()
            .withNewSecurityContext()
            .withAllowPrivilegeEscalation(false)
            .withNewCapabilities()
            .withDrop(List.of("ALL"))
            .endCapabilities()
            .endSecurityContext()
            .build();
    return deployment(name, i, pod, main);
  }

  /** The Deployment around one container, labelled and selected by its name. */
  private static Deployment deployment(String name, int i, PodSecurityContext pod, Container main) {
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(namespace(i))
        .endMetadata()
        .withNewSpec()
        .withNewSelector()
        .addToMatchLabels("app", name)
        .endSelector()
        .withNewTemplate()
        .withNewMetadata()
        .addToLabels("app", name)
        .endMetadata()
        .withNewSpec()
        .withSecurityContext(pod)
        .withContainers(main)
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  public static Service service(String name, int i) {
    return new ServiceBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(namespace(i))
        .endMetadata()
        .withNewSpec()
        .addToSelector("app", name)
        .addNewPort()
        .withPort(80)
        .withTargetPort(new IntOrString(80))
        .endPort()
        .endSpec()
        .build();
  }

  /**
   * P Enforce policies: one matching everything when P = 1, else policy k matches the namespaces
   * whose number is k modulo P.
   */
  public static List<NonRootPolicy> policies(int p) {
    List<NonRootPolicy> out = new ArrayList<>();
    for (int k = 0; k < p; k++) {
      NonRootPolicy policy = new NonRootPolicy();
      policy.getMetadata().setName(p == 1 ? "baseline" : "baseline-" + k);
      NonRootPolicySpec spec = new NonRootPolicySpec();
      spec.setMode("Enforce");
      // The budget is off (every remediation rolls out at once), and no controller runs in the
      // bench to finish a rollout: an hour keeps the follower from calling them unobserved.
      RolloutSpec rollout = new RolloutSpec();
      rollout.setMaxConcurrent(0);
      rollout.setTimeout("1h");
      spec.setRollout(rollout);
      if (p > 1) {
        List<String> namespaces = new ArrayList<>();
        for (int ns = k; ns < NAMESPACES; ns += p) namespaces.add(namespace(ns));
        MatchSpec match = new MatchSpec();
        match.setNamespaces(namespaces);
        spec.setMatch(match);
      }
      policy.setSpec(spec);
      out.add(policy);
    }
    return out;
  }

  /** The namespaces, then N non-compliant Deployments and their Services. */
  public static void createNonCompliant(KubernetesClient client, int n, int threads)
      throws Exception {
    List<HasMetadata> namespaces = new ArrayList<>();
    for (int k = 0; k < NAMESPACES; k++) {
      namespaces.add(
          new NamespaceBuilder().withNewMetadata().withName(namespace(k)).endMetadata().build());
    }
    create(client, namespaces, threads);
    List<HasMetadata> objects = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      objects.add(nonCompliant("app-" + i, i));
      if (web(i)) objects.add(service("app-" + i, i));
    }
    create(client, objects, threads);
  }

  public static void createCompliant(KubernetesClient client, int n, int threads) throws Exception {
    List<HasMetadata> objects = new ArrayList<>();
    for (int i = 0; i < n; i++) objects.add(compliant("ok-" + i, i));
    create(client, objects, threads);
  }

  /**
   * Creates the objects on a few threads (the server answers one request at a time anyway); returns
   * them as the server stored them, in the same order (read from the create answers: a read-back
   * could already see a controller's change).
   */
  public static List<HasMetadata> create(
      KubernetesClient client, List<HasMetadata> objects, int threads) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<HasMetadata>> done = new ArrayList<>();
      for (HasMetadata o : objects) done.add(pool.submit(() -> client.resource(o).create()));
      List<HasMetadata> created = new ArrayList<>();
      for (Future<HasMetadata> f : done) created.add(f.get());
      return created;
    } finally {
      pool.shutdownNow();
    }
  }
}
