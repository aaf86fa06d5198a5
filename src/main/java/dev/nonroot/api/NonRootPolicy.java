package dev.nonroot.api;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn.Type;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/** Cluster-scoped policy: which workloads lose root, and how. */
@Group(NonRootPolicy.GROUP)
@Version(NonRootPolicy.VERSION)
@Plural("nonrootpolicies")
@Singular("nonrootpolicy")
@ShortNames("nrp")
@AdditionalPrinterColumn(name = "Mode", jsonPath = ".spec.mode", type = Type.STRING)
@AdditionalPrinterColumn(name = "Matched", jsonPath = ".status.matched", type = Type.INTEGER)
@AdditionalPrinterColumn(name = "Compliant", jsonPath = ".status.compliant", type = Type.INTEGER)
@AdditionalPrinterColumn(name = "Remediated", jsonPath = ".status.remediated", type = Type.INTEGER)
@AdditionalPrinterColumn(name = "Violations", jsonPath = ".status.violations", type = Type.INTEGER)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = Type.DATE)
@AdditionalPrinterColumn(
    name = "NeedsRoot",
    jsonPath = ".status.needsRoot",
    type = Type.INTEGER,
    priority = 1)
@AdditionalPrinterColumn(
    name = "Exempt",
    jsonPath = ".status.exempt",
    type = Type.INTEGER,
    priority = 1)
// With Overridden, the wide columns add up: matched = compliant + violations + exempt + overridden.
@AdditionalPrinterColumn(
    name = "Overridden",
    jsonPath = ".status.overridden",
    type = Type.INTEGER,
    priority = 1)
@AdditionalPrinterColumn(
    name = "Failed",
    jsonPath = ".status.failed",
    type = Type.INTEGER,
    priority = 1)
@AdditionalPrinterColumn(
    name = "Pending",
    jsonPath = ".status.pending",
    type = Type.INTEGER,
    priority = 1)
@AdditionalPrinterColumn(
    name = "RollingOut",
    jsonPath = ".status.rollingOut",
    type = Type.INTEGER,
    priority = 1)
@AdditionalPrinterColumn(
    name = "Verified",
    jsonPath = ".status.verified",
    type = Type.INTEGER,
    priority = 1)
@AdditionalPrinterColumn(
    name = "Reverted",
    jsonPath = ".status.reverted",
    type = Type.INTEGER,
    priority = 1)
@AdditionalPrinterColumn(
    name = "Ready",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
    type = Type.STRING,
    priority = 1)
@AdditionalPrinterColumn(
    name = "Reason",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].reason",
    type = Type.STRING,
    priority = 1)
public class NonRootPolicy extends CustomResource<NonRootPolicySpec, NonRootPolicyStatus> {
  public static final String GROUP = "nonroot.dev";
  public static final String VERSION = "v1alpha1";

  /**
   * Set this ObjectReader attribute to {@code true} to bind the spec strictly (a mistake throws
   * with its path) instead of tolerantly (a mistake makes the spec invalid).
   */
  public static final String STRICT_READING = "nonroot.dev/strict-reading";

  /** Read tolerantly: a bad value makes the spec invalid instead of stopping an informer. */
  @Override
  @JsonDeserialize(using = TolerantReader.Spec.class)
  public void setSpec(NonRootPolicySpec spec) {
    super.setSpec(spec);
  }

  /** Read tolerantly: a bad value is dropped (the operator rewrites the status anyway). */
  @Override
  @JsonDeserialize(using = TolerantReader.Status.class)
  public void setStatus(NonRootPolicyStatus status) {
    super.setStatus(status);
  }

  @Override
  protected NonRootPolicySpec initSpec() {
    return new NonRootPolicySpec();
  }
}
