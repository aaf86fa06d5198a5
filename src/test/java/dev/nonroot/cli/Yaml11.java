package dev.nonroot.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** An independent YAML reader for assertions (SnakeYAML's generic YAML 1.1 types). */
final class Yaml11 {
  private Yaml11() {}

  static List<Object> loadAll(String text) {
    List<Object> out = new ArrayList<>();
    new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(text).forEach(out::add);
    return out;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object o) {
    return (Map<String, Object>) o;
  }

  @SuppressWarnings("unchecked")
  static List<Object> list(Object o) {
    return (List<Object>) o;
  }

  /** The value at a path of keys and list indexes. */
  static Object at(Object root, Object... path) {
    Object n = root;
    for (Object p : path) n = p instanceof Integer i ? list(n).get(i) : map(n).get((String) p);
    return n;
  }
}
