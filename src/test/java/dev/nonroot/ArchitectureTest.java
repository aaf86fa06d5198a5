package dev.nonroot;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Dependencies point one way: cli -> operator -> engine -> api. The engine never talks to a cluster. */
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
  })
  void dependenciesPointOneWay(String pkg, String forbidden) throws IOException {
    List<String> offenders = new ArrayList<>();
    try (Stream<Path> files = Files.walk(Path.of("src/main/java/dev/nonroot", pkg))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        for (String line : Files.readAllLines(f)) {
          if (line.startsWith("import " + forbidden) || line.startsWith("import static " + forbidden)) {
            offenders.add(f + ": " + line);
          }
        }
      }
    }
    assertThat(offenders).isEmpty();
  }
}
