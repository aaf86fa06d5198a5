package dev.nonroot.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import java.util.Objects;

/** How the operator follows the rollouts its patches start. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RolloutSpec {
  /** A Kubernetes-style duration: a whole number of seconds, minutes or hours. */
  public static final String DURATION = "^[0-9]{1,6}(s|m|h)$";

  @JsonPropertyDescription(
      "How long the pods of a rollout the operator started may take to be ready before the"
          + " remediation is reverted, e.g. 90s, 5m, 1h.")
  @Pattern(DURATION)
  @Default("5m")
  private String timeout;

  @JsonPropertyDescription(
      "How many rollouts of this policy's remediations may run at once; the rest wait, in order,"
          + " as Pending. 0: no limit.")
  @Min(0)
  @Max(10000)
  @Default("5")
  private Integer maxConcurrent;

  public Integer getMaxConcurrent() {
    return maxConcurrent;
  }

  public void setMaxConcurrent(Integer maxConcurrent) {
    this.maxConcurrent = maxConcurrent;
  }

  public String getTimeout() {
    return timeout;
  }

  public void setTimeout(String timeout) {
    this.timeout = timeout;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof RolloutSpec o
        && Objects.equals(timeout, o.timeout)
        && Objects.equals(maxConcurrent, o.maxConcurrent);
  }

  @Override
  public int hashCode() {
    return Objects.hash(timeout, maxConcurrent);
  }
}
