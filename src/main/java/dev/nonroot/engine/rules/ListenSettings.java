package dev.nonroot.engine.rules;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nonroot.engine.model.FieldPath;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a container's own configuration, as far as the manifest shows it, says which port its
 * process listens on. containerPort is informational: a moved port works only if the process is
 * told to listen on the new one. So a move rewrites every listen setting it finds (Auto and Remap),
 * and Auto moves a port only when it finds one and nothing else in the pod mentions the number in a
 * form it cannot read.
 *
 * <p>The recognised forms are the table {@link #FORMS}; the README lists them. Anything else that
 * mentions the port's number as a whole number (a shell script, a URL, {@code -p 80}, {@code
 * METRICS_PORT: "80"}, {@code BACKEND_HTTP_PORT: "80"}, an exec probe) is unclear: it may be the
 * listen setting, or a client of the port, and rewriting or ignoring it could both break the
 * application.
 */
final class ListenSettings {
  /** What kind of text a site holds: which forms apply, and whether it can be rewritten. */
  private enum Kind {
    ENV,
    ARG,
    // An exec probe or lifecycle hook command: read for mentions only.
    EXEC
  }

  /**
   * One text the container's process (or the kubelet, for EXEC) reads: an env value or one item of
   * args or command. {@code name} is the env var's name; {@code previous} the item before an
   * args/command item.
   */
  private record Site(
      Kind kind, FieldPath path, String label, String name, String text, String previous) {}

  /**
   * A site as every port sees it: the first recognised form that matches it (the port it names and
   * where), and the whole numbers it mentions, with leading zeros dropped.
   */
  private record ReadSite(Site site, int formPort, int start, int end, Set<String> numbers) {
    static ReadSite of(Site site) {
      for (Form form : FORMS) {
        Matcher m = form.match(site);
        if (m == null) continue;
        return new ReadSite(
            site,
            Integer.parseInt(m.group("port")),
            m.start("port"),
            m.end("port"),
            numbers(site.text));
      }
      return new ReadSite(site, -1, -1, -1, numbers(site.text));
    }

    /** The recognised listen setting for {@code port} at this site, or null. */
    Setting setting(int port) {
      // A form for another number says nothing about this port (PORT: "8080" beside port 80).
      if (formPort < 0 || formPort != port) return null;
      return new Setting(site.path, site.label, site.text, start, end);
    }

    /** Whether the text has {@code port} as a whole number: 80 in "a 80 b", not in "8080". */
    boolean mentions(int port) {
      if (port > 0) return numbers.contains(Integer.toString(port));
      return Pattern.compile("(?<![0-9])0*" + port + "(?![0-9])").matcher(site.text).find();
    }

    /** Each run of ASCII digits, without its leading zeros ("" for a run of zeros). */
    private static Set<String> numbers(String text) {
      Set<String> out = null;
      int i = 0;
      while (i < text.length()) {
        if (!digit(text.charAt(i))) {
          i++;
          continue;
        }
        int start = i;
        while (i < text.length() && digit(text.charAt(i))) i++;
        int first = start;
        while (first < i && text.charAt(first) == '0') first++;
        if (out == null) out = new HashSet<>();
        out.add(text.substring(first, i));
      }
      return out == null ? Set.of() : out;
    }

    private static boolean digit(char c) {
      return c >= '0' && c <= '9';
    }
  }

  /**
   * One recognised form: the sites it applies to, a pattern whose group {@code port} holds the port
   * number, and a further condition on the site (the name of an env var or flag).
   */
  private record Form(Set<Kind> kinds, Pattern pattern, Condition condition) {
    Matcher match(Site site) {
      if (!kinds.contains(site.kind)) return null;
      Matcher m = pattern.matcher(site.text);
      return m.matches() && condition.holds(site, m) ? m : null;
    }
  }

  @FunctionalInterface
  private interface Condition {
    boolean holds(Site site, Matcher m);
  }

  /** A wildcard listen address: {@code :80}, {@code 0.0.0.0:80}, {@code [::]:80}, {@code *:80}. */
  private static final String ADDRESS = "(?:0\\.0\\.0\\.0|\\[::]|\\*)?:(?<port>\\d{1,5})";

  private static final String FLAG = "--?(?<name>[A-Za-z][A-Za-z0-9_.-]*)";
  private static final Pattern FLAG_ALONE = Pattern.compile(FLAG);

  /** The recognised forms, in the order they are tried. */
  private static final List<Form> FORMS =
      List.of(
          // An env var named for a listen port, the port as its whole value: PORT: "80".
          new Form(
              Set.of(Kind.ENV),
              Pattern.compile("(?<port>\\d{1,5})"),
              (site, m) -> listenPortName(site.name)),
          // A wildcard listen address as a whole env value or item: ":80", "0.0.0.0:80".
          new Form(Set.of(Kind.ENV, Kind.ARG), Pattern.compile(ADDRESS), (site, m) -> true),
          // A flag named for a listen port: --port=80, --http-port=80, --server.port=80.
          new Form(
              Set.of(Kind.ARG),
              Pattern.compile(FLAG + "=(?<port>\\d{1,5})"),
              (site, m) -> listenPortName(m.group("name"))),
          // Any flag set to a wildcard listen address: --listen=:80, --entryPoints.web.address=:80.
          new Form(Set.of(Kind.ARG), Pattern.compile(FLAG + "=" + ADDRESS), (site, m) -> true),
          // The item after a flag named for a listen port: --port, "80".
          new Form(
              Set.of(Kind.ARG),
              Pattern.compile("(?<port>\\d{1,5})"),
              (site, m) -> {
                if (site.previous == null) return false;
                Matcher flag = FLAG_ALONE.matcher(site.previous);
                return flag.matches() && listenPortName(flag.group("name"));
              }));

  /**
   * Names of env vars and flags that mean "the port I listen on", compared after upper-casing and
   * turning {@code -} and {@code .} into {@code _}, whole names only. A prefix changes the meaning:
   * BACKEND_HTTP_PORT, UPSTREAM_SERVER_PORT, DB_PORT, METRICS_PORT, FOO_SERVICE_PORT may each be a
   * port the process connects to, so they are unclear, and so is any name not listed here.
   */
  private static final Set<String> LISTEN_PORT_NAMES =
      Set.of(
          "PORT",
          "HTTP_PORT",
          "HTTPS_PORT",
          "LISTEN_PORT",
          "SERVER_PORT",
          "BIND_PORT",
          "APP_PORT",
          "WEB_PORT",
          // Documented listen settings of well-known images, prefix and all.
          "GF_SERVER_HTTP_PORT", // Grafana
          "KC_HTTP_PORT", // Keycloak
          "KC_HTTPS_PORT",
          "QUARKUS_HTTP_PORT", // Quarkus (quarkus.http.port)
          "MICRONAUT_SERVER_PORT", // Micronaut (micronaut.server.port)
          "PGADMIN_LISTEN_PORT", // pgAdmin 4
          "SONAR_WEB_PORT"); // SonarQube (sonar.web.port)

  private static boolean listenPortName(String name) {
    if (name == null) return false;
    return LISTEN_PORT_NAMES.contains(
        name.toUpperCase(Locale.ROOT).replace('-', '_').replace('.', '_'));
  }

  /** A recognised listen setting for one port, and how it reads after a move. */
  record Setting(FieldPath path, String label, String text, int start, int end) {
    String movedTo(int target) {
      return text.substring(0, start) + target + text.substring(end);
    }
  }

  /**
   * What the pod says about one port of one container: the listen settings found in that container,
   * and the other mentions of the number anywhere in the pod (each described). A mention is the
   * number as a whole number: 80 in "a 80 b" or "http://x:80/", not in "8080".
   */
  record Found(List<Setting> settings, List<String> unclear) {
    /** Why strategy Auto keeps the port where it is, or null when it can move with its settings. */
    String whyKept(int port) {
      if (!unclear.isEmpty()) {
        return String.join(", ", unclear)
            + " in a form that is not rewritten (the application or a client of the port may read"
            + " it)";
      }
      if (settings.isEmpty()) {
        return "no listen setting for "
            + port
            + " in its env, args or command, so the application would keep listening on "
            + port;
      }
      return null;
    }

    /** The settings as the reason of a move names them: "env PORT, args[1]". */
    String labels() {
      return String.join(", ", settings.stream().map(Setting::label).toList());
    }
  }

  private ListenSettings() {}

  /** The pod's containers, whose sites are read once however many ports ask about them. */
  static Pod of(List<ContainerView> pod) {
    return new Pod(pod);
  }

  /** What a pod's env, args and commands say, for every port of one evaluation. */
  static final class Pod {
    private final List<ContainerView> containers;
    private List<List<ReadSite>> sites;

    private Pod(List<ContainerView> containers) {
      this.containers = containers;
    }

    /**
     * The listen settings for {@code port} in {@code owner} and the unclear mentions in the pod.
     */
    Found find(ContainerView owner, int port) {
      if (sites == null) {
        List<List<ReadSite>> read = new ArrayList<>();
        for (ContainerView c : containers) {
          read.add(sites(c).stream().map(ReadSite::of).toList());
        }
        sites = read;
      }
      List<Setting> settings = new ArrayList<>();
      List<String> unclear = new ArrayList<>();
      for (int i = 0; i < containers.size(); i++) {
        ContainerView c = containers.get(i);
        boolean own = c.path().equals(owner.path());
        for (ReadSite site : sites.get(i)) {
          Setting s = site.setting(port);
          if (own && s != null) {
            settings.add(s);
          } else if (s != null || site.mentions(port)) {
            // In another container even a recognised form is unclear: that container cannot bind
            // the port too, so it most likely connects to it.
            unclear.add("container " + c.name() + " " + site.site().label + " mentions " + port);
          }
        }
      }
      return new Found(List.copyOf(settings), List.copyOf(unclear));
    }
  }

  private static List<Site> sites(ContainerView c) {
    List<Site> out = new ArrayList<>();
    JsonNode env = c.node().path("env");
    // env that is not a list (a map of names to values) is a Malformed finding, not a site.
    for (int i = 0; env.isArray() && i < env.size(); i++) {
      JsonNode e = env.get(i);
      JsonNode value = e.get("value");
      // valueFrom (a ConfigMap, a Secret) is not in the manifest: nothing to read.
      if (value == null || !value.isValueNode() || value.isNull()) continue;
      String name = e.path("name").asText("");
      out.add(
          new Site(
              Kind.ENV,
              c.path().key("env").index(i, name.isEmpty() ? null : name).key("value"),
              "env " + name,
              name,
              value.asText(),
              null));
    }
    for (String list : List.of("command", "args")) {
      items(out, Kind.ARG, c.node().path(list), c.path().key(list), list);
    }
    for (String probe : PortReferences.PROBES) {
      items(
          out,
          Kind.EXEC,
          c.node().path(probe).path("exec").path("command"),
          c.path().key(probe).key("exec").key("command"),
          probe + ".exec.command");
    }
    for (String hook : List.of("postStart", "preStop")) {
      items(
          out,
          Kind.EXEC,
          c.node().path("lifecycle").path(hook).path("exec").path("command"),
          c.path().key("lifecycle").key(hook).key("exec").key("command"),
          "lifecycle." + hook + ".exec.command");
    }
    return out;
  }

  private static void items(
      List<Site> out, Kind kind, JsonNode list, FieldPath path, String label) {
    if (!list.isArray()) return;
    String previous = null;
    for (int i = 0; i < list.size(); i++) {
      JsonNode item = list.get(i);
      String text = item.isValueNode() && !item.isNull() ? item.asText() : null;
      if (text != null) {
        out.add(new Site(kind, path.index(i, null), label + "[" + i + "]", null, text, previous));
      }
      previous = text;
    }
  }
}
