package dev.nonroot.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.StringReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.emitter.Emitter;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.resolver.Resolver;
import org.yaml.snakeyaml.serializer.Serializer;

/**
 * The baseline of {@code bench-cli}: a plain SnakeYAML program that composes every document of a
 * file into node trees and writes them back as text, with no evaluation. {@code fix} as a whole
 * process should be no slower than this one.
 *
 * <pre>
 * java -cp target/nonroot-operator.jar dev.nonroot.bench.SnakeYamlRoundTrip IN OUT
 * </pre>
 */
public final class SnakeYamlRoundTrip {
  private SnakeYamlRoundTrip() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      System.err.println("usage: SnakeYamlRoundTrip IN OUT");
      System.exit(2);
    }
    try (OutputStream out = Files.newOutputStream(Path.of(args[1]))) {
      System.out.println(run(Path.of(args[0]), out) + " documents");
    }
  }

  /** Reads {@code in}, composes its documents, writes them to {@code out}; the document count. */
  static int run(Path in, OutputStream out) throws IOException {
    String text = Files.readString(in, StandardCharsets.UTF_8);
    LoaderOptions loading = new LoaderOptions();
    loading.setCodePointLimit(Integer.MAX_VALUE); // the default stops at 3 MB
    List<Node> documents = new ArrayList<>();
    for (Node n : new Yaml(loading).composeAll(new StringReader(text))) documents.add(n);
    DumperOptions dumping = new DumperOptions();
    dumping.setExplicitStart(true);
    Writer w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
    Serializer serializer = new Serializer(new Emitter(w, dumping), new Resolver(), dumping, null);
    serializer.open();
    for (Node n : documents) serializer.serialize(n);
    serializer.close();
    w.flush();
    return documents.size();
  }
}
