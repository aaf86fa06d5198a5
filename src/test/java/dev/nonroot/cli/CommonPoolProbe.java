package dev.nonroot.cli;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;

/**
 * Run in a JVM of its own by {@link MainTest}: prints whether CompletableFuture's async completions
 * (those of the JDK HTTP client among them) run on the common pool after Main's start-up setting.
 */
final class CommonPoolProbe {
  private CommonPoolProbe() {}

  public static void main(String[] args) {
    Main.asyncCompletionsOnAPool();
    System.out.println(new CompletableFuture<Void>().defaultExecutor() instanceof ForkJoinPool);
  }
}
