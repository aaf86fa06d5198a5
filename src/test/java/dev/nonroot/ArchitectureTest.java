package dev.nonroot;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Dependencies point one way: cli -> operator -> engine -> api, and cli -> manifest. The engine never
 * talks to a cluster. Beside the product: demo -> kubesim -> api, and bench; the product never names
 * them (cli finds demo at run time, see dev.nonroot.cli.Subcommand). manifest depends on nothing of ours.
 */
class ArchitectureTest {
  @ParameterizedTest(name = "{0} does not import {1}")
  @CsvSource({
      "api, dev.nonroot.engine",
      "api, dev.nonroot.operator",
      "api, dev.nonroot.cli",
      "engine, dev.nonroot.operator",
      "engine, dev.nonroot.cli",
      "engine, io.fabric8.kubernetes.client",
      "engine, io.javaoperatorsdk",
      "operator, dev.nonroot.cli",
      "manifest, dev.nonroot",
      "api, dev.nonroot.manifest",
      "engine, dev.nonroot.manifest",
      "operator, dev.nonroot.manifest",
      "kubesim, dev.nonroot.cli",
      "kubesim, dev.nonroot.demo",
      "kubesim, dev.nonroot.bench",
      "kubesim, dev.nonroot.operator",
      "kubesim, dev.nonroot.engine",
      "kubesim, dev.nonroot.manifest",
      "cli, dev.nonroot.demo",
      "cli, dev.nonroot.kubesim",
      "cli, dev.nonroot.bench",
      "operator, dev.nonroot.demo",
      "operator, dev.nonroot.kubesim",
      "operator, dev.nonroot.bench",
      "engine, dev.nonroot.demo",
      "engine, dev.nonroot.kubesim",
      "engine, dev.nonroot.bench",
      "api, dev.nonroot.demo",
      "api, dev.nonroot.kubesim",
      "api, dev.nonroot.bench",
      "manifest, io.fabric8",
  })
  void dependenciesPointOneWay(String pkg, String forbidden) throws IOException {
    List<String> offenders = new ArrayList<>();
    Pattern named = Pattern.compile("(^|[^\\w.])" + Pattern.quote(forbidden) + "\\.");
    try (Stream<Path> files = Files.walk(Path.of("src/main/java/dev/nonroot", pkg))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        for (String line : Files.readAllLines(f)) {
          // What a package names of itself does not count; anything else does, imported or written out in full.
          String code = line.strip().replace("dev.nonroot." + pkg + ".", "");
          if (code.startsWith("package ") || code.startsWith("//") || code.startsWith("*") || code.startsWith("/*")) {
            continue;
          }
          if (named.matcher(code).find()) {
            offenders.add(f + ": " + line);
          }
        }
      }
    }
    assertThat(offenders).isEmpty();
  }
}
