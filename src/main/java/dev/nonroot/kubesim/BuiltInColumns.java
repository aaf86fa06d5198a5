package dev.nonroot.kubesim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The columns a real API server prints for the built-in kinds the demo serves (the same headers and
 * priorities as kube-apiserver's printers, with simplified cell logic where no controller runs
 * here).
 */
final class BuiltInColumns {
  private BuiltInColumns() {}

  private static final String NAME_DOC =
      "Name must be unique within a namespace. Cannot be updated.";
  private static final String AGE_DOC =
      "CreationTimestamp is a timestamp representing the server time when this object was created.";

  static TableColumn name() {
    return new TableColumn(
        "Name",
        "string",
        "name",
        NAME_DOC,
        0,
        (o, clock) -> text(o.path("metadata").path("name").asText("")));
  }

  static TableColumn age() {
    return TableColumn.of(
        "Age",
        "string",
        0,
        AGE_DOC,
        (o, clock) ->
            text(
                HumanDuration.since(
                    o.path("metadata").path("creationTimestamp").asText(null), clock)));
  }

  /** Name and Age only: what the server prints for kinds without a dedicated printer. */
  static List<TableColumn> nameAndAge() {
    return List.of(name(), age());
  }

  static List<TableColumn> deployments() {
    return List.of(
        name(),
        TableColumn.of(
            "Ready",
            "string",
            0,
            "Number of the pod with ready state",
            (o, c) -> text(o.at("/status/readyReplicas").asLong(0) + "/" + desiredReplicas(o))),
        TableColumn.of(
            "Up-to-date",
            "integer",
            0,
            "Total number of non-terminated pods targeted by this deployment that have the desired template spec.",
            (o, c) -> number(o.at("/status/updatedReplicas").asLong(0))),
        TableColumn.of(
            "Available",
            "integer",
            0,
            "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.",
            (o, c) -> number(o.at("/status/availableReplicas").asLong(0))),
        age(),
        containers(1),
        images(1),
        selector(1, "/spec/selector"));
  }

  static List<TableColumn> statefulSets() {
    return List.of(
        name(),
        TableColumn.of(
            "Ready",
            "string",
            0,
            "Number of the pod with ready state",
            (o, c) -> text(o.at("/status/readyReplicas").asLong(0) + "/" + desiredReplicas(o))),
        age(),
        containers(1),
        images(1));
  }

  static List<TableColumn> daemonSets() {
    return List.of(
        name(),
        integer(
            "Desired",
            "The desired number of nodes that should be running the daemon pod.",
            "/status/desiredNumberScheduled"),
        integer(
            "Current",
            "The number of nodes that are running at least 1 daemon pod.",
            "/status/currentNumberScheduled"),
        integer(
            "Ready",
            "The number of nodes that should be running the daemon pod and have one or more of it ready.",
            "/status/numberReady"),
        integer(
            "Up-to-date",
            "The total number of nodes that are running updated daemon pod.",
            "/status/updatedNumberScheduled"),
        integer(
            "Available",
            "The number of nodes that should be running the daemon pod and have one or more of it running and available.",
            "/status/numberAvailable"),
        TableColumn.of(
            "Node Selector",
            "string",
            0,
            "NodeSelector is a selector which must be true for the pod to fit on a node.",
            (o, c) -> text(orNone(labels(o.at("/spec/template/spec/nodeSelector"))))),
        age(),
        containers(1),
        images(1),
        selector(1, "/spec/selector"));
  }

  static List<TableColumn> replicaSets() {
    return List.of(
        name(),
        TableColumn.of(
            "Desired",
            "integer",
            0,
            "Number of desired pods.",
            (o, c) -> number(desiredReplicas(o))),
        integer("Current", "Number of actual replicas.", "/status/replicas"),
        integer(
            "Ready", "The number of ready replicas for this replica set.", "/status/readyReplicas"),
        age(),
        containers(1),
        images(1),
        selector(1, "/spec/selector"));
  }

  static List<TableColumn> jobs() {
    return List.of(
        name(),
        TableColumn.of("Status", "string", 0, "Status of the job.", (o, c) -> text(jobStatus(o))),
        TableColumn.of(
            "Completions",
            "string",
            0,
            "The completed job pods out of the desired ones.",
            (o, c) -> text(jobCompletions(o))),
        TableColumn.of(
            "Duration",
            "string",
            0,
            "Time required to complete the job.",
            (o, c) -> text(jobDuration(o, c.instant()))),
        age(),
        TableColumn.of(
            "Containers",
            "string",
            1,
            "Names of each container in the template.",
            (o, c) -> text(orNone(join(o.at("/spec/template/spec/containers"), "name")))),
        TableColumn.of(
            "Images",
            "string",
            1,
            "Images referenced by each container in the template.",
            (o, c) -> text(orNone(join(o.at("/spec/template/spec/containers"), "image")))),
        selector(1, "/spec/selector"));
  }

  static List<TableColumn> cronJobs() {
    return List.of(
        name(),
        TableColumn.of(
            "Schedule",
            "string",
            0,
            "The schedule in Cron format.",
            (o, c) -> text(o.at("/spec/schedule").asText(""))),
        TableColumn.of(
            "Timezone",
            "string",
            0,
            "The time zone of the schedule.",
            (o, c) -> text(orNone(o.at("/spec/timeZone").asText("")))),
        TableColumn.of(
            "Suspend",
            "boolean",
            0,
            "Whether subsequent executions are suspended.",
            (o, c) -> BooleanNode.valueOf(o.at("/spec/suspend").asBoolean(false))),
        TableColumn.of(
            "Active",
            "integer",
            0,
            "Number of currently running jobs.",
            (o, c) -> number(o.at("/status/active").size())),
        TableColumn.of(
            "Last Schedule",
            "string",
            0,
            "When the job was last successfully scheduled.",
            (o, c) ->
                text(
                    o.at("/status/lastScheduleTime").isTextual()
                        ? HumanDuration.since(o.at("/status/lastScheduleTime").asText(), c)
                        : "<none>")),
        age(),
        TableColumn.of(
            "Containers",
            "string",
            1,
            "Names of each container in the template.",
            (o, c) ->
                text(
                    orNone(join(o.at("/spec/jobTemplate/spec/template/spec/containers"), "name")))),
        TableColumn.of(
            "Images",
            "string",
            1,
            "Images referenced by each container in the template.",
            (o, c) ->
                text(
                    orNone(
                        join(o.at("/spec/jobTemplate/spec/template/spec/containers"), "image")))),
        selector(1, "/spec/jobTemplate/spec/selector"));
  }

  static List<TableColumn> pods() {
    return List.of(
        name(),
        TableColumn.of(
            "Ready",
            "string",
            0,
            "The aggregate readiness state of this pod for accepting traffic.",
            (o, c) -> text(readyContainers(o) + "/" + o.at("/spec/containers").size())),
        TableColumn.of(
            "Status",
            "string",
            0,
            "The aggregate status of the containers in this pod.",
            (o, c) -> text(podStatus(o))),
        TableColumn.of(
            "Restarts",
            "string",
            0,
            "The number of times the containers in this pod have been restarted.",
            (o, c) -> text(String.valueOf(restarts(o)))),
        age(),
        TableColumn.of(
            "IP",
            "string",
            1,
            "IP address allocated to the pod.",
            (o, c) -> text(orNone(o.at("/status/podIP").asText("")))),
        TableColumn.of(
            "Node",
            "string",
            1,
            "Name of the node this pod is assigned to.",
            (o, c) -> text(orNone(o.at("/spec/nodeName").asText("")))),
        TableColumn.of(
            "Nominated Node",
            "string",
            1,
            "Name of the node the pod is nominated to.",
            (o, c) -> text(orNone(o.at("/status/nominatedNodeName").asText("")))),
        TableColumn.of(
            "Readiness Gates",
            "string",
            1,
            "Pod readiness gates.",
            (o, c) ->
                text(
                    o.at("/spec/readinessGates").size() == 0
                        ? "<none>"
                        : "0/" + o.at("/spec/readinessGates").size())));
  }

  static List<TableColumn> services() {
    return List.of(
        name(),
        TableColumn.of(
            "Type", "string", 0, "The type of the service.", (o, c) -> text(serviceType(o))),
        TableColumn.of(
            "Cluster-IP",
            "string",
            0,
            "The cluster IP of the service.",
            (o, c) -> text(orNone(o.at("/spec/clusterIP").asText("")))),
        TableColumn.of(
            "External-IP",
            "string",
            0,
            "The external IP of the service.",
            (o, c) -> text(externalIp(o))),
        TableColumn.of(
            "Port(s)", "string", 0, "The ports of the service.", (o, c) -> text(servicePorts(o))),
        age(),
        TableColumn.of(
            "Selector",
            "string",
            1,
            "The selector of the service.",
            (o, c) -> text(orNone(labels(o.at("/spec/selector"))))));
  }

  static List<TableColumn> namespaces() {
    return List.of(
        name(),
        TableColumn.of(
            "Status",
            "string",
            0,
            "The status of the namespace.",
            (o, c) -> text(o.at("/status/phase").asText("Active"))),
        age());
  }

  static List<TableColumn> nodes() {
    return List.of(
        name(),
        TableColumn.of(
            "Status", "string", 0, "The status of the node.", (o, c) -> text(nodeStatus(o))),
        TableColumn.of(
            "Roles", "string", 0, "The roles of the node.", (o, c) -> text(nodeRoles(o))),
        age(),
        TableColumn.of(
            "Version",
            "string",
            0,
            "Kubelet version reported by the node.",
            (o, c) -> text(o.at("/status/nodeInfo/kubeletVersion").asText(""))));
  }

  static List<TableColumn> configMaps() {
    return List.of(
        name(),
        TableColumn.of(
            "Data",
            "integer",
            0,
            "The number of keys in the config map.",
            (o, c) -> number(o.path("data").size() + o.path("binaryData").size())),
        age());
  }

  static List<TableColumn> serviceAccounts() {
    return List.of(
        name(),
        TableColumn.of(
            "Secrets",
            "integer",
            0,
            "The number of secrets the service account references.",
            (o, c) -> number(o.path("secrets").size())),
        age());
  }

  static List<TableColumn> leases() {
    return List.of(
        name(),
        TableColumn.of(
            "Holder",
            "string",
            0,
            "The identity of the holder of the current lease.",
            (o, c) -> text(o.at("/spec/holderIdentity").asText(""))),
        age());
  }

  static List<TableColumn> customResourceDefinitions() {
    return List.of(
        name(),
        TableColumn.of(
            "Created At",
            "date",
            0,
            AGE_DOC,
            (o, c) -> text(o.at("/metadata/creationTimestamp").asText(""))));
  }

  /** Works for core/v1 and events.k8s.io/v1 Events, whose field names differ. */
  static List<TableColumn> events() {
    return List.of(
        TableColumn.of(
            "Last Seen",
            "string",
            0,
            "Time the event was last observed.",
            (o, c) -> text(lastSeen(o, c))),
        TableColumn.of(
            "Type",
            "string",
            0,
            "Type of this event (Normal, Warning).",
            (o, c) -> text(o.path("type").asText(""))),
        TableColumn.of(
            "Reason",
            "string",
            0,
            "Why the action was taken.",
            (o, c) -> text(o.path("reason").asText(""))),
        TableColumn.of(
            "Object",
            "string",
            0,
            "The object this event is about.",
            (o, c) -> text(eventObject(o))),
        TableColumn.of(
            "Subobject",
            "string",
            1,
            "The field of the object this event is about.",
            (o, c) -> text(involved(o).path("fieldPath").asText(""))),
        TableColumn.of(
            "Source",
            "string",
            1,
            "The component reporting this event.",
            (o, c) ->
                text(
                    firstText(
                        o, "/source/component", "/reportingController", "/reportingComponent"))),
        TableColumn.of(
            "Message",
            "string",
            0,
            "A human-readable description of the status of this operation.",
            (o, c) -> text(firstText(o, "/message", "/note"))),
        TableColumn.of(
            "First Seen",
            "string",
            1,
            "Time the event was first observed.",
            (o, c) ->
                text(
                    ageOf(
                        firstText(
                            o,
                            "/firstTimestamp",
                            "/deprecatedFirstTimestamp",
                            "/eventTime",
                            "/metadata/creationTimestamp"),
                        c))),
        TableColumn.of(
            "Count",
            "string",
            1,
            "The number of times this event has occurred.",
            (o, c) -> text(String.valueOf(eventCount(o)))),
        new TableColumn(
            "Name",
            "string",
            "name",
            NAME_DOC,
            1,
            (o, c) -> text(o.path("metadata").path("name").asText(""))));
  }

  // --- cells ---------------------------------------------------------------------------------

  private static TableColumn integer(String name, String description, String pointer) {
    return TableColumn.of(
        name, "integer", 0, description, (o, c) -> number(o.at(pointer).asLong(0)));
  }

  private static TableColumn containers(int priority) {
    return TableColumn.of(
        "Containers",
        "string",
        priority,
        "Names of each container in the template.",
        (o, c) -> text(orNone(join(o.at("/spec/template/spec/containers"), "name"))));
  }

  private static TableColumn images(int priority) {
    return TableColumn.of(
        "Images",
        "string",
        priority,
        "Images referenced by each container in the template.",
        (o, c) -> text(orNone(join(o.at("/spec/template/spec/containers"), "image"))));
  }

  private static TableColumn selector(int priority, String pointer) {
    return TableColumn.of(
        "Selector",
        "string",
        priority,
        "The label selector.",
        (o, c) -> text(orNone(labelSelector(o.at(pointer)))));
  }

  private static long desiredReplicas(JsonNode o) {
    JsonNode replicas = o.at("/spec/replicas");
    return replicas.isNumber()
        ? replicas.asLong()
        : 1; // the API server defaults spec.replicas to 1
  }

  private static String join(JsonNode list, String field) {
    StringJoiner joiner = new StringJoiner(",");
    list.forEach(item -> joiner.add(item.path(field).asText("")));
    return joiner.toString();
  }

  private static String labels(JsonNode map) {
    StringJoiner joiner = new StringJoiner(",");
    for (Map.Entry<String, JsonNode> e : map.properties()) {
      joiner.add(e.getKey() + "=" + e.getValue().asText(""));
    }
    return joiner.toString();
  }

  /** "app=web,tier in (a,b)": a LabelSelector the way kubectl prints it. */
  static String labelSelector(JsonNode selector) {
    List<String> parts = new ArrayList<>();
    String matchLabels = labels(selector.path("matchLabels"));
    if (!matchLabels.isEmpty()) {
      parts.add(matchLabels);
    }
    for (JsonNode expr : selector.path("matchExpressions")) {
      String key = expr.path("key").asText("");
      List<String> values = new ArrayList<>();
      expr.path("values").forEach(v -> values.add(v.asText()));
      switch (expr.path("operator").asText("")) {
        case "In" -> parts.add(key + " in (" + String.join(",", values) + ")");
        case "NotIn" -> parts.add(key + " notin (" + String.join(",", values) + ")");
        case "Exists" -> parts.add(key);
        case "DoesNotExist" -> parts.add("!" + key);
        default -> {}
      }
    }
    return String.join(",", parts);
  }

  private static long readyContainers(JsonNode pod) {
    long ready = 0;
    for (JsonNode status : pod.at("/status/containerStatuses")) {
      if (status.path("ready").asBoolean(false)) {
        ready++;
      }
    }
    return ready;
  }

  private static long restarts(JsonNode pod) {
    long restarts = 0;
    for (JsonNode status : pod.at("/status/containerStatuses")) {
      restarts += status.path("restartCount").asLong(0);
    }
    return restarts;
  }

  private static String podStatus(JsonNode pod) {
    if (pod.at("/metadata/deletionTimestamp").isTextual()) {
      return "Terminating";
    }
    String reason = pod.at("/status/reason").asText("");
    if (reason.isEmpty()) {
      reason = pod.at("/status/phase").asText("Pending");
    }
    for (JsonNode status : pod.at("/status/containerStatuses")) {
      String waiting = status.at("/state/waiting/reason").asText("");
      String terminated = status.at("/state/terminated/reason").asText("");
      if (!waiting.isEmpty()) {
        reason = waiting;
      } else if (!terminated.isEmpty()) {
        reason = terminated;
      }
    }
    return reason;
  }

  private static String serviceType(JsonNode svc) {
    return svc.at("/spec/type").asText("ClusterIP");
  }

  private static String externalIp(JsonNode svc) {
    switch (serviceType(svc)) {
      case "ExternalName":
        return svc.at("/spec/externalName").asText("<none>");
      case "LoadBalancer":
        {
          StringJoiner ips = new StringJoiner(",");
          for (JsonNode ingress : svc.at("/status/loadBalancer/ingress")) {
            ips.add(ingress.path("ip").asText(ingress.path("hostname").asText("")));
          }
          svc.at("/spec/externalIPs").forEach(ip -> ips.add(ip.asText()));
          return ips.length() == 0 ? "<pending>" : ips.toString();
        }
      default:
        {
          StringJoiner ips = new StringJoiner(",");
          svc.at("/spec/externalIPs").forEach(ip -> ips.add(ip.asText()));
          return orNone(ips.toString());
        }
    }
  }

  private static String servicePorts(JsonNode svc) {
    StringJoiner ports = new StringJoiner(",");
    for (JsonNode port : svc.at("/spec/ports")) {
      String protocol = port.path("protocol").asText("TCP");
      String nodePort = port.path("nodePort").asText("");
      ports.add(
          port.path("port").asText("")
              + (nodePort.isEmpty() || "0".equals(nodePort) ? "" : ":" + nodePort)
              + "/"
              + protocol);
    }
    return orNone(ports.toString());
  }

  private static String nodeStatus(JsonNode node) {
    for (JsonNode condition : node.at("/status/conditions")) {
      if ("Ready".equals(condition.path("type").asText())) {
        return switch (condition.path("status").asText()) {
          case "True" -> "Ready";
          case "False" -> "NotReady";
          default -> "Unknown";
        };
      }
    }
    return "Unknown";
  }

  private static String nodeRoles(JsonNode node) {
    StringJoiner roles = new StringJoiner(",");
    node.at("/metadata/labels")
        .fieldNames()
        .forEachRemaining(
            label -> {
              if (label.startsWith("node-role.kubernetes.io/")) {
                roles.add(label.substring("node-role.kubernetes.io/".length()));
              }
            });
    return orNone(roles.toString());
  }

  private static String jobStatus(JsonNode job) {
    for (String type :
        List.of("Complete", "Failed", "Suspended", "FailureTarget", "SuccessCriteriaMet")) {
      for (JsonNode condition : job.at("/status/conditions")) {
        if (type.equals(condition.path("type").asText())
            && "True".equals(condition.path("status").asText())) {
          return type;
        }
      }
    }
    return "Running";
  }

  private static String jobCompletions(JsonNode job) {
    long succeeded = job.at("/status/succeeded").asLong(0);
    JsonNode completions = job.at("/spec/completions");
    if (completions.isNumber()) {
      return succeeded + "/" + completions.asLong();
    }
    long parallelism = job.at("/spec/parallelism").asLong(1);
    return parallelism > 1 ? succeeded + "/1 of " + parallelism : succeeded + "/1";
  }

  private static String jobDuration(JsonNode job, Instant now) {
    String start = job.at("/status/startTime").asText("");
    if (start.isEmpty()) {
      return "";
    }
    String end = job.at("/status/completionTime").asText("");
    try {
      Instant to = end.isEmpty() ? now : Instant.parse(end);
      return HumanDuration.of(Duration.between(Instant.parse(start), to));
    } catch (DateTimeParseException e) {
      return "<invalid>";
    }
  }

  private static JsonNode involved(JsonNode event) {
    JsonNode regarding = event.path("regarding");
    return regarding.isObject() ? regarding : event.path("involvedObject");
  }

  private static String eventObject(JsonNode event) {
    JsonNode ref = involved(event);
    return ref.path("kind").asText("").toLowerCase(Locale.ROOT) + "/" + ref.path("name").asText("");
  }

  private static String lastSeen(JsonNode event, Clock clock) {
    return ageOf(
        firstText(
            event,
            "/series/lastObservedTime",
            "/lastTimestamp",
            "/deprecatedLastTimestamp",
            "/eventTime",
            "/metadata/creationTimestamp"),
        clock);
  }

  private static long eventCount(JsonNode event) {
    JsonNode series = event.path("series");
    if (series.isObject()) {
      return series.path("count").asLong(1);
    }
    long count = event.path("count").asLong(event.path("deprecatedCount").asLong(0));
    return count == 0 ? 1 : count;
  }

  private static String ageOf(String timestamp, Clock clock) {
    return timestamp.isEmpty() ? "<unknown>" : HumanDuration.since(timestamp, clock);
  }

  private static String firstText(JsonNode o, String... pointers) {
    for (String pointer : pointers) {
      JsonNode value = o.at(pointer);
      if (value.isValueNode() && !value.isNull() && !value.asText().isEmpty()) {
        return value.asText();
      }
    }
    return "";
  }

  private static String orNone(String s) {
    return s == null || s.isEmpty() ? "<none>" : s;
  }

  private static JsonNode text(String s) {
    return TextNode.valueOf(s);
  }

  private static JsonNode number(long n) {
    return LongNode.valueOf(n);
  }
}
