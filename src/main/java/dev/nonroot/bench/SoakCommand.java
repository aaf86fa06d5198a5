package dev.nonroot.bench;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import dev.nonroot.api.NonRootPolicy;
import dev.nonroot.cli.BadInputException;
import dev.nonroot.cli.Console;
import dev.nonroot.cli.ExitCodes;
import dev.nonroot.cli.LogSetup;
import dev.nonroot.cli.Main;
import dev.nonroot.cli.Subcommand;
import dev.nonroot.kubesim.EmbeddedApiServer;
import dev.nonroot.kubesim.FaultInjectingDispatcher;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Locale;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * Issue 11's soak: the operator against the embedded API server (in this JVM) with faults on its
 * writes and churn, for a while; after every round, every live workload is checked against what its
 * record and the policy status promise ({@link RecordAudit}). Not part of the product: {@code Main}
 * finds it through {@code META-INF/services/dev.nonroot.cli.Subcommand}.
 */
@Command(
    name = "soak",
    mixinStandardHelpOptions = true,
    description = {
      "Soak the operator in faults and churn on an embedded API server.",
      "Rounds of new workloads, deletions and fixes taken back, with a share of the operator's",
      "writes failing; every 4th round loses every watch, every 5th restarts the operator. After",
      "each round: every workload fixed, each change recorded once, the store written once per",
      "fix, the policy status exact. Exit 0: no violation; 1: violations (listed)."
    })
public final class SoakCommand implements Subcommand {
  /** The operator's client says who it is, so the faults pick its requests only. */
  static final String USER_AGENT = "nonroot-operator-soak";

  @ParentCommand private Main main;

  @Option(
      names = "--minutes",
      paramLabel = "M",
      defaultValue = "30",
      description = "how long to run rounds (default: ${DEFAULT-VALUE})")
  private double minutes;

  @Option(
      names = "--workloads",
      paramLabel = "N",
      defaultValue = "300",
      description = "non-compliant Deployments at the start (default: ${DEFAULT-VALUE})")
  private int workloads;

  @Option(
      names = "--seed",
      paramLabel = "S",
      defaultValue = "11",
      description = "which writes fail, and the churn, follow from it (default: ${DEFAULT-VALUE})")
  private long seed;

  @Option(
      names = "--server-errors",
      paramLabel = "SHARE",
      defaultValue = "0.10",
      description =
          "share of the operator's writes answered 500, half of them after the store applied"
              + " the write (default: ${DEFAULT-VALUE})")
  private double serverErrors;

  @Option(
      names = "--conflicts",
      paramLabel = "SHARE",
      defaultValue = "0.05",
      description =
          "share answered 409 after the object really changed (default: ${DEFAULT-VALUE})")
  private double conflicts;

  @Option(
      names = "--watch-lag-seconds",
      paramLabel = "S",
      defaultValue = "2",
      description = "every watch event arrives this late (default: ${DEFAULT-VALUE})")
  private int watchLagSeconds;

  @Option(
      names = "--round-timeout-seconds",
      paramLabel = "S",
      defaultValue = "300",
      description = "how long one round may take to converge (default: ${DEFAULT-VALUE})")
  private int roundTimeoutSeconds;

  @Override
  public Integer call() throws Exception {
    Console console = main.console();
    if (minutes <= 0 || workloads < 1 || watchLagSeconds < 0 || roundTimeoutSeconds < 1) {
      throw new BadInputException(
          "--minutes, --workloads and --round-timeout-seconds must be positive,"
              + " --watch-lag-seconds at least 0");
    }
    if (serverErrors < 0 || conflicts < 0 || serverErrors + conflicts > 1) {
      throw new BadInputException(
          "--server-errors and --conflicts must be shares between 0 and 1 that add up to at most"
              + " 1");
    }
    errorsOnly();
    FaultInjectingDispatcher faults =
        new FaultInjectingDispatcher(seed, r -> USER_AGENT.equals(r.getHeader("User-Agent")));
    try (EmbeddedApiServer server = EmbeddedApiServer.start(0, faults::around)) {
      KubernetesClient admin = server.client();
      installCrd(server);
      for (NonRootPolicy p : Fleet.policies(1)) admin.resource(p).create();
      console.println(
          String.format(
              Locale.ROOT,
              "soak: %.1f min from %d workloads, seed %d; the operator's writes fail: %.0f%% with"
                  + " 500 (half of them after the write), %.0f%% with 409; watch events %d s late",
              minutes,
              workloads,
              seed,
              serverErrors * 100,
              conflicts * 100,
              watchLagSeconds));
      faults.delayWatchEvents(Duration.ofSeconds(watchLagSeconds));
      faults.failWrites(serverErrors, conflicts);
      Soak soak =
          new Soak(
              admin,
              faults,
              SoakCommand::operatorClient,
              new Soak.Plan(
                  workloads,
                  Duration.ofMillis(Math.round(minutes * 60_000)),
                  Duration.ofSeconds(roundTimeoutSeconds),
                  seed,
                  Duration.ofSeconds(watchLagSeconds)),
              console);
      Soak.Result result = soak.run(server.url());
      result.print(console, faults.counts());
      return result.violations().isEmpty() ? ExitCodes.OK : 1;
    }
  }

  /** As {@code run} builds it (the client's own retries included), with the soak's user agent. */
  private static KubernetesClient operatorClient(String url) {
    return new KubernetesClientBuilder()
        .withConfig(
            new ConfigBuilder()
                .withMasterUrl(url)
                .withHttp2Disable(true)
                .withUserAgent(USER_AGENT)
                .build())
        .build();
  }

  /**
   * Every injected fault is a WARN line with a stack trace: errors only, unless {@value
   * LogSetup#LEVEL} says otherwise.
   */
  private static void errorsOnly() {
    if (System.getProperty(LogSetup.LEVEL) != null) return;
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
      context.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(Level.ERROR);
    }
  }

  private static void installCrd(EmbeddedApiServer server) throws IOException {
    try (InputStream in =
        SoakCommand.class.getResourceAsStream(
            "/META-INF/fabric8/nonrootpolicies.nonroot.dev-v1.yml")) {
      if (in == null) throw new IOException("the NonRootPolicy CRD is not on the classpath");
      server.installCrd(
          server
              .client()
              .getKubernetesSerialization()
              .unmarshal(in, CustomResourceDefinition.class));
    }
  }
}
