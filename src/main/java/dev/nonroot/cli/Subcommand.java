package dev.nonroot.cli;

import java.util.concurrent.Callable;

/**
 * A subcommand that ships beside the product rather than in it (today: {@code demo}). {@link Main}
 * never names one: it finds them at run time with {@link java.util.ServiceLoader}, through {@code
 * META-INF/services/dev.nonroot.cli.Subcommand}, and lists them after its own commands, in the
 * order of that file. The image jar leaves the file and the classes out, so the same {@code Main}
 * offers scan, fix, revert and run only.
 *
 * <p>An implementation is a picocli {@code @Command} class with a public no-argument constructor
 * (one instance per command line); it reaches standard input and output through
 * {@code @ParentCommand Main} and {@link Main#console()}, like the built-in commands.
 */
public interface Subcommand extends Callable<Integer> {}
