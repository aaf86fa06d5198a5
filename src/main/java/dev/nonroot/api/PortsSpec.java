package dev.nonroot.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Map;
import java.util.Objects;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class PortsSpec {
  @JsonPropertyDescription(
      "Auto moves a low port up only where the container's env, args or command show its listen setting (rewritten with it) and keeps the others with net.ipv4.ip_unprivileged_port_start; Remap moves every low port up; Sysctl lowers net.ipv4.ip_unprivileged_port_start; Keep leaves ports alone.")
  @SchemaFrom(type = PortStrategy.class)
  @Default("Auto")
  private String strategy;

  @JsonPropertyDescription(
      "Auto and Remap: a port p below 1024 becomes p + offset (80 -> 8080 with the default 8000).")
  @Min(1024)
  @Max(64511)
  @Default("8000")
  private Integer offset;

  @JsonPropertyDescription(
      "Auto and Remap: explicit moves that win over the offset, e.g. {\"53\": 5353}. Keys are ports 1-1023, values 1024-65535.")
  @ValidationRule(
      value =
          "self.all(k, k.matches('^[0-9]{1,4}$') && int(k) >= 1 && int(k) <= 1023 && self[k] >= 1024 && self[k] <= 65535)",
      message = "map keys must be ports 1-1023 and values ports 1024-65535")
  @Size(max = 1023)
  private Map<String, @Min(1024) @Max(65535) Integer> map;

  @JsonPropertyDescription(
      "Auto and Remap: also move the targetPort of Services that select the workload's pods.")
  @Default("true")
  private Boolean updateServices;

  @JsonPropertyDescription(
      "Auto and Remap: also move numeric httpGet, tcpSocket and grpc probe ports.")
  @Default("true")
  private Boolean updateProbes;

  public String getStrategy() {
    return strategy;
  }

  public void setStrategy(String strategy) {
    this.strategy = strategy;
  }

  public Integer getOffset() {
    return offset;
  }

  public void setOffset(Integer offset) {
    this.offset = offset;
  }

  public Map<String, Integer> getMap() {
    return map;
  }

  public void setMap(Map<String, Integer> map) {
    this.map = map;
  }

  public Boolean getUpdateServices() {
    return updateServices;
  }

  public void setUpdateServices(Boolean updateServices) {
    this.updateServices = updateServices;
  }

  public Boolean getUpdateProbes() {
    return updateProbes;
  }

  public void setUpdateProbes(Boolean updateProbes) {
    this.updateProbes = updateProbes;
  }

  // Value equality: NonRootPolicySpec's (and so the policy status's) is built on it.
  @Override
  public boolean equals(Object other) {
    return other instanceof PortsSpec o
        && Objects.equals(strategy, o.strategy)
        && Objects.equals(offset, o.offset)
        && Objects.equals(map, o.map)
        && Objects.equals(updateServices, o.updateServices)
        && Objects.equals(updateProbes, o.updateProbes);
  }

  @Override
  public int hashCode() {
    return Objects.hash(strategy, offset, map, updateServices, updateProbes);
  }
}
