package dev.nonroot;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package list reads like the data flow, and the bytecode proves it (fully qualified names,
 * subpackages and cycles included):
 *
 * <pre>
 * api → engine.model → engine.policy → engine.plan → engine.record → engine.rules
 *     → engine.rollout (following and reverting what a patch started)
 *     → engine (Governor) → engine.status → operator, cli
 * manifest (YAML text I/O): nothing of ours
 * kubesim (the embedded API server): api only; used by demo, bench and tests, never by the product
 * </pre>
 */
class ArchitectureTest {
  /** What ships in the image: everything but the test double, the demo and the benchmarks. */
  private static final String[] PRODUCT = {
    "dev.nonroot.api..",
    "dev.nonroot.engine..",
    "dev.nonroot.manifest..",
    "dev.nonroot.operator..",
    "dev.nonroot.cli.."
  };

  private static JavaClasses product;

  @BeforeAll
  static void importMainClasses() {
    product =
        new ClassFileImporter()
            // Test classes (any build directory) are not the product.
            .withImportOption(location -> !location.contains("/test-classes/"))
            .importPackages("dev.nonroot");
  }

  @Test
  void noPackageCycles() {
    slices().matching("dev.nonroot.(**)").should().beFreeOfCycles().check(product);
  }

  @Test
  void dependenciesFollowTheDataFlow() {
    layeredArchitecture()
        .consideringOnlyDependenciesInLayers()
        .layer("api")
        .definedBy("dev.nonroot.api")
        .layer("model")
        .definedBy("dev.nonroot.engine.model")
        .layer("policy")
        .definedBy("dev.nonroot.engine.policy")
        .layer("plan")
        .definedBy("dev.nonroot.engine.plan")
        .layer("record")
        .definedBy("dev.nonroot.engine.record")
        .layer("rules")
        .definedBy("dev.nonroot.engine.rules")
        .layer("rollout")
        .definedBy("dev.nonroot.engine.rollout")
        .layer("decision")
        .definedBy("dev.nonroot.engine")
        .layer("status")
        .definedBy("dev.nonroot.engine.status")
        .layer("manifest")
        .definedBy("dev.nonroot.manifest..")
        .layer("operator")
        .definedBy("dev.nonroot.operator..")
        .layer("cli")
        .definedBy("dev.nonroot.cli..")
        .layer("kubesim")
        .definedBy("dev.nonroot.kubesim..")
        .layer("demo")
        .definedBy("dev.nonroot.demo..")
        .layer("bench")
        .definedBy("dev.nonroot.bench..")
        .whereLayer("api")
        .mayNotAccessAnyLayer()
        .whereLayer("model")
        .mayOnlyAccessLayers("api")
        .whereLayer("policy")
        .mayOnlyAccessLayers("api", "model")
        .whereLayer("plan")
        .mayOnlyAccessLayers("api", "model")
        .whereLayer("record")
        .mayOnlyAccessLayers("api", "model", "plan")
        .whereLayer("rules")
        .mayOnlyAccessLayers("api", "model", "policy", "plan", "record")
        .whereLayer("rollout")
        .mayOnlyAccessLayers("api", "model", "plan", "record")
        .whereLayer("decision")
        .mayOnlyAccessLayers("api", "model", "policy", "plan", "record", "rules", "rollout")
        .whereLayer("status")
        .mayOnlyAccessLayers(
            "api", "model", "policy", "plan", "record", "rules", "rollout", "decision")
        .whereLayer("manifest")
        .mayNotAccessAnyLayer()
        .whereLayer("operator")
        .mayOnlyAccessLayers(
            "api", "model", "policy", "plan", "record", "rules", "rollout", "decision", "status")
        .whereLayer("cli")
        .mayOnlyAccessLayers(
            "api",
            "model",
            "policy",
            "plan",
            "record",
            "rules",
            "rollout",
            "decision",
            "status",
            "manifest",
            "operator")
        .whereLayer("kubesim")
        .mayOnlyAccessLayers("api")
        .whereLayer("demo")
        .mayOnlyAccessLayers(
            "api",
            "model",
            "policy",
            "plan",
            "record",
            "rules",
            "rollout",
            "decision",
            "status",
            "cli",
            "operator",
            "kubesim")
        .check(product);
  }

  @Test
  void theEngineAndTheYamlLayerNeverTalkToACluster() {
    noClasses()
        .that()
        // api is exempt only because a CRD model class must extend the client's CustomResource.
        .resideInAnyPackage("dev.nonroot.engine..", "dev.nonroot.manifest..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.fabric8.kubernetes.client..", "io.javaoperatorsdk..", "io.fabric8.mockwebserver..")
        .check(product);
  }

  @Test
  void theProductPathNeverUsesTheTestDouble() {
    noClasses()
        .that()
        .resideInAnyPackage(PRODUCT)
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.nonroot.kubesim..",
            "dev.nonroot.demo..",
            "dev.nonroot.bench..",
            "io.fabric8.mockwebserver..",
            "io.fabric8.kubernetes.client.server.mock..")
        .check(product);
  }

  /**
   * Issue 11: no shelling out. The product (not bench, which starts the API server in a JVM of its
   * own) never starts a process, so nothing it reads can become a command.
   */
  @Test
  void theProductNeverStartsAProcess() {
    noClasses()
        .that()
        .resideInAnyPackage(PRODUCT)
        .should()
        .dependOnClassesThat()
        .belongToAnyOf(ProcessBuilder.class)
        .orShould()
        .callMethodWhere(
            DescribedPredicate.describe(
                "Runtime.exec",
                (JavaMethodCall call) ->
                    call.getTargetOwner().isEquivalentTo(Runtime.class)
                        && call.getName().equals("exec")))
        .check(product);
  }
}
