package dev.nonroot.engine.rules;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nonroot.engine.model.FieldPath;
import java.util.ArrayList;
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

  /** The listen settings for {@code port} in {@code owner} and the unclear mentions in the pod. */
  static Found find(ContainerView owner, List<ContainerView> pod, int port) {
    List<Setting> settings = new ArrayList<>();
    List<String> unclear = new ArrayList<>();
    Pattern mention = Pattern.compile("(?<![0-9])0*" + port + "(?![0-9])");
    for (ContainerView c : pod) {
      boolean own = c.path().equals(owner.path());
      for (Site site : sites(c)) {
        Setting s = setting(site, port);
        if (own && s != null) {
          settings.add(s);
        } else if (s != null || mention.matcher(site.text).find()) {
          // In another container even a recognised form is unclear: that container cannot bind
          // the port too, so it most likely connects to it.
          unclear.add("container " + c.name() + " " + site.label + " mentions " + port);
        }
      }
    }
    return new Found(List.copyOf(settings), List.copyOf(unclear));
  }

  /** The recognised listen setting for {@code port} at this site, or null. */
  private static Setting setting(Site site, int port) {
    for (Form form : FORMS) {
      Matcher m = form.match(site);
      if (m == null) continue;
      // A form for another number says nothing about this port (PORT: "8080" beside port 80).
      if (Integer.parseInt(m.group("port")) != port) return null;
      return new Setting(site.path, site.label, site.text, m.start("port"), m.end("port"));
    }
    return null;
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
