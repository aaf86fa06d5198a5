package dev.nonroot.engine.policy;

import dev.nonroot.api.GitOpsMode;
import dev.nonroot.api.MatchSpec;
import dev.nonroot.api.NeedsRootAction;
import dev.nonroot.api.NonRootPolicy;
import dev.nonroot.api.NonRootPolicySpec;
import dev.nonroot.api.OnDeleteMode;
import dev.nonroot.api.PolicyMode;
import dev.nonroot.api.PortStrategy;
import dev.nonroot.api.PortsSpec;
import dev.nonroot.api.RolloutSpec;
import dev.nonroot.api.RunAsUserFrom;
import dev.nonroot.api.SeccompMode;
import dev.nonroot.api.SecurityContextSpec;
import dev.nonroot.api.SelectorOperator;
import dev.nonroot.api.UnreadableValue;
import dev.nonroot.api.WorkloadKind;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Validates a policy and fills in defaults. The CRD schema says the same things, but the engine
 * cannot assume a real API server checked them (the CLI reads files; a mock server checks nothing).
 */
public final class PolicyResolver {
  public static final List<WorkloadKind> DEFAULT_KINDS = List.copyOf(WorkloadKind.watchedKinds());
  public static final List<String> DEFAULT_EXCLUDED_NAMESPACES =
      List.of("kube-system", "kube-public", "kube-node-lease");
  public static final long DEFAULT_UID = 65532;
  public static final int DEFAULT_OFFSET = 8000;
  public static final Duration DEFAULT_ROLLOUT_TIMEOUT = Duration.ofMinutes(5);

  /** How long a deletion with spec.onDelete: Revert waits for its restores by default. */
  public static final Duration DEFAULT_ON_DELETE_TIMEOUT = Duration.ofMinutes(30);

  public static final int DEFAULT_MAX_CONCURRENT = 5;
  private static final Set<String> SELECTOR_OPERATORS =
      Arrays.stream(SelectorOperator.values()).map(Enum::name).collect(Collectors.toSet());
  private static final Pattern CAPABILITY = Pattern.compile(SecurityContextSpec.CAPABILITY_NAME);

  private PolicyResolver() {}

  /** A policy with every field defaulted, as the CLI uses when no --policy is given. */
  public static EffectivePolicy defaults() {
    // The spec alone: a NonRootPolicy object would start the Kubernetes client's machinery (and
    // its logging), which costs the CLI's scan and fix a good part of a second at start.
    try {
      return resolve("default", new NonRootPolicySpec());
    } catch (InvalidPolicyException e) {
      throw new IllegalStateException(e);
    }
  }

  public static EffectivePolicy resolve(NonRootPolicy policy) throws InvalidPolicyException {
    String name = policy.getMetadata() == null ? null : policy.getMetadata().getName();
    return resolve(
        name == null ? "" : name,
        policy.getSpec() == null ? new NonRootPolicySpec() : policy.getSpec());
  }

  private static EffectivePolicy resolve(String name, NonRootPolicySpec spec)
      throws InvalidPolicyException {
    MatchSpec match = spec.getMatch() == null ? new MatchSpec() : spec.getMatch();
    SecurityContextSpec sc =
        spec.getSecurityContext() == null ? new SecurityContextSpec() : spec.getSecurityContext();
    PortsSpec ports = spec.getPorts() == null ? new PortsSpec() : spec.getPorts();
    List<PolicyError> errors = new ArrayList<>();
    for (UnreadableValue u : spec.getUnreadable()) {
      errors.add(new PolicyError(u.field(), u.message()));
    }

    PolicyMode mode =
        enumValue(PolicyMode.class, spec.getMode(), PolicyMode.Enforce, "spec.mode", errors);
    NeedsRootAction needsRoot =
        enumValue(
            NeedsRootAction.class,
            spec.getNeedsRoot(),
            NeedsRootAction.Report,
            "spec.needsRoot",
            errors);
    GitOpsMode gitops =
        enumValue(GitOpsMode.class, spec.getGitops(), GitOpsMode.Report, "spec.gitops", errors);
    OnDeleteMode onDelete =
        enumValue(
            OnDeleteMode.class, spec.getOnDelete(), OnDeleteMode.Keep, "spec.onDelete", errors);
    int priority = spec.getPriority() == null ? 0 : spec.getPriority();
    if (priority < NonRootPolicySpec.MIN_PRIORITY || priority > NonRootPolicySpec.MAX_PRIORITY) {
      errors.add(
          new PolicyError(
              "spec.priority",
              "must be between "
                  + NonRootPolicySpec.MIN_PRIORITY
                  + " and "
                  + NonRootPolicySpec.MAX_PRIORITY
                  + ", got "
                  + priority));
    }

    Set<WorkloadKind> kinds = EnumSet.noneOf(WorkloadKind.class);
    List<String> kindNames =
        match.getKinds() == null || match.getKinds().isEmpty()
            ? DEFAULT_KINDS.stream().map(Enum::name).toList()
            : within(match.getKinds(), MatchSpec.MAX_KINDS, "spec.match.kinds", errors);
    for (int i = 0; i < kindNames.size(); i++) {
      WorkloadKind k =
          enumValue(
              WorkloadKind.class, kindNames.get(i), null, "spec.match.kinds[" + i + "]", errors);
      if (k != null) kinds.add(k);
    }
    List<String> namespaces =
        match.getNamespaces() == null
            ? List.of()
            : namespaceNames(match.getNamespaces(), "spec.match.namespaces", errors);
    // A namespace the policy names explicitly wins over the default exclusions (an admin who
    // writes kube-system means it); an explicit excludeNamespaces is taken as written.
    List<String> excluded =
        match.getExcludeNamespaces() == null
            ? DEFAULT_EXCLUDED_NAMESPACES.stream().filter(n -> !namespaces.contains(n)).toList()
            : namespaceNames(match.getExcludeNamespaces(), "spec.match.excludeNamespaces", errors);
    checkSelector(match.getNamespaceSelector(), "spec.match.namespaceSelector", errors);
    checkSelector(match.getSelector(), "spec.match.selector", errors);

    long uid = sc.getRunAsUser() == null ? DEFAULT_UID : sc.getRunAsUser();
    if (uid <= 0 || uid > Integer.MAX_VALUE) {
      errors.add(
          new PolicyError(
              "spec.securityContext.runAsUser",
              "must be a non-zero UID between 1 and " + Integer.MAX_VALUE + ", got " + uid));
    }
    RunAsUserFrom uidFrom =
        enumValue(
            RunAsUserFrom.class,
            sc.getRunAsUserFrom(),
            RunAsUserFrom.Image,
            "spec.securityContext.runAsUserFrom",
            errors);
    Long fsGroup = sc.getFsGroup();
    if (fsGroup != null && (fsGroup <= 0 || fsGroup > Integer.MAX_VALUE)) {
      errors.add(
          new PolicyError(
              "spec.securityContext.fsGroup",
              "must be a non-zero GID between 1 and " + Integer.MAX_VALUE + ", got " + fsGroup));
    }
    List<String> drop =
        sc.getDropCapabilities() == null
            ? List.of("ALL")
            : normalizeCapabilities(
                within(
                    sc.getDropCapabilities(),
                    SecurityContextSpec.MAX_CAPABILITIES,
                    "spec.securityContext.dropCapabilities",
                    errors),
                "spec.securityContext.dropCapabilities",
                errors);
    Set<String> keep =
        new LinkedHashSet<>(
            sc.getKeepCapabilities() == null
                ? List.of()
                : normalizeCapabilities(
                    within(
                        sc.getKeepCapabilities(),
                        SecurityContextSpec.MAX_CAPABILITIES,
                        "spec.securityContext.keepCapabilities",
                        errors),
                    "spec.securityContext.keepCapabilities",
                    errors));
    SeccompMode seccomp =
        enumValue(
            SeccompMode.class,
            sc.getSeccompProfile(),
            SeccompMode.RuntimeDefault,
            "spec.securityContext.seccompProfile",
            errors);

    PortStrategy strategy =
        enumValue(
            PortStrategy.class,
            ports.getStrategy(),
            PortStrategy.Auto,
            "spec.ports.strategy",
            errors);
    int offset = ports.getOffset() == null ? DEFAULT_OFFSET : ports.getOffset();
    if (offset < 1024 || offset > 64511) {
      errors.add(
          new PolicyError(
              "spec.ports.offset",
              "must be between 1024 and 64511 so that every port below 1024 lands on 1024-65535, got "
                  + offset));
    }
    Map<Integer, Integer> portMap = new TreeMap<>();
    if (ports.getMap() != null && ports.getMap().size() > MAX_PORT_MAP) {
      errors.add(
          new PolicyError(
              "spec.ports.map",
              "has " + ports.getMap().size() + " entries; keys are ports 1-1023, so at most 1023"));
    } else if (ports.getMap() != null) {
      Map<Integer, String> mappedTo = new TreeMap<>();
      // In port order ("80" before "443"), so that a collision is named on the later port.
      Map<String, Integer> byPort =
          new TreeMap<>(
              Comparator.comparing(String::length).thenComparing(Comparator.naturalOrder()));
      byPort.putAll(ports.getMap());
      for (Map.Entry<String, Integer> e : byPort.entrySet()) {
        String field = "spec.ports.map[\"" + e.getKey() + "\"]";
        Integer from = parsePort(e.getKey());
        if (from == null || from < 1 || from > 1023) {
          errors.add(
              new PolicyError(
                  field, "key must be a port from 1 to 1023, got \"" + e.getKey() + "\""));
          continue;
        }
        Integer to = e.getValue();
        if (to == null || to < 1024 || to > 65535) {
          errors.add(new PolicyError(field, "must map to a port from 1024 to 65535, got " + to));
          continue;
        }
        // Two ports moved to one would collide in every pod that declares both.
        String other = mappedTo.putIfAbsent(to, e.getKey());
        if (other != null) {
          errors.add(
              new PolicyError(
                  field,
                  "maps to "
                      + to
                      + ", as spec.ports.map[\""
                      + other
                      + "\"] does: two ports cannot move to one"));
          continue;
        }
        portMap.put(from, to);
      }
    }
    Duration timeout =
        duration(
            spec.getRollout() == null ? null : spec.getRollout().getTimeout(),
            "spec.rollout.timeout",
            DEFAULT_ROLLOUT_TIMEOUT,
            errors);
    Duration onDeleteTimeout =
        duration(
            spec.getOnDeleteTimeout(), "spec.onDeleteTimeout", DEFAULT_ON_DELETE_TIMEOUT, errors);
    Integer max = spec.getRollout() == null ? null : spec.getRollout().getMaxConcurrent();
    int maxConcurrent = max == null ? DEFAULT_MAX_CONCURRENT : max;
    if (maxConcurrent < 0 || maxConcurrent > 10000) {
      errors.add(
          new PolicyError(
              "spec.rollout.maxConcurrent",
              "must be between 0 (no limit) and 10000, got " + maxConcurrent));
    }
    if (!errors.isEmpty()) throw new InvalidPolicyException(name, errors);
    return new EffectivePolicy(
        name,
        mode,
        priority,
        kinds,
        namespaces,
        excluded,
        match.getNamespaceSelector(),
        match.getSelector(),
        !Boolean.FALSE.equals(sc.getRunAsNonRoot()),
        uid,
        uidFrom,
        fsGroup,
        !Boolean.TRUE.equals(sc.getAllowPrivilegeEscalation()),
        !Boolean.TRUE.equals(sc.getPrivileged()),
        drop,
        keep,
        seccomp,
        Boolean.TRUE.equals(sc.getReadOnlyRootFilesystem()),
        strategy,
        offset,
        Map.copyOf(portMap),
        !Boolean.FALSE.equals(ports.getUpdateServices()),
        !Boolean.FALSE.equals(ports.getUpdateProbes()),
        needsRoot,
        timeout,
        maxConcurrent,
        gitops,
        onDelete,
        onDeleteTimeout);
  }

  /** Keys are ports 1-1023. */
  private static final int MAX_PORT_MAP = 1023;

  /**
   * The list, or an empty one with an error when it is longer than {@code max}: checking each of a
   * million entries would only repeat the same mistake.
   */
  private static List<String> within(
      List<String> list, int max, String field, List<PolicyError> errors) {
    if (list.size() <= max) return list;
    errors.add(new PolicyError(field, "has " + list.size() + " entries, at most " + max));
    return List.of();
  }

  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

  /** Namespace names: a name that cannot be a namespace would silently match nothing. */
  private static List<String> namespaceNames(
      List<String> names, String field, List<PolicyError> errors) {
    List<String> list = within(names, MatchSpec.MAX_NAMESPACES, field, errors);
    for (int i = 0; i < list.size(); i++) {
      String n = list.get(i);
      if (n == null || !DNS_LABEL.matcher(n).matches()) {
        errors.add(
            new PolicyError(
                field + "[" + i + "]",
                "is not a namespace name (lower case letters, digits and '-', at most 63): "
                    + quoted(n)));
      }
    }
    return List.copyOf(list.stream().filter(n -> n != null).toList());
  }

  /** A user's value in a message: quoted, and cut short (it may be a megabyte). */
  private static String quoted(String value) {
    if (value == null) return "null";
    return "\"" + (value.length() > 64 ? value.substring(0, 64) + "..." : value) + "\"";
  }

  private static Duration duration(
      String value, String field, Duration fallback, List<PolicyError> errors) {
    if (value == null) return fallback;
    if (!value.matches(RolloutSpec.DURATION)) {
      errors.add(
          new PolicyError(
              field,
              "must be a whole number of seconds, minutes or hours such as 90s, 5m or 1h, got \""
                  + value
                  + "\""));
      return fallback;
    }
    long n = Long.parseLong(value.substring(0, value.length() - 1));
    Duration d =
        switch (value.charAt(value.length() - 1)) {
          case 's' -> Duration.ofSeconds(n);
          case 'm' -> Duration.ofMinutes(n);
          default -> Duration.ofHours(n);
        };
    if (d.compareTo(Duration.ofSeconds(10)) < 0) {
      errors.add(
          new PolicyError(
              field, "must be at least 10s: pods need time to start, got \"" + value + "\""));
      return fallback;
    }
    return d;
  }

  private static <E extends Enum<E>> E enumValue(
      Class<E> type, String value, E fallback, String field, List<PolicyError> errors) {
    if (value == null) return fallback;
    for (E e : type.getEnumConstants()) {
      if (e.name().equals(value)) return e;
    }
    errors.add(
        new PolicyError(
            field,
            "must be one of "
                + Arrays.stream(type.getEnumConstants())
                    .map(Enum::name)
                    .collect(Collectors.joining(", "))
                + ", got \""
                + value
                + "\""));
    return fallback;
  }

  private static List<String> normalizeCapabilities(
      List<String> caps, String field, List<PolicyError> errors) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < caps.size(); i++) {
      String c = caps.get(i);
      if (c == null || !CAPABILITY.matcher(c).matches()) {
        errors.add(
            new PolicyError(field + "[" + i + "]", "is not a capability name: \"" + c + "\""));
        continue;
      }
      out.add(Capabilities.normalize(c));
    }
    return List.copyOf(out);
  }

  // Kubernetes' label syntax: an optional DNS subdomain prefix and "/", then a name of at most 63.
  private static final Pattern LABEL_NAME =
      Pattern.compile("([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)");
  private static final Pattern LABEL_KEY =
      Pattern.compile(
          "([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
              + LABEL_NAME.pattern());

  private static void checkSelector(
      LabelSelector selector, String field, List<PolicyError> errors) {
    if (selector == null) return;
    // fabric8 keeps fields it does not know: a typo (matchLabel) would select everything.
    unknownFields(
        selector.getAdditionalProperties(), field, "matchExpressions, matchLabels", errors);
    Map<String, String> labels = selector.getMatchLabels();
    if (labels != null && labels.size() > MatchSpec.MAX_SELECTOR_TERMS) {
      errors.add(
          new PolicyError(
              field + ".matchLabels",
              "has " + labels.size() + " entries, at most " + MatchSpec.MAX_SELECTOR_TERMS));
    } else if (labels != null) {
      for (Map.Entry<String, String> l : labels.entrySet()) {
        String f = field + ".matchLabels[\"" + l.getKey() + "\"]";
        labelKey(l.getKey(), f, errors);
        labelValue(l.getValue(), f, errors);
      }
    }
    if (selector.getMatchExpressions() == null) return;
    List<LabelSelectorRequirement> reqs = selector.getMatchExpressions();
    if (reqs.size() > MatchSpec.MAX_SELECTOR_TERMS) {
      errors.add(
          new PolicyError(
              field + ".matchExpressions",
              "has " + reqs.size() + " entries, at most " + MatchSpec.MAX_SELECTOR_TERMS));
      return;
    }
    for (int i = 0; i < reqs.size(); i++) {
      LabelSelectorRequirement r = reqs.get(i);
      String f = field + ".matchExpressions[" + i + "]";
      if (r == null) {
        errors.add(new PolicyError(f, "is null, not a requirement"));
        continue;
      }
      unknownFields(r.getAdditionalProperties(), f, "key, operator, values", errors);
      if (r.getKey() == null || r.getKey().isEmpty()) {
        errors.add(new PolicyError(f + ".key", "is required"));
      } else {
        labelKey(r.getKey(), f + ".key", errors);
      }
      if (r.getValues() != null && r.getValues().size() > MatchSpec.MAX_SELECTOR_VALUES) {
        errors.add(
            new PolicyError(
                f + ".values",
                "has "
                    + r.getValues().size()
                    + " entries, at most "
                    + MatchSpec.MAX_SELECTOR_VALUES));
        continue;
      }
      if (r.getValues() != null) {
        for (int v = 0; v < r.getValues().size(); v++) {
          labelValue(r.getValues().get(v), f + ".values[" + v + "]", errors);
        }
      }
      if (r.getOperator() == null || !SELECTOR_OPERATORS.contains(r.getOperator())) {
        errors.add(
            new PolicyError(
                f + ".operator",
                "must be In, NotIn, Exists or DoesNotExist, got \"" + r.getOperator() + "\""));
        continue;
      }
      boolean hasValues = r.getValues() != null && !r.getValues().isEmpty();
      boolean needsValues = r.getOperator().equals("In") || r.getOperator().equals("NotIn");
      if (needsValues != hasValues) {
        errors.add(
            new PolicyError(
                f + ".values",
                needsValues
                    ? "must not be empty for operator " + r.getOperator()
                    : "must be empty for operator " + r.getOperator()));
      }
    }
  }

  private static void unknownFields(
      Map<String, Object> extra, String field, String known, List<PolicyError> errors) {
    if (extra == null) return;
    for (String name : extra.keySet()) {
      errors.add(
          new PolicyError(field + "." + name, "unknown field (known fields: " + known + ")"));
    }
  }

  private static void labelKey(String key, String field, List<PolicyError> errors) {
    if (key.length() > 317 || !LABEL_KEY.matcher(key).matches()) {
      errors.add(
          new PolicyError(
              field,
              "is not a label key (an optional DNS prefix and '/', then at most 63 letters,"
                  + " digits, '-', '_' or '.'): "
                  + quoted(key)));
    }
  }

  private static void labelValue(String value, String field, List<PolicyError> errors) {
    if (value == null || value.isEmpty()) return;
    if (!LABEL_NAME.matcher(value).matches()) {
      errors.add(
          new PolicyError(
              field,
              "is not a label value (at most 63 letters, digits, '-', '_' or '.'): "
                  + quoted(value)));
    }
  }

  private static Integer parsePort(String s) {
    if (s == null || !s.matches("[0-9]{1,5}")) return null;
    return Integer.parseInt(s);
  }
}
