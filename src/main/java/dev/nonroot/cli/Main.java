package dev.nonroot.cli;

import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The nonroot-operator command line. Subcommands reach standard input/output through
 * {@code @ParentCommand Main} and {@link #console()}, so tests run them in-process.
 */
@Command(
    name = "nonroot-operator",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Takes root away from Kubernetes workloads that never needed it.")
public final class Main implements Callable<Integer> {
  /**
   * The product's commands, in the order usage lists them. Others (demo) are found at run time: see
   * Subcommand.
   */
  private static final Map<String, Supplier<Object>> COMMANDS = new LinkedHashMap<>();

  static {
    COMMANDS.put("scan", ScanCommand::new);
    COMMANDS.put("fix", FixCommand::new);
    COMMANDS.put("revert", RevertCommand::new);
    COMMANDS.put("run", RunCommand::new);
  }

  /** Set to print stack traces of internal errors (for bug reports). */
  static final String DEBUG_ENV = "NONROOT_DEBUG";

  private final Console console;

  @Spec private CommandSpec spec;

  private Main(Console console) {
    this.console = console;
  }

  public Console console() {
    return console;
  }

  public static void main(String[] args) {
    asyncCompletionsOnAPool();
    System.exit(execute(args, System.in, System.out, System.err));
  }

  private static final String COMMON_POOL_PARALLELISM =
      "java.util.concurrent.ForkJoinPool.common.parallelism";

  /**
   * With one or two processors (a container with a CPU request of 100m sees one) the JDK's common
   * pool has a parallelism of 1, and CompletableFuture then runs every async completion on a new
   * thread: the JDK HTTP client completes each response that way, so the operator started a thread
   * per API request (20,000 in a benchmark run of 2,000 workloads, each with cold Jackson and NIO
   * buffers). Two workers keep them on the pool. Set before anything loads the HTTP client; an
   * explicit -D setting wins.
   */
  static void asyncCompletionsOnAPool() {
    if (System.getProperty(COMMON_POOL_PARALLELISM) == null
        && Runtime.getRuntime().availableProcessors() <= 2) {
      System.setProperty(COMMON_POOL_PARALLELISM, "2");
    }
  }

  /**
   * Commands run on a thread with this much stack: documents may nest 1,000 levels, the YAML reader
   * and writer recurse once per level, and the JVM's default stack (set by platform and flags) did
   * not always hold that (a StackOverflowError, exit 3, where the answer is exit 2 naming the
   * line).
   */
  private static final long STACK_BYTES = 64L * 1024 * 1024;

  /** Runs one command line and returns its exit status; never calls System.exit. */
  public static int execute(String[] args, InputStream in, PrintStream out, PrintStream err) {
    int[] status = {ExitCodes.INTERNAL_ERROR};
    Thread command =
        new Thread(null, () -> status[0] = run(args, in, out, err), "nonroot-cli", STACK_BYTES);
    command.start();
    boolean interrupted = false;
    while (true) {
      try {
        command.join();
        break;
      } catch (InterruptedException e) {
        // Interrupting the caller stops the command (demo --serve ends so), as it did when the
        // command ran on the caller's thread; its exit status is still the command's.
        interrupted = true;
        command.interrupt();
      }
    }
    if (interrupted) Thread.currentThread().interrupt();
    return status[0];
  }

  private static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
    Console console = new Console(in, out, err);
    CommandLine cli = commandLine(console, args.length > 0 ? args[0] : "");
    PrintWriter usageOut =
        new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true);
    PrintWriter usageErr =
        new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true);
    cli.setOut(usageOut);
    cli.setErr(usageErr);
    cli.setParameterExceptionHandler(Main::usageError);
    cli.setExecutionExceptionHandler((ex, cmd, parsed) -> failure(ex, console));
    try {
      return cli.execute(args);
    } catch (StackOverflowError | OutOfMemoryError e) {
      console.error("internal error: " + e);
      if (System.getenv(DEBUG_ENV) != null) e.printStackTrace(console.err());
      return ExitCodes.INTERNAL_ERROR;
    } finally {
      usageOut.flush();
      usageErr.flush();
    }
  }

  /**
   * The command tree for a command line whose first word is {@code first}. Naming a command builds
   * that one alone: picocli reads every command's options when it is added, and each command's
   * class brings its own dependencies (run: the logging setup and the Kubernetes client; demo and
   * bench: the embedded API server), which would otherwise cost a short scan or fix a second or
   * more of start-up. Anything else (help, version, a typo) gets the whole tree.
   */
  private static CommandLine commandLine(Console console, String first) {
    CommandLine cli = new CommandLine(new Main(console));
    Supplier<Object> product = COMMANDS.get(first);
    if (product != null) return cli.addSubcommand(first, product.get());
    List<ServiceLoader.Provider<Subcommand>> extras =
        ServiceLoader.load(Subcommand.class, Main.class.getClassLoader()).stream().toList();
    for (ServiceLoader.Provider<Subcommand> extra : extras) {
      Command command = extra.type().getAnnotation(Command.class);
      if (command != null && command.name().equals(first)) {
        return cli.addSubcommand(first, extra.get());
      }
    }
    COMMANDS.forEach((name, command) -> cli.addSubcommand(name, command.get()));
    for (ServiceLoader.Provider<Subcommand> extra : extras) cli.addSubcommand(extra.get());
    return cli;
  }

  /** No subcommand: show what there is. */
  @Override
  public Integer call() {
    console.error(spec.commandLine().getUsageMessage().stripTrailing());
    return ExitCodes.BAD_INPUT;
  }

  private static int usageError(ParameterException ex, String[] args) {
    CommandLine cmd = ex.getCommandLine();
    String message =
        ex.getMessage() == null ? "invalid usage" : ex.getMessage().lines().findFirst().orElse("");
    cmd.getErr()
        .println(
            "error: " + message + " (see '" + cmd.getCommandSpec().qualifiedName() + " --help')");
    cmd.getErr().flush();
    return ExitCodes.BAD_INPUT;
  }

  private static int failure(Exception ex, Console console) {
    if (ex instanceof BadInputException) {
      console.error(ex.getMessage());
      return ExitCodes.BAD_INPUT;
    }
    String message =
        ex.getMessage() == null ? "" : ": " + ex.getMessage().lines().findFirst().orElse("");
    console.error(
        "internal error: "
            + ex.getClass().getSimpleName()
            + message
            + (System.getenv(DEBUG_ENV) == null ? " (set " + DEBUG_ENV + "=1 for details)" : ""));
    if (System.getenv(DEBUG_ENV) != null) ex.printStackTrace(console.err());
    return ExitCodes.INTERNAL_ERROR;
  }

  /** The jar's Implementation-Version when packaged, else "dev". */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"nonroot-operator " + (v == null ? "dev" : v)};
    }
  }
}
