package dev.nonroot.manifest;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Independent work on many items (documents to read or write, workloads to evaluate) spread over
 * the machine's cores, with everything observable in item order: the results, and the failure an
 * item-by-item loop would have stopped at, rethrown as it was thrown rather than wrapped by the
 * thread that met it.
 */
public final class InOrder {
  private InOrder() {}

  /** Work on one item, which may fail as the loop it replaces could. */
  @FunctionalInterface
  public interface Work<T, R, E extends Exception> {
    R apply(T item) throws E;
  }

  /** {@code work} applied to every item; the results in item order. */
  public static <T, R, E extends Exception> List<R> map(
      List<T> items, Work<? super T, ? extends R, E> work) throws E {
    int n = items.size();
    Object[] results = new Object[n];
    Throwable[] failures = new Throwable[n];
    IntStream.range(0, n)
        .parallel()
        .forEach(
            i -> {
              try {
                results[i] = work.apply(items.get(i));
              } catch (Throwable t) {
                failures[i] = t;
              }
            });
    for (int i = 0; i < n; i++) {
      if (failures[i] instanceof StackOverflowError) {
        // Pool threads have the platform's default stack; the command's own thread has room for
        // documents nested as deep as the reader allows. The work is pure, so it can run again.
        try {
          results[i] = work.apply(items.get(i));
          failures[i] = null;
        } catch (Throwable t) {
          failures[i] = t;
        }
      }
      if (failures[i] != null) throw InOrder.<RuntimeException>rethrow(failures[i]);
    }
    List<R> out = new ArrayList<>(n);
    for (Object r : results) {
      @SuppressWarnings("unchecked")
      R result = (R) r;
      out.add(result);
    }
    return out;
  }

  /** Throws {@code t} itself, checked or not: the caller's signature already allows it. */
  @SuppressWarnings("unchecked")
  private static <E extends Throwable> E rethrow(Throwable t) throws E {
    throw (E) t;
  }
}
